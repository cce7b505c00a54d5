import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-file';
import type { Position } from './journal';

/**
 * A destination's cursor and its side of the ledger, persisted together in one atomic write:
 * every event before `position.seq` is in exactly one of the counts, so
 * position.seq - start = delivered + filtered + dead_lettered + dropped holds in every saved state.
 */
export interface CursorState {
  destination: string;
  position: Position;
  /** Ordinal the destination started at (the journal's head when it was added). */
  start: number;
  delivered: number;
  /** Not for this destination (its `where` did not match). */
  filtered: number;
  deadLettered: number;
  /** Skipped because the journal was full (drop_oldest) or a segment was damaged. */
  dropped: number;
  updatedAt: string;
  /** Dead-letter replay files already sent (src/delivery/replay.ts). */
  replaysDone?: string[];
}

const SUFFIX = '.cursor.json';

export function cursorDir(journalDir: string): string {
  return join(journalDir, 'cursors');
}

export function loadCursors(journalDir: string): Map<string, CursorState> {
  const dir = cursorDir(journalDir);
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, CursorState>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(SUFFIX)) continue;
    const path = join(dir, f);
    try {
      const s = JSON.parse(readFileSync(path, 'utf8')) as CursorState;
      out.set(s.destination, s);
    } catch (err) {
      // A cursor is written atomically, so this is outside damage; say so rather than guess.
      throw new Error(`journal cursor ${path} cannot be read (${(err as Error).message}). ` +
        'Delete it to restart that destination at the journal head (events before it are then not sent to it), or restore it from a backup.');
    }
  }
  return out;
}

export function saveCursor(journalDir: string, s: CursorState): void {
  mkdirSync(cursorDir(journalDir), { recursive: true });
  writeFileAtomic(join(cursorDir(journalDir), s.destination + SUFFIX), JSON.stringify(s));
}

/** saveCursor without blocking the event loop on the disk (the dispatchers' path). */
export async function saveCursorAsync(journalDir: string, s: CursorState): Promise<void> {
  mkdirSync(cursorDir(journalDir), { recursive: true });
  await writeFileAtomicAsync(join(cursorDir(journalDir), s.destination + SUFFIX), JSON.stringify(s));
}

export function removeCursor(journalDir: string, destination: string): void {
  unlinkSync(join(cursorDir(journalDir), destination + SUFFIX));
}

export function newCursor(destination: string, at: Position): CursorState {
  return {
    destination, position: { ...at }, start: at.seq,
    delivered: 0, filtered: 0, deadLettered: 0, dropped: 0, updatedAt: new Date().toISOString(),
  };
}
