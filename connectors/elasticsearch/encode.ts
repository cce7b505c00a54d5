import type { ElasticsearchDestinationConfig } from '../../src/config/types';
import { keyOf, type JournalEvent } from '../../src/journal/event-record';
// the functions from their own module: a call through the package index's re-export is a getter call
import { memberAt, scanValueEnd, skipSpace, stringEnd } from '../../src/parse/json-scan';
import type { Format } from '../../src/parse';
import { createSlabs } from '../shared/slabs';

/**
 * One event as two `_bulk` lines (protocols.md §5.1): `{"create":{"_index":…,"_id":…}}\n` and the
 * ECS document with `data_stream` spliced in, `\n`. A batch is these back to back, so the body
 * ends with the `\n` that _bulk requires after the last line.
 *
 * Action `create` always: data streams accept nothing else (§5.1, [S46]), and with a deterministic
 * `_id` a replay after a crash answers 409 instead of indexing the event twice (design.md, Delivery).
 *
 * Per event: no JSON.parse / stringify. The action-line head and the `data_stream` object are
 * bytes built once per data stream (style.md §3); `event.id` is found by skipping over the few
 * top-level members before it, not by parsing the document.
 */

/**
 * The dataset of events nobody classified. Elastic's own integrations own the plain names
 * (`system.syslog`, `cef.log`, `tcp.generic`: elastic/integrations packages/system/data_stream/syslog,
 * packages/cef/data_stream/log), and their index templates run a default ingest pipeline that parses
 * `message` again (grok for system.syslog, the CEF decoder for cef.log). Our documents are parsed
 * already, so they go under our own prefix and never land in an integration's stream by accident;
 * `generic` is ECS's word for data without a dataset (ECS data_stream.dataset description).
 */
export const DEFAULT_DATASET: Readonly<Record<Format, string>> = {
  rfc5424: 'siemgate.syslog', rfc3164: 'siemgate.syslog', kv: 'siemgate.syslog', unknown: 'siemgate.syslog',
  cef: 'siemgate.cef', leef: 'siemgate.leef', json: 'siemgate.generic',
};

