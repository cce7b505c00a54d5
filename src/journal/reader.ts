import { close, open, read } from 'node:fs';
import { promisify } from 'node:util';
import { decodeEvent, type JournalEvent } from './event-record';
import type { Journal, Position } from './journal';
import { MAX_RECORD_BYTES, RECORD_HEADER_BYTES, scanRecords } from './record';
import { createBufferPool } from '../buffer-pool';

const openAsync = promisify(open);
const readAsync = promisify(read);
const closeAsync = promisify(close);

/** Read buffers kept for the next reads (each as large as the reads a destination asks for, ~1 MiB). */
const SPARE_READ_BUFFERS = 2;

export interface ReadResult {
  events: JournalEvent[];
  /** Where the next read starts: just after the last event returned (or skipped). */
  next: Position;
  /** Events passed over without being returned: their segment was deleted (drop_oldest) or damaged. */
  skipped: number;
  skipReason?: 'deleted' | 'corrupt';
}

/**
 * Reads a destination's way through the journal from its cursor. It holds one read buffer and
 * one open segment: memory stays bounded however long the backlog on disk is.
 */
export interface JournalReader {
  position(): Position;
  /** Up to maxBytes of records (always at least one whole record when any is there). */
  read(maxBytes: number): Promise<ReadResult>;
  /**
   * With holdsViews: every event before `seq` that this reader returned is let go of by its
   * consumer (documents are views of the journal's memory, which is reused once let go of).
   */
  settled(seq: number): void;
  close(): Promise<void>;
}

/**
 * `holdsViews`: the consumer keeps the events it reads for a while (the dispatcher, until the
 * destination answers) and says when it let go of them (settled); a consumer that is done with
 * what read() returned before it calls read() again need not.
 */
