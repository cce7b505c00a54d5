import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Format } from '../parse';
import type { JournalEvent, KeyName } from '../journal/event-record';

/**
 * A destination's dead-letter file: events it refused permanently, one JSON line each, with the
 * reason and what the destination answered, so an operator can see why, fix the cause and replay.
 * `siemgate buffer dlq replay DEST` renames the file to a `.replay-*` file; the running gateway
 * (or the next one to start) sends those lines again and deletes the file when every line is
 * settled. Lines are appended and fsynced before the cursor passes their events.
 */
export interface DeadLetterLine {
  time: string;
  destination: string;
  reason: string;
  response?: string;
  seq: number;
  received_at: string;
  format: Format;
  keys: Partial<Record<KeyName, string>>;
  event: unknown;
}

export function deadLetterDir(dataDir: string): string {
  return join(dataDir, 'dead-letters');
}

export function deadLetterPath(dataDir: string, destination: string): string {
  return join(deadLetterDir(dataDir), `${destination}.ndjson`);
}

export interface DeadLetterFile {
  readonly path: string;
  add(ev: JournalEvent, reason: string, response?: string): void;
  /** fsync what was added since the last call. */
  sync(): void;
  close(): void;
}

export function openDeadLetters(dataDir: string, destination: string): DeadLetterFile {
  mkdirSync(deadLetterDir(dataDir), { recursive: true });
  const path = deadLetterPath(dataDir, destination);
  let fd: number | undefined;
  let dirty = false;
  return {
    path,
    add(ev, reason, response) {
      // A replay request may have renamed the file away: reopen by name each time it is missing.
      if (fd === undefined || !existsSync(path)) {
        if (fd !== undefined) closeSync(fd);
        fd = openSync(path, 'a');
      }
      const head = JSON.stringify({
        time: new Date().toISOString(), destination, reason,
        ...(response !== undefined ? { response: response.slice(0, 4096) } : {}),
        seq: ev.seq, received_at: new Date(ev.receivedAt).toISOString(), format: ev.format, keys: ev.keys,
      });
      // the document is JSON already: spliced in, not parsed and re-serialized
      writeSync(fd, `${head.slice(0, -1)},"event":${ev.doc.toString('utf8')}}\n`);
      dirty = true;
    },
    sync() {
      if (dirty && fd !== undefined) fsyncSync(fd);
      dirty = false;
    },
    close() {
      if (fd !== undefined) {
        if (dirty) fsyncSync(fd);
        closeSync(fd);
      }
      fd = undefined;
    },
  };
}

/** Lines of a dead-letter file (for `buffer dlq list` and replays); unreadable lines are reported, not skipped silently. */
export function readDeadLetters(path: string): { lines: DeadLetterLine[]; bad: number[] } {
  const lines: DeadLetterLine[] = [];
  const bad: number[] = [];
  if (!existsSync(path)) return { lines, bad };
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (const line of text.split('\n')) {
    n++;
    if (line === '') continue;
    try {
      lines.push(JSON.parse(line) as DeadLetterLine);
    } catch {
      bad.push(n);
    }
  }
  return { lines, bad };
}

const REPLAY = '.replay-';

/** Ask for a replay: move the dead letters aside, where the dispatcher picks them up. */
export function requestReplay(dataDir: string, destination: string): { file: string; events: number } | undefined {
  const path = deadLetterPath(dataDir, destination);
  if (!existsSync(path)) return undefined;
  const { lines } = readDeadLetters(path);
  const file = join(deadLetterDir(dataDir), `${destination}${REPLAY}${Date.now()}.ndjson`);
  renameSync(path, file);
  return { file, events: lines.length };
}

/** Replay files waiting for a destination, oldest first. */
export function replayFiles(dataDir: string, destination: string): string[] {
  const dir = deadLetterDir(dataDir);
  if (!existsSync(dir)) return [];
  const prefix = `${destination}${REPLAY}`;
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.ndjson')).sort().map((f) => join(dir, f));
}

/** A dead-letter line as the event it was, ready to be encoded again. */
export function eventOfDeadLetter(l: DeadLetterLine): JournalEvent {
  return {
    seq: l.seq, receivedAt: Date.parse(l.received_at), format: l.format, truncated: false,
    keys: l.keys ?? {}, doc: Buffer.from(JSON.stringify(l.event)),
  };
}

export function removeFile(path: string): void {
  unlinkSync(path);
}
