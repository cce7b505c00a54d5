import { FLAG_TRUNCATED, type IngestSink, type Peer, type RejectReason, type SenderMeta } from '../inputs/types';
import type { MapperOptions } from '../mapping';
import { log, rateLimited } from '../observe/log';
import { emptyFormatCounts, MAX_BATCH_BYTES, MAX_BATCH_DELAY_MS, MAX_BATCH_MESSAGES, type DoneBatch, type FormatCounts, type RawBatch } from './batch';
import type { ZoneTable } from './process-batch';
import type { Tally, ThresholdSpec } from './event-tally';
import { createWorkerPool } from './worker-pool';
import { createInputArenas, type Arena } from './input-arena';

/** Distinct keys per stats count (senders, hosts, …); the rest go to an `(other)` key. */
const MAX_KEYS = 10_000;

/**
 * Where finished journal records go, in order: the journal. A returned promise is awaited before
 * the next batch is handed over (backpressure).
 */
export type BatchOutput = (out: Uint8Array, count: number) => void | Promise<void>;

export interface IngestOptions {
  workers: number;
  zones: ZoneTable;
  /** The mappings (mappings/ and config `mappings`); undefined: none. */
  mapping?: MapperOptions;
  output: BatchOutput;
  /** Resolves when everything output so far is durable (the journal's fsync policy). */
  durable?: () => Promise<void>;
  /** Pause stream inputs above this many bytes between the sockets and the output. */
  highWaterBytes?: number;
  /** Threshold alerts' filters, counted per event in the workers (event-tally.ts). */
  thresholds?: ThresholdSpec[];
  /** Threshold counts as batches finish (for the alert engine). */
  onThresholdCounts?: (counts: Record<string, number>) => void;
  /** Beyond this, datagrams (which cannot be paused) are refused as `pipeline_full`. */
  hardLimitBytes?: number;
}

/** The conservation ledger at the input side: received = written + rejected + in flight. */
export interface IngestStats {
  received: number;
  written: number;
  inFlight: number;
  rejected: Record<string, Partial<Record<RejectReason, number>>>;
  receivedByInput: Record<string, number>;
  /** Messages kept but cut at max_message_bytes (tagged `truncated`), per input. */
  truncatedByInput: Record<string, number>;
  formats: FormatCounts;
  /** Mapped events by `product\tcategory\toutcome\taction`, cumulative; bounded like bySource. */
  mapped: Record<string, number>;
  /** Messages by `input\tsender address`, cumulative; at most MAX_KEYS keys (then `input\t(other)`). */
  bySource: Record<string, number>;
  /** Messages by host name they carry (syslog HOSTNAME, HEC host), cumulative; bounded like bySource. */
  byHost: Record<string, number>;
  /** Host name → its last event's time minus its receive time, ms (clock skew, or delay). */
  skewByHost: Record<string, number>;
  /** Failed authentications by source.ip (or host), cumulative; bounded like bySource. */
  authFailures: Record<string, number>;
  /** Messages no parser recognised, by `input\tsender address`, cumulative; bounded like bySource. */
  unparsedBySource: Record<string, number>;
}

export interface Ingest extends IngestSink {
  stats(): IngestStats;
  /**
   * Stop taking messages for a reason outside the pipeline (the journal is full): stream inputs
   * pause, HTTP answers 503, UDP datagrams are refused as journal_full. undefined lifts it.
   */
  block(reason: string | undefined): void;
  /**
   * Records given to `output` that nothing reads any more (all of them): their memory goes back to
   * the workers to be written again, instead of being left to the garbage collector. Only buffers
   * this ingest handed out are taken, each once; anything else is ignored.
   */
  recycle(records: Uint8Array): void;
  /**
   * Resolves once the parse workers have compiled the mappings and take batches (the number of
   * workers that did): inputs opened before would take messages nothing can parse yet.
   */
  ready(): Promise<number>;
  /** Seal what is pending, wait until everything is written, stop the workers. */
  close(): Promise<void>;
}

