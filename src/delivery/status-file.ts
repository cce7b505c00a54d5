import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile, replaceFileSoon } from '../journal/atomic-file';
import { log } from '../observe/log';
import type { DestinationStatus } from './dispatcher';

/**
 * What a running gateway last said about its destinations, for `siemgate buffer status` from
 * another process. Written every second; its age tells whether the gateway is still running.
 */
export interface StatusFile {
  pid: number;
  writtenAt: string;
  destinations: DestinationStatus[];
}

export function statusPath(dataDir: string): string {
  return join(dataDir, 'status.json');
}

/** `soon`: off the main thread (every second while running); else at once (the last one, at stop). */
export function writeStatusFile(dataDir: string, destinations: DestinationStatus[], soon = false): void {
  const s: StatusFile = { pid: process.pid, writtenAt: new Date().toISOString(), destinations };
  const path = statusPath(dataDir);
  if (!soon) replaceFile(path, JSON.stringify(s));
  else replaceFileSoon(path, JSON.stringify(s), (err) => log.warn(`status: writing ${path} failed: ${err.message}`));
}

export function readStatusFile(dataDir: string): StatusFile | undefined {
  const p = statusPath(dataDir);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as StatusFile;
  } catch {
    return undefined;
  }
}
