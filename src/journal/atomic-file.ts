import { closeSync, fsyncSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replace a small file so that after a crash it holds either the old or the new content, never
 * a mix: write a temporary file, fsync it, rename over the target, fsync the directory (without
 * the last step the rename itself may not survive a power loss on ext4/xfs).
 */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * The same, off the main thread: fsync on a real disk takes milliseconds, and cursors are saved
 * several times a second per destination. One write per path at a time (callers coalesce).
 */
export async function writeFileAtomicAsync(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Replace a file whole (rename), without waiting for the disk: for information that is rewritten every second anyway. */
export function replaceFile(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * replaceFile off the main thread, for files rewritten every second or minute (status.json, the
 * stats store's hour): a rename on a disk busy with the journal's writes blocked the main thread
 * for 9-15 ms, long enough to lose UDP datagrams. One write per path at a time; data given while
 * one is on its way replaces what waits (only the newest matters). Its own temporary name, so a
 * replaceFile of the same path meanwhile does not clobber it. Await replacesSettled() before a
 * last synchronous replaceFile, so that no earlier content lands after it.
 */
export function replaceFileSoon(path: string, data: string, onError: (err: Error) => void): void {
  const busy = soon.get(path);
  if (busy !== undefined) {
    busy.next = data;
    return;
  }
  const state: { next: string | undefined; done: Promise<void> } = { next: data, done: Promise.resolve() };
  soon.set(path, state);
  state.done = (async () => {
    const tmp = `${path}.soon.tmp`;
    while (state.next !== undefined) {
      const d = state.next;
      state.next = undefined;
      try {
        await writeFile(tmp, d);
        await rename(tmp, path);
      } catch (err) {
        onError(err as Error);
      }
    }
    soon.delete(path);
  })();
}

const soon = new Map<string, { next: string | undefined; done: Promise<void> }>();

/** Resolves once every replaceFileSoon given so far has landed (or failed). */
export async function replacesSettled(): Promise<void> {
  while (soon.size > 0) await Promise.all([...soon.values()].map((s) => s.done));
}
