import { parseFailed } from '../parse/create-parsed';
import { parseMessage } from '../parse/detect'; // not through the index: a re-export is a getter per call
import type { Parsed, ParseContext } from '../parse';
import { FLAG_JSON, FLAG_TRUNCATED, type Peer, type SenderMeta } from '../inputs/types';
import { emptyFormatCounts, unpackPeers, type DoneBatch, type RawBatch } from './batch';
import { isoTime, toEcs } from './ecs';
import { preparePeer, writeEcs, writerBatchContext, type PreparedPeer, type WriterBatchContext, type WriterEvent } from './ecs-writer';
import { idTimePrefix, nextEventId } from './event-id';
import { commit, finishOutput, outputOffset, putRawJson, reserve, startOutput } from './json-out';
import { BODY_FIXED_BYTES, KEY, writeBodyFixed, writeKey, writeKeyBytes } from '../journal/event-record';
import { RECORD_HEADER_BYTES, sealRecord } from '../journal/record';
import type { MapResult, Mapper, TraceStep } from '../mapping';
import { mergeMapped, spliceable, spliceMapped } from './mapped-doc';
import type { EventFacts, Tallier } from './event-tally';

/** Zone per input name, for timestamps that carry none. */
export type ZoneTable = Record<string, string>;

/**
 * Parse, map and serialize one batch: the per-event path. Runs in a worker (parse-worker.ts),
 * inline when pipeline.workers is 0, and in `siemgate parse`: one code path for all three.
 */
export function processBatch(batch: RawBatch, zones: ZoneTable, mapper?: Mapper, tally?: Tallier): DoneBatch {
  const formats = emptyFormatCounts();
  let mapped: MappedCounts | undefined;
  const data = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
  // Each document is written as bytes straight into the output (json-out.ts): no JS string per
  // document. Unpooled and starting at offset 0, so the worker can transfer its ArrayBuffer.
  startOutput(data.byteLength * (mapper === undefined ? 5 : 8)); // mapped documents are larger
  const ctx: ParseContext = { timezone: 'UTC', now: batch.receivedAt, lazyKv: mapper !== undefined };
  const bctx = batchContext(batch.receivedAt);
  const peers = unpackPeers(batch.peers);
  // the peers' JSON fragments, made on first use (a UDP batch may name many peers, most once)
  const prepared: Array<PreparedPeer | undefined> = new Array(peers.length);
  // one event record, refilled per message (nothing of it outlives writeDocument)
  const ev: MappedEvent = { id: '', peer: undefined as unknown as PreparedPeer, raw: '', rawBytes: data, rawStart: 0, rawEnd: 0, truncated: false, meta: undefined, mapper, mapped: undefined, trace: undefined, senderId: false, ownSource: false, ownNetwork: false, omitFields: false };
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i];
    const pi = batch.peerIndex[i];
    const peer = prepared[pi] ?? (prepared[pi] = preparePeer(peers[pi]));
    ctx.timezone = zones[peer.peer.input] ?? 'UTC';
    ev.raw = data.toString('utf8', start, end);
    ev.rawStart = start;
    ev.rawEnd = end;
    ev.peer = peer;
    ev.meta = batch.metas?.[i];
    const recAt = startRecord();
    const parsed = writeDocument(ev, batch.flags[i], bctx, ctx);
    formats[parsed.format]++;
    const authFailure = ev.mapped !== undefined && countMapped(mapped ??= new Map(), ev.mapped);
    endRecord(recAt, parsed, ev, batch.receivedAt);
    if (tally !== undefined) {
      facts.host = ev.meta?.host ?? parsed.hostname;
      facts.timestamp = parsed.timestamp;
      facts.receivedAt = batch.receivedAt;
      facts.mapped = ev.mapped;
      facts.peerIp = peer.peer.ip;
      facts.appname = parsed.appname;
      facts.authFailure = authFailure;
      facts.unparsed = parseFailed(parsed);
      facts.input = peer.peer.input;
      tally.event(facts);
    }
    start = end;
  }
  const counted = tally?.take();
  return { seq: batch.seq, count: batch.count, out: finishOutput(), formats, ...(mapped !== undefined ? { mapped: flatten(mapped) } : {}), ...(counted !== undefined ? { tally: counted } : {}) };
}

// refilled per event for the tally (no object per event)
const facts: EventFacts = { host: undefined, timestamp: undefined, receivedAt: 0, mapped: undefined, peerIp: '', appname: undefined, authFailure: false, unparsed: false, input: '' };

/**
 * The batch's mapped events by product → category → outcome → action, in nested Maps keyed by the
 * values themselves: four lookups per event instead of a key string built per event; the
 * `product\tcategory\toutcome\taction` keys are made once per batch (flatten).
 */
type MappedCounts = Map<string, Map<unknown, Map<unknown, Map<unknown, { n: number }>>>>;