// eslint-disable-next-line no-control-regex
const NOT_IN_NAME = /[\\/*?"<>| ,#:\-\u0000-\u001f\u007f]/g;

/** ECS data_stream.dataset / .namespace: "No longer than 100 characters" (measured here in bytes, the stricter). */
const PART_MAX_BYTES = 100;

/**
 * A dataset or namespace as a data stream name accepts it: lowercase; none of `\ / * ? " < > |`,
 * space, `,`, `#` (index name rules, ECS data_stream fields), `:` (no longer allowed in index
 * names since 7.0) or `-` (it separates type, dataset and namespace); control characters are
 * replaced too, since they only cause trouble in a name. Each is replaced by `_`. Undefined when
 * nothing is left.
 */
export function sanitizeDataStreamPart(value: string): string | undefined {
  let s = value.toLowerCase().replace(NOT_IN_NAME, '_');
  if (Buffer.byteLength(s) > PART_MAX_BYTES) {
    const b = Buffer.from(s).subarray(0, PART_MAX_BYTES);
    let end = b.length; // back off to the start of a UTF-8 sequence cut in two
    let k = end - 1;
    while (k > 0 && (b[k] & 0xc0) === 0x80) k--;
    const lead = b[k];
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (k + need > end) end = k;
    s = b.subarray(0, end).toString('utf8');
  }
  return s === '' ? undefined : s;
}

/** A data_stream member an application's event gave, as a valid name part (anything but a string: none). */
function streamPart(x: unknown): string | undefined {
  return typeof x === 'string' ? sanitizeDataStreamPart(x) : undefined;
}

interface Stream {
  /** `logs-<dataset>-<namespace>` */
  name: string;
  /** `{"create":{"_index":"logs-…"`, then `,"_id":` (an event with an id) or `}}\n` (one without). */
  headId: Buffer;
  headNoId: Buffer;
  /** `}}\n{"data_stream":{"type":"logs","dataset":…,"namespace":…},`: the action's end and the document's spliced start. */
  tail: Buffer;
  /** `"data_stream":{…}`, for a document that is `{}`. */
  field: Buffer;
}

export interface BulkEncoder {
  encode(ev: JournalEvent): Buffer;
  /** Encodings (each once) that nothing sends again: their slab's memory may be written over. */
  release(encoded: readonly Buffer[]): void;
  /** The data stream an event is sent to (for messages; same cache as encode). */
  dataStreamOf(ev: JournalEvent): string;
}

const ACTION_END = Buffer.from('}}\n');
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const KEY_EVENT = Buffer.from('"event"');
const KEY_ID = Buffer.from('"id"');
const KEY_DATA_STREAM = Buffer.from('"data_stream"');
const DATA_STREAM_TYPES = new Set(['logs', 'metrics', 'traces', 'synthetics']);
/** Elasticsearch refuses a longer `_id` for the whole request (400 action_request_validation_exception). */
const ID_MAX_BYTES = 512;
/** Datasets come from classification, a small set; the bound only stops a runaway from growing the cache. */
const MAX_STREAMS = 1024;
/*
 * Encoded events are views into slabs (../shared/slabs.ts): a Buffer of its own per event cost
 * ~300 ns (Node's 8 KiB pool refills every few events). Measured on this machine kind (2 shared
 * cores, noisy; min of runs, an 811-byte syslog document): a Buffer per event and native copies
 * 1.4 µs, slabs and short parts copied in JS 0.9–1.2 µs. Slabs are 4 MiB (the default
 * batch.max_bytes) so that most batches lie in one slab and go out without a copy (index.ts);
 * with 1 MiB slabs every 1,000-event batch crossed one and was copied.
 */

/** Parts up to this long are copied in JS: a native Buffer#copy has ~100 ns of call overhead here, a JS byte ~2 ns. */
const SHORT_COPY = 32;

function put(out: Buffer, o: number, src: Buffer, from: number, to: number): number {
  if (to - from > SHORT_COPY) return o + src.copy(out, o, from, to);
  for (let k = from; k < to; k++) out[o++] = src[k];
  return o;
}

export function createBulkEncoder(cfg: ElasticsearchDestinationConfig): BulkEncoder {
  const namespace = sanitizeDataStreamPart(cfg.namespace) ?? 'default';
  const fallback = cfg.dataset === undefined ? undefined : sanitizeDataStreamPart(cfg.dataset);
  const streams = new Map<string, Stream>();
  const slabs = createSlabs();

  function streamOf(ev: JournalEvent): Stream {
    const key = keyOf(ev, 'dataset') ?? fallback ?? DEFAULT_DATASET[ev.format] ?? DEFAULT_DATASET.unknown;
    let s = streams.get(key);
    if (s === undefined) {
      if (streams.size >= MAX_STREAMS) streams.clear();
      const dataset = sanitizeDataStreamPart(key) ?? fallback ?? DEFAULT_DATASET[ev.format] ?? DEFAULT_DATASET.unknown;
      const name = `logs-${dataset}-${namespace}`;
      const head = `{"create":{"_index":${JSON.stringify(name)}`;
      const field = `"data_stream":{"type":"logs","dataset":${JSON.stringify(dataset)},"namespace":${JSON.stringify(namespace)}}`;
      s = {
        name,
        headId: Buffer.from(`${head},"_id":`),
        headNoId: Buffer.from(`${head}}}\n`),
        tail: Buffer.from(`}}\n{${field},`),
        field: Buffer.from(field),
      };
      streams.set(key, s);
    }
    return s;
  }

  /**
   * An application's JSON event that names its own data_stream goes to that stream: its
   * data_stream.* are constant_keyword fields, so in ours it would be refused, or, as the stream's
   * first document, fix values that then refuse every document of ours. Missing parts are ours
   * (type logs); each part is made a valid name part. undefined: the document names none (at).
   */
  function ownStreamOf(ev: JournalEvent, at: number): Stream {
    const doc = ev.doc;
    let given: Record<string, unknown> = {};
    try {
      const v = JSON.parse(doc.toString('utf8', at, scanValueEnd(doc, at, doc.length))) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) given = v as Record<string, unknown>;
    } catch { /* not an object we can read: our stream, with the document as it is */ }
    // the types Elasticsearch's built-in templates make data streams of; another would become a
    // plain index (no template matches it), so it is taken as logs
    const asked = streamPart(given.type);
    const type = asked !== undefined && DATA_STREAM_TYPES.has(asked) ? asked : 'logs';
    const dataset = streamPart(given.dataset) ?? fallback ?? DEFAULT_DATASET.json;
    const ns = streamPart(given.namespace) ?? namespace;
    const name = `${type}-${dataset}-${ns}`;
    const key = `\u0000${name}`; // not a dataset key of streamOf's: those are names from the pipeline
    let s = streams.get(key);
    if (s === undefined) {
      if (streams.size >= MAX_STREAMS) streams.clear();
      const head = `{"create":{"_index":${JSON.stringify(name)}`;
      s = { name, headId: Buffer.from(`${head},"_id":`), headNoId: Buffer.from(`${head}}}\n`), tail: ACTION_END, field: Buffer.alloc(0) };
      streams.set(key, s);
    }
    return s;
  }

  /** Where an application's JSON event has its own data_stream member, else -1. */
  function ownDataStreamAt(ev: JournalEvent): number {
    return ev.format === 'json' && ev.doc[0] === LBRACE ? memberAt(ev.doc, 0, KEY_DATA_STREAM) : -1;
  }

  return {
    dataStreamOf(ev) {
      const own = ownDataStreamAt(ev);
      return (own >= 0 ? ownStreamOf(ev, own) : streamOf(ev)).name;
    },
    release: (encoded) => slabs.release(encoded),
    encode(ev) {
      const ownAt = ownDataStreamAt(ev);
      const s = ownAt >= 0 ? ownStreamOf(ev, ownAt) : streamOf(ev);
      const doc = ev.doc;
      // an application's JSON event may bring its own event.id (not unique: a Windows event code,
      // say); the journal then holds ours apart, and the _id must be ours, or a 409 on the second
      // event with the same id would count it delivered while nothing indexed it
      const own = ev.format === 'json' ? keyOf(ev, 'gatewayId') : undefined;
      const idSrc = own === undefined ? doc : Buffer.from(JSON.stringify(own));
      const id: [number, number] | undefined = own === undefined ? eventIdToken(doc) : [0, idSrc.length];
      // Only documents that arrived as JSON objects choose their own top-level keys; the ECS
      // writer never writes data_stream. A document's own data_stream is left as it is, and the
      // event goes to the stream it names (ownStreamOf).
      const splice = doc[0] === LBRACE && ownAt < 0;
      const empty = splice && doc[skipSpace(doc, 1)] === RBRACE;
      const head = id === undefined ? s.headNoId : s.headId;
      const end = id === undefined ? 0 : ACTION_END.length; // headNoId ends the action line itself
      const mid = !splice ? end : empty ? end + 1 + s.field.length : s.tail.length - ACTION_END.length + end;
      const size = head.length + (id === undefined ? 0 : id[1] - id[0]) + mid + doc.length - (splice ? 1 : 0) + 1;
      const out = slabs.room(size);
      let o = put(out, 0, head, 0, head.length);
      if (id !== undefined) o = put(out, o, idSrc, id[0], id[1]); // an escaped JSON string already: copied, quotes and all
      if (!splice) {
        if (id !== undefined) o = put(out, o, ACTION_END, 0, ACTION_END.length);
        o += doc.copy(out, o);
      } else if (empty) {
        if (id !== undefined) o = put(out, o, ACTION_END, 0, ACTION_END.length);
        out[o++] = LBRACE;
        o = put(out, o, s.field, 0, s.field.length);
        o += doc.copy(out, o, 1);
      } else {
        o = put(out, o, s.tail, ACTION_END.length - end, s.tail.length);
        o += doc.copy(out, o, 1);
      }
      out[o++] = NEWLINE;
      return out;
    },
  };
}

/**
 * The `event.id` string of a document as [start, end) of its JSON token (quotes included), or
 * undefined. The pipeline writes a UUIDv7 there once, at parse time, and the journal keeps it, so
 * it is the same on every replay: the `_id` that makes a resend answer 409. A document without a
 * usable one (absent, not a string, empty, or over 512 bytes as written, escapes counted) gets no `_id`: Elasticsearch makes
 * one up, and such an event is indexed again if its batch is resent after a crash (not deduplicated).
 */
export function eventIdToken(doc: Buffer): [number, number] | undefined {
  if (doc[0] !== LBRACE) return undefined;
  const ev = memberAt(doc, 0, KEY_EVENT);
  if (ev < 0 || doc[ev] !== LBRACE) return undefined;
  const v = memberAt(doc, ev, KEY_ID);
  if (v < 0 || doc[v] !== QUOTE) return undefined;
  const end = stringEnd(doc, v);
  if (end < 0 || end - v <= 2 || end - v - 2 > ID_MAX_BYTES) return undefined;
  return [v, end];
}
