/**
 * Memory given back to be written again, instead of left to the garbage collector: a buffer that
 * outlives two scavenges is freed only at a full collection, which V8 starts late for external
 * memory, and the C heap keeps what it frees (docs/journal.md, "Memory that events pass through").
 * Used for the parse workers' outputs and input copies, read buffers, and request bodies.
 */
export interface BufferPool {
  /** A buffer of at least `len` bytes: the smallest kept one that fits, else a new one. */
  take(len: number): ArrayBuffer;
  /** Keeps `ab` for a later take; when full, in place of a smaller one (larger ones fit more). */
  give(ab: ArrayBuffer): void;
}

/**
 * `keep`: how many it holds at most. `size(len)`: how large a new buffer for `len` bytes is made
 * (rounded up, so that when given back it fits the next requests of about its size).
 */
export function createBufferPool(keep: number, size: (len: number) => number = (len) => len): BufferPool {
  const spare: ArrayBuffer[] = [];
  return {
    take(len) {
      let pick = -1;
      for (let i = 0; i < spare.length; i++) if (spare[i].byteLength >= len && (pick < 0 || spare[i].byteLength < spare[pick].byteLength)) pick = i;
      if (pick < 0) return Buffer.allocUnsafeSlow(size(len)).buffer as ArrayBuffer; // its own ArrayBuffer, at offset 0
      const ab = spare[pick];
      spare[pick] = spare[spare.length - 1];
      spare.pop();
      return ab;
    },
    give(ab) {
      if (spare.length < keep) {
        spare.push(ab);
        return;
      }
      let smallest = 0;
      for (let i = 1; i < spare.length; i++) if (spare[i].byteLength < spare[smallest].byteLength) smallest = i;
      if (spare[smallest].byteLength < ab.byteLength) spare[smallest] = ab;
    },
  };
}

/** Rounds `len` up to a multiple of `step`. */
export const roundUp = (step: number) => (len: number): number => Math.ceil(Math.max(len, 1) / step) * step;