/** Counts one mapped event; says whether it is a failed login (the tally's count, from the lookups made here). */
function countMapped(into: MappedCounts, m: MapResult): boolean {
  const cv = m.values[m.names.indexOf('event.category')];
  const c = Array.isArray(cv) ? cv[0] : cv;
  const o = m.values[m.names.indexOf('event.outcome')];
  const a = m.values[m.names.indexOf('event.action')];
  let byC = into.get(m.product);
  if (byC === undefined) into.set(m.product, byC = new Map());
  let byO = byC.get(c);
  if (byO === undefined) byC.set(c, byO = new Map());
  let byA = byO.get(o);
  if (byA === undefined) byO.set(o, byA = new Map());
  const e = byA.get(a);
  if (e === undefined) byA.set(a, { n: 1 });
  else e.n++;
  return o === 'failure' && (Array.isArray(cv) ? cv.includes('authentication') : cv === 'authentication');
}

const part = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function flatten(counts: MappedCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, byC] of counts) {
    for (const [c, byO] of byC) {
      for (const [o, byA] of byO) {
        for (const [a, e] of byA) {
          const key = `${p}\t${part(c)}\t${part(o)}\t${part(a).slice(0, 64)}`;
          out[key] = (out[key] ?? 0) + e.n;
        }
      }
    }
  }
  return out;
}

/**
 * The output is journal records (src/journal/event-record.ts): room for the record header and the
 * body's fixed part, the document written in place after it, then the keys, the lengths and the
 * CRC. The worker does the framing and checksumming, so the main thread only appends bytes.
 */
function startRecord(): number {
  const at = outputOffset();
  reserve(RECORD_HEADER_BYTES + BODY_FIXED_BYTES);
  commit(at + RECORD_HEADER_BYTES + BODY_FIXED_BYTES);
  return at;
}

const KEYS_ROOM = Object.keys(KEY).length * 257; // one per KEY (journal/event-record.ts), each at most 2 + 255 bytes
const TIME_PREFIX = 15; // {"@timestamp":"

// A peer's input and address keys, encoded once per peer (cached on its prepared fragments).
const PEER_KEYS = Symbol('peerKeys');
function peerKeys(pp: PreparedPeer): Buffer {
  const cached = (pp as PreparedPeer & { [PEER_KEYS]?: Buffer })[PEER_KEYS];
  if (cached !== undefined) return cached;
  const tmp = Buffer.alloc(2 * 257);
  let k = writeKey(tmp, 0, KEY.input, pp.peer.input);
  if (pp.peer.ip !== '') k = writeKey(tmp, k, KEY.sourceIp, pp.peer.ip);
  const keys = Buffer.from(tmp.subarray(0, k));
  (pp as PreparedPeer & { [PEER_KEYS]?: Buffer })[PEER_KEYS] = keys;
  return keys;
}

/** Small copies in a loop: a native copy costs more than the bytes below a few dozen. */
function copyBytes(b: Buffer, k: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 48) {
    b.set(src, k);
    return k + n;
  }
  for (let i = 0; i < n; i++) b[k + i] = src[i];
  return k + n;
}

/** A key whose value is usually short ASCII (host names, sourcetypes, datasets): written in a
 *  loop, else encoded (Buffer.write is a native call: ~0.07 µs per key, 4 keys per mapped event). */
function writeShortKey(b: Buffer, k: number, id: number, value: string): number {
  const n = value.length;
  if (n > 64) return writeKey(b, k, id, value);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return writeKey(b, k, id, value);
    b[k + 2 + i] = c;
  }
  b[k] = id;
  b[k + 1] = n;
  return k + 2 + n;
}

/** A message on its way through writeDocument, with what the mapping made of it. */
interface MappedEvent extends WriterEvent {
  mapper: Mapper | undefined;
  mapped: MapResult | undefined;
  /** `siemgate parse --explain`: the steps are recorded here. */
  trace: TraceStep[] | undefined;
  /** The document's event.id is the sender's (an application's JSON event): ours goes in a key. */
  senderId: boolean;
}