export function createIngest(opts: IngestOptions): Ingest {
  // Raw bytes between the sockets and the output. Each raw byte becomes ~4.5 bytes of ECS JSON on
  // the way, so 4 MiB here already holds ~20 MB in flight. 8 MiB (as before 2026-11-24) ran 3 %
  // faster through TCP to a file (fewer pauses) but at 35 MB more peak RSS (peak 300 vs 265 MB,
  // two interleaved runs of 1M events); 16 MiB and more only raised RSS.
  const highWater = opts.highWaterBytes ?? 4 << 20;
  const lowWater = highWater >> 2;
  // datagrams cannot be paused: they may queue for ~1 s at 100k/s before being refused
  const hardLimit = opts.hardLimitBytes ?? 32 << 20;
  const stats: IngestStats = {
    received: 0, written: 0, inFlight: 0, rejected: {}, receivedByInput: {}, truncatedByInput: {}, formats: emptyFormatCounts(), mapped: {}, bySource: {}, byHost: {}, skewByHost: {}, authFailures: {}, unparsedBySource: {},
  };
  const logReject = rateLimited();

  // The batch being filled: its bytes in the input arenas, until its worker has answered.
  // as many idle as the high-water mark can have in flight: a burst that filled them reuses them
  const arenas = createInputArenas(MAX_BATCH_BYTES, Math.ceil(highWater / MAX_BATCH_BYTES));
  let count = 0;
  let ends = new Uint32Array(MAX_BATCH_MESSAGES);
  let flags = new Uint8Array(MAX_BATCH_MESSAGES);
  let peerIndex = new Uint16Array(MAX_BATCH_MESSAGES);
  let peers: Array<string | number> = [];
  let peerSlots = new Map<Peer, number>();
  let metas: Array<SenderMeta | undefined> | undefined;
  let firstAt = 0;
  let sealTimer: NodeJS.Timeout | undefined;

  let nextSeq = 0; // next batch number to seal
  let nextWrite = 0; // next batch number to hand to the output
  const done = new Map<number, DoneBatch>();
  let pendingBytes = 0; // sealed or filling, not yet written
  const batchBytes = new Map<number, number>();
  const batchArenas = new Map<number, Arena>(); // sealed, until their worker answers
  // output buffers handed to opts.output, which recycle() may give back to the workers
  const lent = new WeakSet<ArrayBufferLike>();
  let writing = false;
  let paused = false;
  let blocked: string | undefined;
  const resumeListeners: Array<() => void> = [];
  const waiters: Array<{ seq: number; resolve: () => void }> = [];

  const pool = createWorkerPool(opts.workers, { zones: opts.zones, mapping: opts.mapping, thresholds: opts.thresholds ?? [] }, (d) => {
    const arena = batchArenas.get(d.seq);
    batchArenas.delete(d.seq);
    if (arena !== undefined) arenas.release(arena);
    done.set(d.seq, d);
    void drain();
  });

  // The stats store's counts, bounded in keys so that a flood of spoofed UDP senders (or of
  // device-chosen host names and actions) cannot grow them without end.
  const bySource = boundedCounts(stats.bySource, (k) => `${k.slice(0, k.indexOf('\t'))}\t(other)`);
  const byMapped = boundedCounts(stats.mapped, (k) => `${k.slice(0, k.lastIndexOf('\t'))}\t(other)`);
  const byHost = boundedCounts(stats.byHost, () => '(other)');
  const byAuthFailure = boundedCounts(stats.authFailures, () => '(other)');
  const byUnparsed = boundedCounts(stats.unparsedBySource, (k) => `${k.slice(0, k.indexOf('\t'))}\t(other)`);

  // Per sender: counted per batch (a batch names few peers).
  function countSources(b: RawBatch): void {
    const n = b.peers.length / 4;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < b.count; i++) counts[b.peerIndex[i]]++;
    for (let p = 0; p < n; p++) {
      if (counts[p] > 0) bySource(`${String(b.peers[p * 4])}\t${String(b.peers[p * 4 + 2])}`, counts[p]);
    }
  }

  function countTally(t: Tally): void {
    for (const h in t.hosts) byHost(h, t.hosts[h]);
    for (const h in t.skewMs) if (stats.byHost[h] !== undefined) stats.skewByHost[h] = t.skewMs[h];
    for (const a in t.authFailures) byAuthFailure(a, t.authFailures[a]);
    for (const k in t.unparsed) byUnparsed(k, t.unparsed[k]);
    if (opts.onThresholdCounts !== undefined && Object.keys(t.thresholds).length > 0) opts.onThresholdCounts(t.thresholds);
  }

  function seal(): void {
    if (sealTimer !== undefined) {
      clearTimeout(sealTimer);
      sealTimer = undefined;
    }
    if (count === 0) return;
    const { data, arena } = arenas.seal();
    const batch: RawBatch = {
      seq: nextSeq++, receivedAt: firstAt, count,
      data,
      ends: ends.slice(0, count), flags: flags.slice(0, count), peerIndex: peerIndex.slice(0, count),
      peers, metas,
    };
    batchBytes.set(batch.seq, data.byteLength);
    stats.inFlight += count;
    countSources(batch);
    batchArenas.set(batch.seq, arena);
    count = 0;
    peers = [];
    peerSlots = new Map();
    metas = undefined;
    pool.submit(batch);
  }

  async function drain(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      for (let d = done.get(nextWrite); d !== undefined; d = done.get(nextWrite)) {
        done.delete(nextWrite);
        lent.add(d.out.buffer);
        await opts.output(d.out, d.count);
        stats.written += d.count;
        stats.inFlight -= d.count;
        for (const k of Object.keys(d.formats) as Array<keyof FormatCounts>) stats.formats[k] += d.formats[k];
        if (d.mapped !== undefined) for (const k in d.mapped) byMapped(k, d.mapped[k]);
        if (d.tally !== undefined) countTally(d.tally);
        pendingBytes -= batchBytes.get(nextWrite) ?? 0;
        batchBytes.delete(nextWrite);
        nextWrite++;
        while (waiters.length > 0 && waiters[0].seq < nextWrite) waiters.shift()!.resolve();
        if (paused && pendingBytes <= lowWater) {
          paused = false;
          if (blocked === undefined) for (const l of resumeListeners) l();
        }
      }
    } finally {
      writing = false;
    }
  }

  function reject(peer: Peer, reason: RejectReason, n: number, detail?: string): void {
    stats.received += n;
    stats.receivedByInput[peer.input] = (stats.receivedByInput[peer.input] ?? 0) + n;
    const byInput = (stats.rejected[peer.input] ??= {});
    byInput[reason] = (byInput[reason] ?? 0) + n;
    logReject(`${peer.input}:${reason}`, (suppressed) => {
      log.warn(`input ${peer.input}: refused ${n} message(s) from ${peer.ip}:${peer.port}: ${reason}${detail ? ` (${detail})` : ''}`,
        suppressed > 0 ? { similar_suppressed: suppressed } : {});
    });
  }

  return {
    message(peer, buf, start, end, flag, meta) {
      const len = end - start;
      if (blocked !== undefined && peer.transport === 'udp') {
        reject(peer, 'journal_full', 1, blocked);
        return;
      }
      if (peer.transport === 'udp' && pendingBytes + len > hardLimit) {
        reject(peer, 'pipeline_full', 1, 'the pipeline is behind; raise pipeline.workers or receive_buffer_bytes');
        return;
      }
      stats.received++;
      stats.receivedByInput[peer.input] = (stats.receivedByInput[peer.input] ?? 0) + 1;
      if ((flag & FLAG_TRUNCATED) !== 0) stats.truncatedByInput[peer.input] = (stats.truncatedByInput[peer.input] ?? 0) + 1;
      if (count === MAX_BATCH_MESSAGES || (count > 0 && (arenas.filled() + len > MAX_BATCH_BYTES || !arenas.fits(len)))) seal();
      if (count === 0) firstAt = Date.now();
      arenas.put(buf, start, end);
      pendingBytes += len;
      let slot = peerSlots.get(peer);
      if (slot === undefined) {
        slot = peerSlots.size;
        peers.push(peer.input, peer.transport, peer.ip, peer.port);
        peerSlots.set(peer, slot);
      }
      ends[count] = arenas.filled();
      flags[count] = flag;
      peerIndex[count] = slot;
      if (meta !== undefined) (metas ??= [])[count] = meta;
      count++;
      if (!paused && pendingBytes > highWater) paused = true;
      // Sealing per event-loop turn made UDP batches of a few datagrams (libuv reads a handful per
      // turn) and postMessage per batch cost more than the parsing; a short timer batches them.
      if (sealTimer === undefined) sealTimer = setTimeout(seal, MAX_BATCH_DELAY_MS);
    },
    reject,
    isPaused: () => paused || blocked !== undefined,
    block(reason) {
      const was = blocked;
      blocked = reason;
      if (was === undefined && reason !== undefined) log.warn(`inputs paused: ${reason}`);
      if (was !== undefined && reason === undefined) {
        log.info('inputs resumed: the journal has room again');
        if (!paused) for (const l of resumeListeners) l();
      }
    },
    onResume(listener) { resumeListeners.push(listener); },
    async flush() {
      seal();
      const seq = nextSeq - 1;
      if (seq >= nextWrite) await new Promise<void>((resolve) => waiters.push({ seq, resolve }));
      if (opts.durable) await opts.durable();
    },
    stats: () => stats,
    ready: () => pool.ready(),
    recycle(records) {
      const ab = records.buffer;
      if (!lent.delete(ab) || !(ab instanceof ArrayBuffer)) return;
      pool.recycle(ab);
    },
    async close() {
      seal();
      const seq = nextSeq - 1;
      if (seq >= nextWrite) await new Promise<void>((resolve) => waiters.push({ seq, resolve }));
      await pool.close();
    },
  };
}

/**
 * Adds to `into[key]`; past MAX_KEYS distinct keys, a new key's count goes to `other(key)` instead.
 */
function boundedCounts(into: Record<string, number>, other: (key: string) => string): (key: string, n: number) => void {
  let keys = 0;
  return (key, n) => {
    if (into[key] === undefined) {
      if (keys >= MAX_KEYS) key = other(key);
      else keys++;
    }
    into[key] = (into[key] ?? 0) + n;
  };
}
