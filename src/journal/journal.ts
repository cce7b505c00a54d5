import { closeSync, fdatasync, fstatSync, mkdirSync, openSync, unlink, writev } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { log } from '../observe/log';
import { scanRecords } from './record';
import { recoverSegment, type TailScan } from './recovery';
import { listSegments, segmentName, type SegmentInfo } from './segments';

const writevAsync = promisify(writev);
const fdatasyncAsync = promisify(fdatasync);

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface JournalOptions {
  dir: string;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A new segment is started once the current one is this large. */
  segmentBytes: number;
  /**
   * Called with the records of an appended batch once nothing can read them any more: written,
   * out of the recently-written window, and every reader that took views of them from memory
   * has said (JournalPlace.settled) that its consumer let go of them. The caller may then reuse
   * their memory (the ingest gives it back to the parse workers).
   */
  onFree?: (records: Uint8Array) => void;
}

/** A reader's place in the journal (Journal.place). */
export interface JournalPlace {
  /** The ordinal of the next event the reader reads. */
  moved(seq: number): void;
  /**
   * For a reader whose consumer keeps the events it read (views of the journal's memory) for a
   * while: every event before `seq` is let go of. Until it says so, the memory is not reused.
   */
  settled(seq: number): void;
  close(): void;
}

/** A place in the journal: a segment (by its first ordinal), a byte offset in it, an event ordinal. */
export interface Position {
  segment: number;
  offset: number;
  seq: number;
}

export interface RecoveryReport {
  segments: number;
  events: number;
  cutBytes: number;
  stop: TailScan['stop'];
}

/**
 * The append side of the journal: segment files, group commit, the fsync policy, retention.
 * Records arrive already framed (length + CRC, built by the parse workers), a batch at a time;
 * whatever queued while the previous write was on disk goes out in one writev (group commit).
 */
export interface Journal {
  readonly dir: string;
  readonly recovery: RecoveryReport;
  /** Queue framed records; the promise (when returned) says the queue is long: wait before more. */
  append(records: Uint8Array, count: number): Promise<void> | undefined;
  /** Resolves when everything appended so far is durable under the fsync policy. */
  durable(): Promise<void>;
  /** Ordinal the next event will get (= events ever journaled). */
  head(): number;
  /** The head when this process opened the journal: records from here on were written by it. */
  readonly openedAt: number;
  /** Events appended but not yet written. */
  queued(): number;
  /** The position after the last written record: readers do not go past it. */
  end(): Position;
  /** Segments oldest first, with their sizes (the last one still growing). */
  segments(): readonly SegmentInfo[];
  /** Bytes on disk in all segments. */
  bytes(): number;
  /** Called after each write with the new end. */
  onWritten(listener: () => void): () => void;
  /**
   * The records written from `at` on, up to about maxBytes, if `at` is still in memory: readers
   * that keep up take them from here instead of reading back what was just written. Views of the
   * written batches (the first one cut at `at`, which may fall inside a batch), all in at.segment.
   */
  recent(at: Position, maxBytes: number, taker?: JournalPlace): Uint8Array[] | undefined;
  /**
   * A reader's place, so that a batch every reader has taken leaves memory at once (what is kept is
   * what the readers that keep up have yet to read), and, with `holdsViews`, so that its memory is
   * reused (onFree) only once the reader's consumer has let go of what it took (settled).
   */
  place(holdsViews?: boolean): JournalPlace;
  /** Delete sealed segments whose every event is before `seq`; returns events in them. */
  release(seq: number): number;
  /** Delete the oldest sealed segment whatever the cursors say (when_full: drop_oldest); returns its events. */
  dropOldest(): number;
  /**
   * Start a new segment now if the current one is full and nothing is being written, so that a
   * fully read current segment can be released (otherwise it would stay until the next write).
   */
  rollIfFull(): Promise<void>;
  close(): Promise<void>;
}

