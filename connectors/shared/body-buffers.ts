/**
 * Request bodies copied together (the events of a batch that do not lie back to back in one slab,
 * a resend's subset, Sentinel's JSON array) are written into buffers used again once their request
 * is answered: a new one per request was ~200 MB of garbage per 400k events on the main thread.
 */
export interface BodyBuffers {
  /** The parts, back to back, in a buffer of this pool; give(body) once the request is answered. */
  join(parts: readonly Buffer[], bytes: number): Buffer;
  give(body: Buffer): void;
}

/** A body copied together is at least this large, so that a kept buffer fits the next one. */
const MIN_BYTES = 2 << 20;

export function createBodyBuffers(keep = 2): BodyBuffers {
  const spare: Buffer[] = [];
  const mine = new WeakSet<ArrayBufferLike>(); // give() takes back only what join() made
  return {
    join(parts, bytes) {
      let buf: Buffer | undefined;
      for (let i = 0; i < spare.length; i++) {
        if (spare[i].length >= bytes) {
          buf = spare[i];
          spare.splice(i, 1);
          break;
        }
      }
      if (buf === undefined) {
        buf = Buffer.allocUnsafeSlow(Math.max(bytes, MIN_BYTES));
        mine.add(buf.buffer);
      }
      let o = 0;
      for (const p of parts) o += p.copy(buf, o);
      return buf.subarray(0, o);
    },
    give(body) {
      if (!mine.has(body.buffer) || spare.length >= keep) return;
      spare.push(Buffer.from(body.buffer, 0, body.buffer.byteLength));
    },
  };
}