export function createReader(journal: Journal, start: Position, opts: { holdsViews?: boolean } = {}): JournalReader {
  let pos = { ...start };
  const place = journal.place(opts.holdsViews === true);
  place.moved(pos.seq);
  let fd: number | undefined;
  let fdSegment = -1;
  // Read buffers are used again once the consumer let go of every event read into them: a new one
  // per read was ~330 MB of garbage per 400k events for a destination a little behind (reading
  // back from the page cache), which the main thread's collector freed late and the C heap kept.
  const inUse: Array<{ buf: Buffer; end: number }> = [];
  const spare = createBufferPool(SPARE_READ_BUFFERS);
  const holdsViews = opts.holdsViews === true;
  const bufferFor = (size: number): Buffer => Buffer.from(spare.take(size));
  const giveBack = (b: Buffer): void => spare.give(b.buffer as ArrayBuffer);
  function release(seq: number): void {
    while (inUse.length > 0 && inUse[0].end <= seq) giveBack(inUse.shift()!.buf);
  }

  async function fdFor(path: string, segment: number): Promise<number> {
    if (fd !== undefined && fdSegment === segment) return fd;
    if (fd !== undefined) await closeAsync(fd);
    fd = undefined;
    fd = await openAsync(path, 'r');
    fdSegment = segment;
    return fd;
  }

  async function readFrom(maxBytes: number): Promise<ReadResult> {
    const segs = journal.segments();
    let i = segs.findIndex((s) => s.first === pos.segment);
    if (i < 0) {
      // Our segment is gone (drop_oldest made room, or the cursor predates a release): the events
      // in between were never read by this destination, and are counted as skipped.
      const first = segs[0];
      const skipped = Math.max(0, first.first - pos.seq);
      pos = { segment: first.first, offset: 0, seq: Math.max(pos.seq, first.first) };
      return { events: [], next: { ...pos }, skipped, skipReason: 'deleted' };
    }
    let seg = segs[i];
    const end = journal.end();
    let limit = seg.first === end.segment ? end.offset : seg.bytes;
    if (pos.offset >= limit) {
      if (i === segs.length - 1 || seg.first === end.segment) return { events: [], next: { ...pos }, skipped: 0 };
      i++;
      seg = segs[i];
      const skipped = Math.max(0, seg.first - pos.seq); // nonzero only if the old segment held fewer records than its name said
      pos = { segment: seg.first, offset: 0, seq: seg.first };
      limit = seg.first === end.segment ? end.offset : seg.bytes;
      if (skipped > 0) return { events: [], next: { ...pos }, skipped, skipReason: 'corrupt' };
      if (limit === 0) return { events: [], next: { ...pos }, skipped: 0 };
    }
    // Keeping up: what starts here is still in memory, so it is not read back.
    const mem = journal.recent(pos, maxBytes, place);
    if (mem !== undefined) {
      const evs: JournalEvent[] = [];
      let s0 = pos.seq;
      let bytes = 0;
      let whole = true;
      for (const part of mem) {
        const b = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
        if (scanRecords(b, 0, b.length, (s, e) => { evs.push(decodeEvent(b, s, e, s0++)); }, false).stop !== 'end') { whole = false; break; }
        bytes += b.length;
      }
      if (whole) {
        pos = { segment: seg.first, offset: pos.offset + bytes, seq: s0 };
        return { events: evs, next: { ...pos }, skipped: 0 };
      }
    }
    const handle = await fdFor(seg.path, seg.first);
    let want = Math.min(maxBytes, limit - pos.offset);
    // the size asked for, not what is there now: the same buffer fits the next reads
    let buf = bufferFor(Math.max(maxBytes, want, RECORD_HEADER_BYTES));
    let got = await readFully(handle, buf, want, pos.offset);
    // A record longer than maxBytes is read whole on its own.
    if (got >= RECORD_HEADER_BYTES) {
      const first = RECORD_HEADER_BYTES + buf.readUInt32LE(0);
      if (first > got && first <= MAX_RECORD_BYTES + RECORD_HEADER_BYTES && pos.offset + first <= limit) {
        want = first;
        giveBack(buf);
        buf = bufferFor(want);
        got = await readFully(handle, buf, want, pos.offset);
      }
    }
    const events: JournalEvent[] = [];
    let seq = pos.seq;
    // Records this process wrote are read back from the page cache: their CRC was computed moments
    // ago by the worker, and checking it again cost the main thread ~0.3 us per event. Records
    // from before this start (across a crash or a reboot) are checked.
    const verify = pos.seq < journal.openedAt;
    const scan = scanRecords(buf, 0, got, (s, e) => { events.push(decodeEvent(buf, s, e, seq++)); }, verify);
    if (events.length === 0) giveBack(buf);
    else inUse.push({ buf, end: seq });
    if ((scan.stop === 'bad_crc' || scan.stop === 'bad_length') || (scan.stop === 'partial' && got === limit - pos.offset && scan.end < got)) {
      // Damage inside data that was complete when written: the rest of this segment cannot be
      // framed. Skip to the next segment; its name says how many events that passes over.
      const next = segs[i + 1];
      const from = seq;
      if (next !== undefined) {
        pos = { segment: next.first, offset: 0, seq: next.first };
        return { events, next: { ...pos }, skipped: Math.max(0, next.first - from), skipReason: 'corrupt' };
      }
      pos = { segment: seg.first, offset: limit, seq };
      return { events, next: { ...pos }, skipped: 0, skipReason: 'corrupt' };
    }
    pos = { segment: seg.first, offset: pos.offset + scan.end, seq };
    return { events, next: { ...pos }, skipped: 0 };
  }

  return {
    position: () => ({ ...pos }),
    async read(maxBytes) {
      // a consumer that does not hold views is done with what the last read gave it
      if (!holdsViews) release(Infinity);
      const r = await readFrom(maxBytes);
      place.moved(pos.seq);
      return r;
    },
    settled(seq) {
      place.settled(seq);
      release(seq);
    },
    async close() {
      place.close();
      if (fd !== undefined) await closeAsync(fd);
      fd = undefined;
    },
  };
}

async function readFully(fd: number, buf: Buffer, want: number, at: number): Promise<number> {
  let got = 0;
  while (got < want) {
    const { bytesRead } = await readAsync(fd, buf, got, want - got, at + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