const QUEUE_HIGH_WATER = 16 << 20;
/**
 * At most this much of the recently written batches is kept for readers that keep up (bytes); a
 * batch leaves as soon as every reader has taken it, so this is what is held only while a reader
 * lags. A reader that lags further reads the page cache back, which cost the file destination
 * ~0.3 us per event more than memory (2026-11-24, TCP → journal → file: the reader ran 8-28 MB
 * behind the writer at 240k events/s, and with 8 MiB most reads missed).
 */
const RECENT_BYTES = 32 << 20;

interface RecentBatch {
  segment: number;
  offset: number;
  seq: number;
  records: Uint8Array;
  count: number;
  /** The places of readers that took views of it from memory. */
  takers?: PlaceState[];
}

function took(b: RecentBatch, state: PlaceState | undefined): void {
  if (state === undefined) return;
  if (b.takers === undefined) b.takers = [state];
  else if (!b.takers.includes(state)) b.takers.push(state);
}

interface PlaceState {
  seq: number;
  /** Before this ordinal the consumer holds nothing: said by settled() with holdsViews, else the read position. */
  settled: number;
  closed: boolean;
}

export function openJournal(opts: JournalOptions): Journal {
  mkdirSync(opts.dir, { recursive: true });
  const segs = listSegments(opts.dir);
  let recovery: RecoveryReport = { segments: segs.length, events: 0, cutBytes: 0, stop: 'end' };
  let head = 0;
  for (let i = 0; i < segs.length - 1; i++) segs[i].bytes = sizeOf(segs[i].path);
  if (segs.length > 0) {
    const last = segs[segs.length - 1];
    const scan = recoverSegment(last.path);
    last.bytes = scan.bytes;
    head = last.first + scan.records;
    recovery = { segments: segs.length, events: head - segs[0].first, cutBytes: scan.cutBytes, stop: scan.stop };
    if (scan.cutBytes > 0) {
      log.warn(`journal: cut ${scan.cutBytes} bytes after the last good record of ${last.path} (${scan.stop}); ` +
        'these are events that were being written when the gateway stopped without closing; every record before them is kept');
    }
  }
  if (segs.length === 0 || segs[segs.length - 1].bytes >= opts.segmentBytes) segs.push(newSegmentInfo(opts.dir, head));
  let current = segs[segs.length - 1];
  let fd = openSync(current.path, 'a');

  let queue: Array<{ buf: Uint8Array; count: number }> = [];
  let queuedBytes = 0;
  let queuedCount = 0;
  let writing = false;
  let closed = false;
  let failure: Error | undefined;
  let lastSync = Promise.resolve();
  let dirty = false; // written since the last fdatasync
  const writtenListeners = new Set<() => void>();
  // Waiters for durability: resolved once the head they waited for is written (and synced, for always).
  let durableWaiters: Array<{ seq: number; resolve: () => void; reject: (e: Error) => void }> = [];
  let writtenHead = head; // events written (handed to the kernel)
  let syncedHead = head;
  let queuedHead = head;
  let drainWaiters: Array<() => void> = [];
  const recent: RecentBatch[] = [];
  let recentBytes = 0;
  const places = new Map<JournalPlace, PlaceState>();
  // out of the window, but some reader's consumer may still hold views of them (onFree only)
  let held: RecentBatch[] = [];
  function remember(b: RecentBatch): void {
    recent.push(b);
    recentBytes += b.records.byteLength;
    trim();
  }
  function trim(): void {
    while (recent.length > 0 && (recentBytes > RECENT_BYTES || takenByAll(recent[0]))) {
      const b = recent.shift()!;
      recentBytes -= b.records.byteLength;
      if (opts.onFree !== undefined) held.push(b);
    }
    if (held.length > 0) freeReleased();
  }
  // Readers behind the oldest batch kept read from disk anyway: only those inside it keep it.
  function takenByAll(b: RecentBatch): boolean {
    for (const p of places.values()) if (p.seq >= b.seq && p.seq < b.seq + b.count) return false;
    return true;
  }
  function freeReleased(): void {
    const still: RecentBatch[] = [];
    for (const b of held) {
      if (letGo(b)) opts.onFree!(b.records);
      else still.push(b);
    }
    held = still;
  }
  function letGo(b: RecentBatch): boolean {
    if (b.takers === undefined) return true;
    const end = b.seq + b.count;
    for (const t of b.takers) if (!t.closed && t.settled < end) return false;
    return true;
  }

  const timer = opts.fsync === 'interval'
    ? setInterval(() => { if (dirty && !writing) void sync(); }, opts.fsyncIntervalMs)
    : undefined;
  timer?.unref();

  function settleDurable(): void {
    const upTo = opts.fsync === 'always' ? syncedHead : writtenHead;
    if (durableWaiters.length === 0) return;
    const still: typeof durableWaiters = [];
    for (const w of durableWaiters) (w.seq <= upTo ? w.resolve() : still.push(w));
    durableWaiters = still;
  }

  async function sync(): Promise<void> {
    const target = writtenHead;
    dirty = false;
    lastSync = fdatasyncAsync(fd);
    await lastSync;
    syncedHead = Math.max(syncedHead, target);
    settleDurable();
  }

  async function pump(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (queue.length > 0 && !failure) {
        // A batch never spans segments: roll before writing once the current one is full, and
        // take from the queue only what fits in the current segment (at least one batch).
        if (current.bytes >= opts.segmentBytes) await roll();
        const bufs: Uint8Array[] = [];
        const items: RecentBatch[] = [];
        let bytes = 0;
        let count = 0;
        while (queue.length > 0 && (bufs.length === 0 || current.bytes + bytes + queue[0].buf.byteLength <= opts.segmentBytes)) {
          const item = queue.shift()!;
          bufs.push(item.buf);
          items.push({ segment: current.first, offset: current.bytes + bytes, seq: writtenHead + count, records: item.buf, count: item.count });
          bytes += item.buf.byteLength;
          count += item.count;
        }
        queuedBytes -= bytes;
        queuedCount -= count;
        let done = 0;
        while (done < bytes) {
          const { bytesWritten } = await writevAsync(fd, done === 0 ? bufs : remaining(bufs, done));
          done += bytesWritten;
        }
        current.bytes += bytes;
        writtenHead += count;
        for (const it of items) remember(it);
        dirty = true;
        if (opts.fsync === 'always') await sync();
        settleDurable();
        for (const l of writtenListeners) l();
        if (queuedBytes < QUEUE_HIGH_WATER) for (const w of drainWaiters.splice(0)) w();
      }
    } catch (err) {
      failure = err as Error;
      log.error(`journal: writing ${current.path} failed: ${(err as Error).message}; events are no longer being stored. ` +
        'Check free space and permissions of data_dir, then restart the gateway.');
      for (const w of durableWaiters.splice(0)) w.reject(failure);
    } finally {
      writing = false;
      for (const w of drainWaiters.splice(0)) w();
    }
  }

  async function roll(): Promise<void> {
    if (dirty || opts.fsync !== 'never') await fdatasyncAsync(fd);
    syncedHead = writtenHead;
    closeSync(fd);
    current = newSegmentInfo(opts.dir, writtenHead);
    segs.push(current);
    fd = openSync(current.path, 'a');
  }

  return {
    dir: opts.dir,
    openedAt: head,
    get recovery() { return recovery; },
    append(records, count) {
      if (closed) throw new Error('journal is closed');
      if (failure) throw failure;
      queue.push({ buf: records, count });
      queuedBytes += records.byteLength;
      queuedCount += count;
      queuedHead += count;
      void pump();
      if (queuedBytes < QUEUE_HIGH_WATER) return undefined;
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    durable() {
      if (failure) return Promise.reject(failure);
      const upTo = opts.fsync === 'always' ? syncedHead : writtenHead;
      if (queuedHead <= upTo) return Promise.resolve();
      return new Promise<void>((resolve, reject) => durableWaiters.push({ seq: queuedHead, resolve, reject }));
    },
    head: () => writtenHead,
    queued: () => queuedHead - writtenHead,
    end: () => ({ segment: current.first, offset: current.bytes, seq: writtenHead }),
    segments: () => segs,
    bytes: () => segs.reduce((n, s) => n + s.bytes, 0),
    recent(at, maxBytes, taker) {
      // newest last; a reader that keeps up asks for one of the last few
      let i = recent.length - 1;
      for (; i >= 0; i--) {
        const b = recent[i];
        if (b.segment < at.segment || (b.segment === at.segment && b.offset <= at.offset)) break;
      }
      if (i < 0) return undefined;
      const first = recent[i];
      if (first.segment !== at.segment || at.offset >= first.offset + first.records.byteLength) return undefined;
      // A reader stopped inside a batch (its last read was cut by maxBytes, or came from disk):
      // hop record headers to its offset, and trust the view only if the count agrees.
      const skip = at.offset - first.offset;
      const before = scanRecords(first.records, 0, skip, undefined, false);
      if (before.stop !== 'end' || before.records !== at.seq - first.seq) return undefined;
      const state = taker === undefined ? undefined : places.get(taker);
      const out = [skip === 0 ? first.records : first.records.subarray(skip)];
      took(first, state);
      let bytes = out[0].byteLength;
      for (let j = i + 1; j < recent.length && bytes < maxBytes; j++) {
        const b = recent[j];
        if (b.segment !== at.segment) break;
        out.push(b.records);
        took(b, state);
        bytes += b.records.byteLength;
      }
      return out;
    },
    place(holdsViews = false) {
      const state: PlaceState = { seq: -1, settled: -1, closed: false };
      const handle: JournalPlace = {
        moved(seq) {
          state.seq = seq;
          if (!holdsViews) state.settled = seq;
          trim();
        },
        settled(seq) {
          if (seq <= state.settled) return;
          state.settled = seq;
          if (held.length > 0) freeReleased();
        },
        close() {
          state.closed = true;
          places.delete(handle);
          trim();
        },
      };
      places.set(handle, state);
      return handle;
    },
    onWritten(listener) {
      writtenListeners.add(listener);
      return () => writtenListeners.delete(listener);
    },
    release(seq) {
      let released = 0;
      while (segs.length > 1 && segs[1].first <= seq) {
        const s = segs.shift()!;
        released += segs[0].first - s.first;
        removeSegment(s.path);
      }
      return released;
    },
    async rollIfFull() {
      if (writing || closed || failure || queue.length > 0 || current.bytes < opts.segmentBytes) return;
      writing = true;
      try {
        await roll();
      } finally {
        writing = false;
        if (queue.length > 0) void pump();
      }
    },
    dropOldest() {
      if (segs.length < 2) return 0;
      const s = segs.shift()!;
      removeSegment(s.path);
      return segs[0].first - s.first;
    },
    async close() {
      if (closed) return;
      while (writing || queue.length > 0) {
        if (failure) break;
        await new Promise<void>((resolve) => drainWaiters.push(resolve));
        if (!writing && queue.length > 0) void pump();
      }
      closed = true;
      if (timer) clearInterval(timer);
      await lastSync.catch(() => undefined);
      if (!failure && dirty && opts.fsync !== 'never') await fdatasyncAsync(fd).catch(() => undefined);
      closeSync(fd);
    },
  };
}

/** Unlinking a 64 MiB file frees its blocks and takes milliseconds: off the main thread. */
function removeSegment(path: string): void {
  unlink(path, (err) => {
    if (err) log.warn(`journal: could not delete ${path}: ${err.message}; delete it by hand once the gateway is stopped`);
  });
}

function newSegmentInfo(dir: string, first: number): SegmentInfo {
  const path = join(dir, segmentName(first));
  closeSync(openSync(path, 'a'));
  return { first, path, bytes: 0 };
}

function sizeOf(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** The buffers after the first `done` bytes (a short writev is rare: disk full, signals). */
function remaining(bufs: Uint8Array[], done: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of bufs) {
    if (done >= b.byteLength) {
      done -= b.byteLength;
      continue;
    }
    out.push(done > 0 ? b.subarray(done) : b);
    done = 0;
  }
  return out;
}
