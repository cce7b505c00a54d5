import { parseMessage, type Parsed, type ParseContext } from '../parse';
import { FLAG_JSON, FLAG_TRUNCATED, type Peer, type SenderMeta } from '../inputs/types';
import { emptyFormatCounts, unpackPeers, type DoneBatch, type RawBatch } from './batch';
import { isoTime, toEcs } from './ecs';
import { writeEcs, type WriterBatchContext } from './ecs-writer';
import { idTimePrefix, nextEventId } from './event-id';

/** Zone per input name, for timestamps that carry none. */
export type ZoneTable = Record<string, string>;

/**
 * Parse, map and serialize one batch: the per-event path. Runs in a worker (parse-worker.ts),
 * inline when pipeline.workers is 0, and in `siemgate parse`: one code path for all three.
 */
export function processBatch(batch: RawBatch, zones: ZoneTable): DoneBatch {
  const formats = emptyFormatCounts();
  const data = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
  const lines: string[] = new Array(batch.count);
  const ctx: ParseContext = { timezone: 'UTC', now: batch.receivedAt };
  const bctx = batchContext(batch.receivedAt);
  const peers = unpackPeers(batch.peers);
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i];
    const raw = data.toString('utf8', start, end);
    start = end;
    const peer = peers[batch.peerIndex[i]];
    ctx.timezone = zones[peer.input] ?? 'UTC';
    const doc = processOne(raw, batch.flags[i], peer, batch.metas?.[i], bctx, ctx);
    formats[doc.format]++;
    lines[i] = doc.line;
  }
  const out = Buffer.from(lines.length > 0 ? lines.join('\n') + '\n' : '', 'utf8');
  return { seq: batch.seq, count: batch.count, out, formats };
}

export interface BatchContext extends WriterBatchContext {
  receivedAt: number;
  idPrefix: string;
}

export function batchContext(receivedAt: number): BatchContext {
  return { receivedAt, created: isoTime(receivedAt, undefined), idPrefix: idTimePrefix(receivedAt) };
}

/** One message to its serialized ECS document. */
export function processOne(raw: string, flags: number, peer: Peer, meta: SenderMeta | undefined,
  b: BatchContext, ctx: ParseContext): { format: Parsed['format']; line: string } {
  const id = nextEventId(b.idPrefix);
  const truncated = (flags & FLAG_TRUNCATED) !== 0;
  if ((flags & FLAG_JSON) !== 0) {
    const appJson = parseObject(raw);
    if (appJson) {
      const parsed: Parsed = { format: 'json', header: 'none', message: typeof appJson.message === 'string' ? appJson.message : raw };
      const doc = toEcs(parsed, { id, receivedAt: b.receivedAt, peer, raw, truncated, meta, appJson });
      return { format: 'json', line: JSON.stringify(doc) };
    }
  }
  const parsed = parseMessage(raw, ctx);
  return { format: parsed.format, line: writeEcs(parsed, b, { id, peer, raw, truncated, meta }) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // the input already checked it; a non-object falls back to text parsing
  }
}
