export { createIngest, type Ingest, type IngestStats, type BatchOutput } from './ingest';
export { batchContext, processBatch, processOne, type ZoneTable } from './process-batch';
export { toEcs, ECS_VERSION } from './ecs';
export type { RawBatch, DoneBatch } from './batch';
