/**
 * Memory that connectors encode events into: 4 MiB slabs, each event a view of one, written again
 * once every event encoded in it is released (Connector.release: the dispatcher will not send it
 * again). Events lie back to back, so a batch is usually one piece of memory that goes out as it
 * is. Before slabs were reused, the Elasticsearch encoder made 564 MB of garbage per 400k events on
 * the main thread, which V8 freed late (promoted, then left to a full collection) and the C heap
 * kept: peak RSS ~60 MB higher.
 */
export interface Slabs {
  /** `size` bytes to write one event into (a buffer of its own for a huge event). */
  room(size: number): Buffer;
  /** Views room() gave (each once) that nothing reads any more. */
  release(views: readonly Buffer[]): void;
}

const SLAB_BYTES = 4 << 20;
const IDLE_SLABS = 2;

interface Slab {
  buf: Buffer;
  /** Views of it not yet released. */
  refs: number;
}

export function createSlabs(slabBytes = SLAB_BYTES): Slabs {
  let slab: Slab = { buf: Buffer.allocUnsafeSlow(0), refs: 0 };
  let at = 0;
  const idle: Slab[] = [];
  // weak: a slab whose views are never released (a connector stopped mid-batch) is simply collected
  const slabOf = new WeakMap<ArrayBufferLike, Slab>();

  function fresh(): Slab {
    const s: Slab = { buf: Buffer.allocUnsafeSlow(slabBytes), refs: 0 };
    slabOf.set(s.buf.buffer, s);
    return s;
  }

  return {
    room(size) {
      if (size > slabBytes >> 3) return Buffer.allocUnsafeSlow(size);
      if (slab.refs === 0) at = 0; // nothing in it is held any more: from its start again
      if (at + size > slab.buf.length) {
        slab = idle.pop() ?? fresh();
        at = 0;
      }
      slab.refs++;
      const b = slab.buf.subarray(at, at + size);
      at += size;
      return b;
    },
    release(views) {
      let ab: ArrayBufferLike | undefined;
      let s: Slab | undefined;
      for (const b of views) {
        if (b.buffer !== ab) {
          ab = b.buffer;
          s = slabOf.get(ab);
        }
        if (s === undefined) continue; // a huge event's own buffer
        if (--s.refs === 0 && s !== slab && idle.length < IDLE_SLABS) idle.push(s);
      }
    },
  };
}
