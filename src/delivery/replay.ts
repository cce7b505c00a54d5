import { existsSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CursorState } from '../journal/cursors';
import type { JournalEvent } from '../journal/event-record';
import { audit } from '../observe/audit';
import { log } from '../observe/log';
import type { Connector } from './connector';
import { eventOfDeadLetter, readDeadLetters, replayFiles, type DeadLetterFile } from './dead-letters';

export interface ReplayOptions {
  name: string;
  dataDir: string;
  connector: Connector;
  deadLetters: DeadLetterFile;
  send(events: JournalEvent[], encoded: Buffer[], bytes: number, settle: (i: number, kind: 'delivered' | 'deadLettered') => void): Promise<void>;
  onSettled(): void;
  /** Replay files already finished (from the saved cursor): deleted, never sent again. */
  alreadyDone: readonly string[];
}

/**
 * Sends the events of replay files (dead letters an operator asked to retry) through the same
 * send loop as journal events. A dead letter that is now delivered moves from dead_lettered to
 * delivered in the ledger; one refused again goes back to the dead-letter file. A finished file
 * is recorded in the cursor (replaysDone) in the same atomic write as the counts, and deleted
 * after it: a crash in between neither replays it twice nor counts it twice.
 */
export interface Replayer {
  /** Counts settled but not yet folded into the saved cursor. */
  pendingDelta(): { delivered: number; deadLettered: number };
  dirty(): boolean;
  /** Add the settled counts and finished files to the cursor about to be saved. */
  foldInto(c: CursorState): void;
  /** A cursor is on disk: delete the finished files it names (only those: a later save may name more). */
  afterSave(saved: CursorState): void;
  stop(): Promise<void>;
}

const POLL_MS = 1000;
const BATCH = 500;

export function createReplayer(o: ReplayOptions): Replayer {
  let delta = { delivered: 0, deadLettered: 0 };
  let finished: string[] = [];
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const done = new Set<string>();
  let toDelete: string[] = [];
  const dir = dirname(o.deadLetters.path);
  for (const n of o.alreadyDone) {
    const p = join(dir, n);
    if (existsSync(p)) unlinkSync(p);
  }

  async function replayFile(path: string): Promise<void> {
    const { lines, bad } = readDeadLetters(path);
    if (bad.length > 0) log.warn(`destination ${o.name}: replay file ${path}: lines ${bad.slice(0, 10).join(', ')} are not JSON and are left out`);
    log.info(`destination ${o.name}: replaying ${lines.length} dead letters from ${path}`);
    audit('dlq_replay_started', { destination: o.name, file: basename(path), events: lines.length });
    let settled = 0;
    let delivered = 0;
    for (let i = 0; i < lines.length && !stopped; i += BATCH) {
      const events = lines.slice(i, i + BATCH).map(eventOfDeadLetter);
      const encoded = events.map((e) => o.connector.encode(e));
      await o.send(events, encoded, encoded.reduce((n, b) => n + b.length, 0), (_, kind) => {
        settled++;
        if (kind === 'delivered') {
          delivered++;
          delta.delivered++;
          delta.deadLettered--;
        }
        o.onSettled();
      });
      o.connector.release?.(encoded); // settled (or stopping): its memory may be written again
    }
    if (settled === lines.length) {
      audit('dlq_replay_finished', { destination: o.name, file: basename(path), delivered, refused_again: settled - delivered });
      finished.push(basename(path));
      done.add(path);
      o.onSettled();
    }
  }

  async function poll(): Promise<void> {
    for (const f of replayFiles(o.dataDir, o.name)) {
      if (stopped) return;
      if (done.has(f)) continue;
      await replayFile(f);
    }
  }

  function schedule(): void {
    busy = busy.then(poll).catch((err: Error) => {
      log.error(`destination ${o.name}: replay failed: ${err.message}; it is tried again in ${POLL_MS} ms`);
    });
  }
  const timer = setInterval(schedule, POLL_MS);
  timer.unref();
  schedule();

  return {
    pendingDelta: () => delta,
    dirty: () => delta.delivered !== 0 || finished.length > 0,
    foldInto(c) {
      c.delivered += delta.delivered;
      c.deadLettered += delta.deadLettered;
      delta = { delivered: 0, deadLettered: 0 };
      if (finished.length === 0) return;
      // only files that still exist stay listed, so the list does not grow forever
      c.replaysDone = [...(c.replaysDone ?? []).filter((n) => existsSync(join(dir, n))), ...finished];
      toDelete = toDelete.concat(finished);
      finished = [];
    },
    afterSave(saved) {
      const named = new Set(saved.replaysDone ?? []);
      for (const n of toDelete.filter((x) => named.has(x))) {
        try { unlinkSync(join(dir, n)); } catch { /* already gone */ }
      }
      toDelete = toDelete.filter((x) => !named.has(x));
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
    },
  };
}
