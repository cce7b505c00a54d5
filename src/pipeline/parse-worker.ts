import { parentPort, workerData } from 'node:worker_threads';
import type { RawBatch } from './batch';
import { processBatch, type ZoneTable } from './process-batch';

/** Worker entry: batches in, serialized documents out (the output buffer is transferred, not copied). */
const zones = (workerData as { zones: ZoneTable }).zones;
parentPort!.on('message', (batch: RawBatch) => {
  const done = processBatch(batch, zones);
  const out = done.out;
  // A fresh, unpooled copy so its ArrayBuffer can be transferred whole.
  const transferable = new Uint8Array(out.byteLength);
  transferable.set(out);
  parentPort!.postMessage({ ...done, out: transferable }, [transferable.buffer]);
});
