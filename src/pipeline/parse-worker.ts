import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { RawBatch } from './batch';
import { processBatch } from './process-batch';
import { createMapper } from '../mapping';
import { createTallier } from './event-tally';
import type { RecycledOutput, WorkerReady, WorkerSetup } from './worker-pool';
import { giveOutputBuffer } from './json-out';

/** Worker entry: batches in, serialized documents out (the output buffer is transferred, not copied). */
lowerThisThreadsPriority(); // first: compiling the mappings below already competes with the sockets
const setup = workerData as WorkerSetup;
const zones = setup.zones;
const tally = createTallier(setup.thresholds);
// compiled here once: the main thread already loaded the same files, so this does not fail
const mapper = setup.mapping === undefined ? undefined : createMapper(setup.mapping);
// the plain copies of the mapping files are compiled now: let them go
setup.mapping = undefined;
// the main thread opens the inputs once every worker can take batches
parentPort!.postMessage({ ready: true } satisfies WorkerReady);

/**
 * Parsing can wait a moment; draining the sockets cannot (a UDP datagram the kernel has no room
 * for is lost). On Linux, setpriority() on a thread id affects that thread only, so the workers
 * run at a lower priority than the socket thread when the cores are busy. Elsewhere: a no-op.
 * Nice 10, not 5: UDP at 100k datagrams/s lost 0-2 % at 5 and 0-0.07 % at 10 (bench:ingest's UDP
 * case, runs interleaved, 2026-11-24); TCP, which has backpressure, ran 0-8 % slower.
 */
function lowerThisThreadsPriority(): void {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return; // not Linux: the default priority is correct, only less favourable under load
  }
  if (!Number.isInteger(tid) || tid <= 0) return;
  try {
    setPriority(tid, 10);
  } catch {
    // not permitted (a container may forbid it): as above
  }
}
parentPort!.on('message', (m: RawBatch | RecycledOutput) => {
  if ('recycle' in m) {
    giveOutputBuffer(m.recycle);
    return;
  }
  const done = processBatch(m, zones, mapper, tally);
  // processBatch's output owns its ArrayBuffer: transferred, not copied. The batch's bytes are
  // parsed (nothing keeps a view of them): their buffer goes back too, to carry another batch.
  const input = m.data.buffer as ArrayBuffer;
  done.input = input;
  parentPort!.postMessage(done, [done.out.buffer as ArrayBuffer, input]);
});
