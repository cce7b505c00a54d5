import { createBufferPool } from '../../src/buffer-pool';

/**
 * A request body from encoded events. Events the connectors encode into slabs (slabs.ts) lie back
 * to back, so a batch is mostly one piece of memory already: sent as it is, without the 1.5 MB copy
 * per request (8 % of the main thread under load). Anything else (a batch across two slabs, a
 * resend's subset, Sentinel's JSON array) is copied together into a buffer used again once its
 * request is answered: a new one per request was ~200 MB of garbage per 400k events.
 */
export interface BodyBuffers {
  /** The parts as one body: a view of them when they lie back to back, else copied into a kept buffer. */
  join(parts: readonly Buffer[], bytes: number): Buffer;
  /** Once the request is answered; a view, or anything this did not copy into, is left alone. */
  give(body: Buffer): void;
}

/** A body copied together is at least this large, so that a kept buffer fits the next one. */
const MIN_BYTES = 2 << 20;

export function createBodyBuffers(keep = 2): BodyBuffers {
  const pool = createBufferPool(keep, (len) => Math.max(len, MIN_BYTES));
  const mine = new WeakSet<ArrayBufferLike>(); // give() takes back only what join() copied into
  return {
    join(parts, bytes) {
      const view = contiguous(parts, bytes);
      if (view !== undefined) return view;
      const ab = pool.take(bytes);
      mine.add(ab);
      const buf = Buffer.from(ab);
      let o = 0;
      for (const p of parts) o += p.copy(buf, o);
      return buf.subarray(0, o);
    },
    give(body) {
      if (mine.delete(body.buffer)) pool.give(body.buffer as ArrayBuffer);
    },
  };
}

function contiguous(parts: readonly Buffer[], bytes: number): Buffer | undefined {
  if (parts.length === 0) return undefined;
  const first = parts[0];
  let end = first.byteOffset + first.length;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (p.buffer !== first.buffer || p.byteOffset !== end) return undefined;
    end += p.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, bytes);
}
