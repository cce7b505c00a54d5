import type { Format } from '../parse';
import { RECORD_HEADER_BYTES, sealRecord } from './record';

/**
 * The body of an event record: the finished ECS document as JSON bytes, behind a small binary
 * header with the keys a destination routes and frames by (time, host, input, sourcetype, index,
 * dataset...), so that no connector has to JSON.parse the document (design.md, Performance model).
 *
 *   0  u8   layout version (1)
 *   1  u8   format (FORMATS index)
 *   2  u8   flags (1: truncated at max_message_bytes)
 *   3  u8   0
 *   4  f64  receivedAt, epoch ms
 *   12 u32  byte length of the document
 *   16 the ECS document (JSON)
 *   .. keys to the end of the body: u8 key id, u8 length, UTF-8 bytes (at most 255; the
 *      document holds the full value)
 * The keys come after the document because the worker learns some of them (the event time) while
 * writing it, and the document is written in place.
 */
export const FORMATS: readonly Format[] = ['rfc5424', 'rfc3164', 'cef', 'leef', 'json', 'kv', 'unknown'];
const FORMAT_CODE: Record<string, number> = Object.fromEntries(FORMATS.map((f, i) => [f, i]));

/**
 * `gatewayId`: the gateway's own event id, written only when the document's event.id is not it (an
 * application's JSON event that brings its own): destinations that deduplicate by id (the
 * Elasticsearch `_id`) must use ours, which is unique, never the sender's.
 */
export const KEY = { time: 1, host: 2, input: 3, sourceIp: 4, sourcetype: 5, index: 6, dataset: 7, source: 8, gatewayId: 9 } as const;
export type KeyName = keyof typeof KEY;
const KEY_NAMES: Array<KeyName | undefined> = [];
for (const [name, id] of Object.entries(KEY)) KEY_NAMES[id] = name as KeyName;

export const BODY_FIXED_BYTES = 16;
const FIXED = BODY_FIXED_BYTES;
export const FLAG_RECORD_TRUNCATED = 1;

/** What the pipeline knows about one event besides its document. */
export interface RecordFields {
  receivedAt: number;
  format: Format;
  truncated: boolean;
  keys: Partial<Record<KeyName, string>>;
}

/** An event as a destination sees it: the routing keys and the document's bytes (a view). */
export interface JournalEvent {
  /** Ordinal of the event in the journal (0-based, never reused). */
  seq: number;
  receivedAt: number;
  format: Format;
  truncated: boolean;
  readonly keys: Partial<Record<KeyName, string>>;
  doc: Buffer;
}

/**
 * Write one whole record (header + body) at out[at]; returns the offset after it. The caller
 * makes room: at most RECORD_HEADER_BYTES + 14 + 257 per key + 3 bytes per UTF-16 unit of doc.
 */
export function writeEventRecord(out: Buffer, at: number, f: RecordFields, doc: string): number {
  const b = at + RECORD_HEADER_BYTES;
  writeBodyFixed(out, b, f.format, f.truncated, f.receivedAt);
  const docLen = out.write(doc, b + FIXED, 'utf8');
  out.writeUInt32LE(docLen, b + 12);
  let k = b + FIXED + docLen;
  const keys = f.keys;
  for (const name in keys) {
    const value = keys[name as KeyName];
    if (value !== undefined) k = writeKey(out, k, KEY[name as KeyName], value);
  }
  sealRecord(out, at, k - b);
  return k;
}

/** The fixed part of a body at out[b]; the document length (at b + 12) is filled in later. */
export function writeBodyFixed(out: Buffer, b: number, format: Format, truncated: boolean, receivedAt: number): void {
  out[b] = 1;
  out[b + 1] = FORMAT_CODE[format] ?? FORMAT_CODE.unknown;
  out[b + 2] = truncated ? FLAG_RECORD_TRUNCATED : 0;
  out[b + 3] = 0;
  out.writeDoubleLE(receivedAt, b + 4);
}

/** One key at out[k] (room for 257 bytes needed); returns the offset after it. */
export function writeKey(out: Buffer, k: number, id: number, value: string): number {
  out[k] = id;
  const n = out.write(value.length > 255 ? value.slice(0, 255) : value, k + 2, 255, 'utf8');
  out[k + 1] = n;
  return k + 2 + n;
}

/** A key whose value is bytes already in `out` (src[from, to)), e.g. the time from the document. */
export function writeKeyBytes(out: Buffer, k: number, id: number, from: number, to: number): number {
  const n = Math.min(255, to - from);
  out[k] = id;
  out[k + 1] = n;
  out.copyWithin(k + 2, from, from + n); // not out.copy(out, …): that makes a view object per call
  return k + 2 + n;
}

/** Upper bound of the bytes writeEventRecord needs. */
export function recordBound(f: RecordFields, doc: string): number {
  let n = RECORD_HEADER_BYTES + FIXED + doc.length * 3;
  for (const name in f.keys) n += 2 + 255;
  return n;
}

/**
 * An event read from the journal. The keys are decoded on first use: most destinations never look
 * at them (no `where`, one lane), and decoding four strings per event was a tenth of the reading
 * thread's time. A class for its prototype getter: no closure or extra object per event.
 */
class StoredEvent implements JournalEvent {
  private decodedKeys: Partial<Record<KeyName, string>> | undefined;
  constructor(
    readonly seq: number,
    readonly receivedAt: number,
    readonly format: Format,
    readonly truncated: boolean,
    readonly doc: Buffer,
    private readonly buf: Buffer,
    private readonly keysEnd: number,
  ) {}

  /** One key, without decoding the others (a connector that needs only `dataset`, per event). */
  key(name: KeyName): string | undefined {
    if (this.decodedKeys !== undefined) return this.decodedKeys[name];
    const id = KEY[name];
    const buf = this.buf;
    for (let k = this.doc.byteOffset - buf.byteOffset + this.doc.length; k + 2 <= this.keysEnd;) {
      const n = buf[k + 1];
      if (buf[k] === id) return buf.toString('utf8', k + 2, k + 2 + n);
      k += 2 + n;
    }
    return undefined;
  }

  get keys(): Partial<Record<KeyName, string>> {
    if (this.decodedKeys === undefined) this.decodedKeys = decodeKeys(this.buf, this.doc.byteOffset - this.buf.byteOffset + this.doc.length, this.keysEnd);
    return this.decodedKeys;
  }
}

function decodeKeys(buf: Buffer, from: number, end: number): Partial<Record<KeyName, string>> {
  const keys: Partial<Record<KeyName, string>> = {};
  for (let k = from; k + 2 <= end;) {
    const name = KEY_NAMES[buf[k]];
    const n = buf[k + 1];
    if (name !== undefined) keys[name] = buf.toString('utf8', k + 2, k + 2 + n);
    k += 2 + n;
  }
  return keys;
}

/** One of an event's keys; for an event read from the journal, without decoding the others. */
export function keyOf(ev: JournalEvent, name: KeyName): string | undefined {
  return ev instanceof StoredEvent ? ev.key(name) : ev.keys[name];
}

/** Decode a record body (as scanRecords delimits it). The document stays a view, not a copy. */
export function decodeEvent(buf: Buffer, start: number, end: number, seq: number): JournalEvent {
  const docEnd = start + FIXED + buf.readUInt32LE(start + 12);
  return new StoredEvent(seq, buf.readDoubleLE(start + 4), FORMATS[buf[start + 1]] ?? 'unknown',
    (buf[start + 2] & FLAG_RECORD_TRUNCATED) !== 0, buf.subarray(start + FIXED, docEnd), buf, end);
}
