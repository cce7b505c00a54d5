import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../journal/atomic-file';
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

export function writeStatusFile(dataDir: string, destinations: DestinationStatus[]): void {
  const s: StatusFile = { pid: process.pid, writtenAt: new Date().toISOString(), destinations };
  replaceFile(statusPath(dataDir), JSON.stringify(s));
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
