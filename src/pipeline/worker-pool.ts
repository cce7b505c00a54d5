import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { E } from '../errors';
import { log } from '../observe/log';
import type { DoneBatch, RawBatch } from './batch';
import { processBatch, type ZoneTable } from './process-batch';
import { createMapper, type MapperOptions } from '../mapping';
import { createTallier, type ThresholdSpec } from './event-tally';
import { giveOutputBuffer } from './json-out';
import { createBufferPool, roundUp } from '../buffer-pool';

/** Runs processBatch on worker threads; results come back through `onDone` in any order. */
export interface WorkerPool {
  /**
   * Resolves once every worker has compiled its mappings and can take batches (the number that
   * said so; a worker that failed to start is not waited for: its batches run here).
   */
  ready(): Promise<number>;
  submit(batch: RawBatch): void;
  /** An output buffer (DoneBatch.out's ArrayBuffer) nothing reads any more, to be written again. */
  recycle(ab: ArrayBuffer): void;
  close(): Promise<void>;
}

// Buffers that carried batches to a worker and came back, in 64 KiB steps
const copies = createBufferPool(8, roundUp(64 * 1024));

/** The message that gives a worker an output buffer back (json-out.ts, giveOutputBuffer). */
export interface RecycledOutput {
  recycle: ArrayBuffer;
}

/** A worker's first message: its mappings are compiled, it takes batches now. */
export interface WorkerReady {
  ready: true;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, RawBatch>;
}

/**
 * The worker file is the compiled one in dist/ (tests run from TypeScript sources through ts-jest,
 * which worker_threads cannot load).
 */
function workerFile(): string {
  const here = __filename.endsWith('.ts')
    ? resolve(__dirname, '../../dist/src/pipeline')
    : __dirname;
  return resolve(here, 'parse-worker.js');
}

/**
 * A parse worker's heap is ~10 MB, most of it the compiled mappings, and V8 sizes its limits from
 * that: under load, with mappings on, each worker ran a full collection every 150-250 ms (concurrent
 * marking on the helper threads, a pause, sweeping), 14-23 per 600k events. When the embedder sets
 * an initial old-generation size, V8 takes it as a floor below which it skips full collections
 * (Heap::ConfigureHeap; the global limit, which counts the worker's ArrayBuffers too, gets a floor
 * from it as well: 32 MB still left 12-19). Node gives Worker no such option (resourceLimits has
 * maxima only), so the V8 flag is set before the workers are made: it is read when an isolate is
 * created, so it applies to them, not to the main thread, whose heap already exists. Measured, TCP
 * -> file with mappings, 600k events: 0-1 full collections per worker, CPU per event 14.4-15.5 ->
 * 13.4-13.9 µs, peak RSS no higher (294-311 vs 298-327 MB).
 */
const WORKER_HEAP_FLOOR_MB = 64;

function floorWorkerHeaps(): void {
  try { // setting it again (a second pool) changes nothing
    setFlagsFromString(`--initial-old-space-size=${WORKER_HEAP_FLOOR_MB}`);
  } catch {
    // a runtime that freezes V8 flags: the workers run with V8's own limits, a little slower
  }
}

/** What every parse worker starts with. */
export interface WorkerSetup {
  zones: ZoneTable;
  /** undefined: no mappings. */
  mapping: MapperOptions | undefined;
  /** The threshold alerts' filters, counted per event. */
  thresholds: ThresholdSpec[];
}

/**
 * `mapping` undefined: no mappings (the documents say only what the wire format says). Each worker
 * compiles the mappings itself (compiled functions cannot be sent to it); the main thread compiles
 * them too, for the inline path and the batches of a worker that died.
 */
export function createWorkerPool(size: number, setup: WorkerSetup, onDone: (done: DoneBatch) => void): WorkerPool {
  const { zones, mapping, thresholds } = setup;
  const mapper = mapping === undefined ? undefined : createMapper(mapping);
  const tally = createTallier(thresholds);
  // the workers compile what this thread read: no YAML parsed three times
  const forWorkers: MapperOptions | undefined = mapper === undefined ? undefined : { assign: mapping?.assign, prepared: mapper.prepared };
  if (size === 0) {
    // Inline: still asynchronous, so callers see the same ordering contract as with workers.
    return {
      ready: () => Promise.resolve(0),
      submit(batch) { setImmediate(() => onDone(processBatch(batch, zones, mapper, tally))); },
      recycle(ab) { giveOutputBuffer(ab); },
      async close() { /* nothing to stop */ },
    };
  }
  floorWorkerHeaps();
  let closing = false;
  const slots: Slot[] = [];
  /** Spawns worker `index`; the promise says whether it became ready (true) or exited first. */
  const spawn = (index: number): Promise<boolean> => {
    const worker = new Worker(workerFile(), { workerData: { zones, mapping: forWorkers, thresholds } satisfies WorkerSetup });
    const slot: Slot = { worker, inFlight: new Map() };
    slots[index] = slot;
    let started: (ok: boolean) => void = () => undefined;
    const start = new Promise<boolean>((res) => { started = res; }); // settles once: ready or exit, whichever comes first
    worker.on('message', (done: DoneBatch | WorkerReady) => {
      if ('ready' in done) {
        started(true);
        return;
      }
      slot.inFlight.delete(done.seq);
      if (done.input !== undefined) {
        copies.give(done.input);
        done.input = undefined;
      }
      onDone(done);
    });
    worker.on('error', (err) => {
      log.error(E.PIPELINE_WORKER(err.message).message, { code: E.PIPELINE_WORKER.code });
    });
    worker.on('exit', (code) => {
      started(false);
      if (closing) return;
      // A batch is never lost with its worker: it was copied to the worker, so the original is still here.
      const orphans = [...slot.inFlight.values()];
      log.error(E.PIPELINE_WORKER(`exit code ${code}`).message, { code: E.PIPELINE_WORKER.code, batches: orphans.length });
      void spawn(index);
      for (const batch of orphans) onDone(processBatch(batch, zones, mapper, tally));
    });
    return start;
  };
  // the first workers' starts (a respawned worker's is not waited for: its batches keep running)
  const starts: Array<Promise<boolean>> = [];
  for (let i = 0; i < size; i++) starts.push(spawn(i));
  const allStarted = Promise.all(starts).then((oks) => oks.filter(Boolean).length);
  let nextRecycle = 0;
  return {
    ready: () => allStarted,
    submit(batch) {
      let best = slots[0];
      for (const s of slots) if (s.inFlight.size < best.inFlight.size) best = s;
      best.inFlight.set(batch.seq, batch);
      // The worker gets a copy of just the batch's bytes, transferred (postMessage would clone the
      // whole arena behind the view, twice: out and in). The original stays here, to redo the
      // batch if the worker dies. The copy's buffer comes back with the answer, to carry another
      // batch: a new one per batch was garbage to the worker's collector, ~20 MB held per worker.
      const data = new Uint8Array(copies.take(batch.data.byteLength), 0, batch.data.byteLength);
      data.set(batch.data);
      best.worker.postMessage({ ...batch, data }, [data.buffer as ArrayBuffer]);
    },
    recycle(ab) {
      // round robin: each worker's spares fill alike
      const slot = slots[nextRecycle++ % slots.length];
      slot.worker.postMessage({ recycle: ab } satisfies RecycledOutput, [ab]);
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
