import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { RawBatch } from './batch';
import { processBatch } from './process-batch';
import { createMapper } from '../mapping';
import { createTallier } from './event-tally';
import type { RecycledOutput, WorkerSetup } from './worker-pool';
import { giveOutputBuffer } from './json-out';

/** Worker entry: batches in, serialized documents out (the output buffer is transferred, not copied). */
const setup = workerData as WorkerSetup;
const zones = setup.zones;
const tally = createTallier(setup.thresholds);
// compiled here once: the main thread already loaded the same files, so this does not fail
const mapper = setup.mapping === undefined ? undefined : createMapper(setup.mapping);
// the plain copies of the mapping files are compiled now: let them go
setup.mapping = undefined;
lowerThisThreadsPriority();

/**
 * Parsing can wait a moment; draining the sockets cannot (a UDP datagram the kernel has no room
 * for is lost). On Linux, setpriority() on a thread id affects that thread only, so the workers
 * run at a lower priority than the socket thread when the cores are busy. Elsewhere: a no-op.
 */
const WORKER_NICE = 10;

function lowerThisThreadsPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    // nice 10, not 5: UDP at 100k/s lost 0, 1.25, 1.13, 1.48, 0.73, 0.43 % at 5 and
    // 0, 0, 0, 0, 0, 0.07 % at 10 (runs interleaved, 2026-11-24); TCP, which waits, ran 0-8 % slower
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
  } catch {
    // not Linux, or not permitted: the default priority is correct, only less favourable under load
  }
}
parentPort!.on('message', (m: RawBatch | RecycledOutput) => {
  if ('recycle' in m) {
    giveOutputBuffer(m.recycle);
    return;
  }
  const done = processBatch(m, zones, mapper, tally);
  // processBatch's output owns its (unpooled) ArrayBuffer: transferred, not copied.
  parentPort!.postMessage(done, [done.out.buffer as ArrayBuffer]);
});
