import { parseMessage, type Parsed, type ParseContext } from '../parse';
import { FLAG_JSON, FLAG_TRUNCATED, type Peer, type SenderMeta } from '../inputs/types';
import { emptyFormatCounts, type DoneBatch, type RawBatch } from './batch';
import { toEcs } from './ecs';
import { nextEventId } from './event-id';

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
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i];
    const raw = data.toString('utf8', start, end);
    start = end;
    const peer = batch.peers[batch.peerIndex[i]];
    ctx.timezone = zones[peer.input] ?? 'UTC';
    const doc = processOne(raw, batch.flags[i], peer, batch.metas?.[i], batch.receivedAt, ctx);
    formats[doc.format]++;
    lines[i] = doc.line;
  }
  const out = Buffer.from(lines.length > 0 ? lines.join('\n') + '\n' : '', 'utf8');
  return { seq: batch.seq, count: batch.count, out, formats };
}

/** One message to its serialized ECS document. */
export function processOne(raw: string, flags: number, peer: Peer, meta: SenderMeta | undefined,
  receivedAt: number, ctx: ParseContext): { format: Parsed['format']; line: string } {
  let parsed: Parsed | undefined;
  let appJson: Record<string, unknown> | undefined;
  if ((flags & FLAG_JSON) !== 0) {
    appJson = parseObject(raw);
    if (appJson) {
      parsed = { format: 'json', header: 'none', message: typeof appJson.message === 'string' ? appJson.message : raw };
    }
  }
  parsed ??= parseMessage(raw, ctx);
  const doc = toEcs(parsed, {
    id: nextEventId(receivedAt), receivedAt, peer, raw, truncated: (flags & FLAG_TRUNCATED) !== 0, meta, appJson,
  });
  return { format: parsed.format, line: JSON.stringify(doc) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // the input already checked it; a non-object falls back to text parsing
  }
}