function endRecord(recAt: number, p: Parsed, ev: MappedEvent, receivedAt: number): void {
  const docEnd = outputOffset();
  const b = reserve(KEYS_ROOM);
  const bodyAt = recAt + RECORD_HEADER_BYTES;
  const docAt = bodyAt + BODY_FIXED_BYTES;
  writeBodyFixed(b, bodyAt, p.format, ev.truncated, receivedAt);
  b.writeUInt32LE(docEnd - docAt, bodyAt + 12);
  let k = docEnd;
  // every document starts with its @timestamp (ecs-writer.ts and toEcs both put it first)
  if (b[docAt + 2] === 64 /* @ */) {
    const q = b.indexOf(34, docAt + TIME_PREFIX);
    if (q > 0 && q < docEnd) k = writeKeyBytes(b, k, KEY.time, docAt + TIME_PREFIX, q);
  }
  const meta = ev.meta;
  const host = meta?.host ?? p.hostname;
  if (host !== undefined) k = writeShortKey(b, k, KEY.host, host);
  k = copyBytes(b, k, peerKeys(ev.peer));
  const m = ev.mapped;
  const sourcetype = meta?.sourcetype ?? m?.sourcetype;
  if (sourcetype !== undefined) k = writeShortKey(b, k, KEY.sourcetype, sourcetype);
  const index = meta?.index ?? m?.index;
  if (index !== undefined) k = writeShortKey(b, k, KEY.index, index);
  // a HEC sender's `source` (a file path, a script name): what Splunk destinations send on
  if (meta?.source !== undefined) k = writeShortKey(b, k, KEY.source, meta.source);
  // Elasticsearch data stream: siemgate.<product>, not Elastic's own integration's dataset (whose
  // ingest pipeline would parse our documents a second time); event.dataset keeps Elastic's name
  if (m !== undefined) k = writeShortKey(b, k, KEY.dataset, m.streamDataset);
  if (ev.senderId) k = writeShortKey(b, k, KEY.gatewayId, ev.id);
  commit(k);
  sealRecord(b, recAt, k - bodyAt);
}

export interface BatchContext extends WriterBatchContext {
  receivedAt: number;
  idPrefix: string;
}

export function batchContext(receivedAt: number): BatchContext {
  const created = isoTime(receivedAt, undefined);
  return { ...writerBatchContext(created), receivedAt, idPrefix: idTimePrefix(receivedAt) };
}

/** One message's ECS document, written to the current output (json-out.ts); gives what was parsed. */
function writeDocument(ev: MappedEvent, flags: number, b: BatchContext, ctx: ParseContext): Parsed {
  const raw = ev.raw;
  ev.id = nextEventId(b.idPrefix);
  ev.truncated = (flags & FLAG_TRUNCATED) !== 0;
  ev.mapped = undefined;
  ev.senderId = false;
  if ((flags & FLAG_JSON) !== 0) {
    const appJson = parseObject(raw);
    if (appJson) {
      const parsed: Parsed = { format: 'json', header: 'none', message: typeof appJson.message === 'string' ? appJson.message : raw };
      const doc = toEcs(parsed, { id: ev.id, receivedAt: b.receivedAt, peer: ev.peer.peer, raw, truncated: ev.truncated, meta: ev.meta, appJson });
      ev.senderId = (doc.event as { id?: unknown }).id !== ev.id;
      putRawJson(JSON.stringify(doc));
      return parsed;
    }
  }
  ctx.plainText = ev.meta !== undefined; // a HEC sender's text event: plain text is expected, not a failure
  const parsed = parseMessage(raw, ctx);
  const mapper = ev.mapper;
  if (mapper !== undefined) {
    const peer = ev.peer.peer;
    const m = mapper.map({ parsed, raw, input: peer.input, peerIp: peer.ip, timezone: ctx.timezone, now: b.receivedAt }, ev.trace);
    if (m !== undefined) {
      ev.mapped = m;
      const own = spliceable(m, parsed);
      if (own !== undefined) {
        const docAt = outputOffset();
        ev.ownSource = own.ownSource;
        ev.ownNetwork = own.ownNetwork;
        ev.omitFields = !m.keepParsedFields;
        writeEcs(parsed, b, ev);
        ev.ownSource = false;
        ev.ownNetwork = false;
        ev.omitFields = false;
        spliceMapped(docAt, m, own);
        return parsed;
      }
      const doc = toEcs(parsed, { id: ev.id, receivedAt: b.receivedAt, peer, raw, truncated: ev.truncated, meta: ev.meta });
      mergeMapped(doc, m);
      putRawJson(JSON.stringify(doc));
      return parsed;
    }
  }
  writeEcs(parsed, b, ev);
  return parsed;
}

/** One message to its serialized ECS document, as a string (`siemgate parse`). */
export function processOne(raw: string, flags: number, peer: Peer, meta: SenderMeta | undefined,
  b: BatchContext, ctx: ParseContext, mapper?: Mapper, trace?: TraceStep[]): { format: Parsed['format']; line: string; mapped?: MapResult } {
  startOutput(raw.length * 5);
  const ev: MappedEvent = { id: '', peer: preparePeer(peer), raw, rawBytes: undefined, rawStart: 0, rawEnd: 0, truncated: false, meta, mapper, mapped: undefined, trace, senderId: false, ownSource: false, ownNetwork: false, omitFields: false };
  const { format } = writeDocument(ev, flags, b, mapper === undefined ? ctx : { ...ctx, lazyKv: true }); // as processBatch
  return { format, line: finishOutput().toString('utf8'), mapped: ev.mapped };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // the input already checked it; a non-object falls back to text parsing
  }
}
