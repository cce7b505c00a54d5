/**
 * Where the bytes of received messages wait until their parse worker has answered: batches carved
 * one after another out of 1 MiB arenas, each arena reused once every batch in it is answered.
 *
 * Why not a buffer per batch: batches are sealed every 2 ms (ingest.ts), so at 160k messages/s a
 * batch holds ~100 KB; a 1 MiB buffer each (the largest a batch may grow to) held ~15 MiB for
 * ~1.5 MB of messages in flight, plus 16 idle ones. Carved back to back, the same load fits in two
 * or three arenas. The bytes are kept (not only the worker's copy) to redo a batch whose worker died.
 */
export interface Arena {
  buf: Buffer;
  /** Sealed batches in it whose worker has not answered yet. */
  pending: number;
}

export interface InputArenas {
  /** Bytes of the batch being filled. */
  filled(): number;
  /** Whether `len` more bytes fit after the batch being filled (else it must be sealed first). */
  fits(len: number): boolean;
  /** Appends to the batch being filled (an empty batch moves to a fresh arena if it must). */
  put(src: Buffer, start: number, end: number): void;
  /** The batch being filled, as a view; its arena stays in use until release(arena). */
  seal(): { data: Uint8Array; arena: Arena };
  /** A batch sealed from `arena` was answered. */
  release(arena: Arena): void;
  /** Bytes of the arenas held now (in use or idle): what a burst left behind (tests check one-off arenas are let go). */
  heldBytes(): number;
}

export function createInputArenas(arenaBytes: number, maxIdle = 2): InputArenas {
  const idle: Arena[] = [];
  let held = 0;
  const fresh = (size: number): Arena => {
    if (size <= arenaBytes) {
      const a = idle.pop();
      if (a !== undefined) return a;
    }
    const bytes = Math.max(size, arenaBytes);
    held += bytes;
    return { buf: Buffer.allocUnsafeSlow(bytes), pending: 0 };
  };
  const retire = (a: Arena): void => {
    // an arena made for one huge message, or one more than the idle cap, goes to the collector
    if (a.buf.length === arenaBytes && idle.length < maxIdle) idle.push(a);
    else held -= a.buf.length;
  };
  let arena = fresh(arenaBytes);
  let start = 0; // where the batch being filled starts in arena
  let used = 0; // where it ends

  return {
    filled: () => used - start,
    fits: (len) => used + len <= arena.buf.length,
    put(src, from, to) {
      const len = to - from;
      if (used + len > arena.buf.length) {
        // only an empty batch gets here (a fuller one is sealed first): nothing to carry over
        if (arena.pending === 0 && len <= arena.buf.length) {
          start = 0; // every batch in it was answered: from the start again
          used = 0;
        } else {
          const old = arena;
          arena = fresh(len);
          start = 0;
          used = 0;
          if (old.pending === 0) retire(old);
        }
      }
      src.copy(arena.buf, used, from, to);
      used += len;
    },
    seal() {
      const data = new Uint8Array(arena.buf.buffer, arena.buf.byteOffset + start, used - start);
      arena.pending++;
      const sealedIn = arena;
      start = used;
      return { data, arena: sealedIn };
    },
    release(a) {
      a.pending--;
      if (a.pending !== 0) return;
      if (a !== arena) retire(a);
      else if (start === used) {
        start = 0; // nothing in flight and nothing filling: from the start again
        used = 0;
      }
    },
    heldBytes: () => held,
  };
}
