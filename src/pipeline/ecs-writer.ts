import type { Format, Parsed } from '../parse';
import { parseFailed } from '../parse/create-parsed';
import { fieldsOf } from '../parse/kv';
import type { Peer, SenderMeta } from '../inputs/types';
import { cefFullName } from './cef-names';
import { cefSeverity, ECS_VERSION, FACILITY, isDigits, messageOf, SEVERITY, timestampOf } from './ecs';
import { writeFlat, writeStructuredData } from './ecs-sd';
import { ISO_TIME_ROOM, isoTimeAt } from './ecs-time';
import {
  ascii, asciiAt, asciiBytesAt, bytesAt, commit, digitsAsNumberAt, outputOffset, putAscii, putByte, putBytes,
  putRawJson, putString, repeatAt, reserve, rewindOutput, stringAt, stringRoom, uintAt,
} from './json-out';

/**
 * The per-event fast path: writes the ECS document of a syslog/CEF/LEEF/kv message straight into
 * the output as JSON bytes (json-out.ts), without building the object and walking it again with
 * JSON.stringify, and without building a JS string per document. `toEcs` in ecs.ts is the
 * reference: both must give the same bytes, which test/unit/pipeline/ecs-writer.test.ts checks
 * over the corpus and fuzzed input. Messages that arrive as JSON objects (HTTP) keep the object path.
 *
 * The parts that depend only on the batch (the receive time) or the peer are prepared once as
 * bytes (batch context, PreparedPeer); those that take one of a few values (PRI, level, format)
 * are tables of bytes.
 */

/** Constant per batch: computed once, not per event. */
export interface WriterBatchContext {
  created: string;
  /** `created` as bytes (the @timestamp of messages without a time). */
  createdBytes: Uint8Array;
  /** `","created":"<created>","original":`, what follows event.id. */
  createdJson: Uint8Array;
}

export function writerBatchContext(created: string): WriterBatchContext {
  return { created, createdBytes: ascii(created), createdJson: ascii(`","created":${JSON.stringify(created)},"original":`) };
}

/** A peer with the JSON fragments that depend on it alone, prepared once per batch. */
export interface PreparedPeer {
  peer: Peer;
  /** `,"host":{"ip":…}}` (no host name in the message), or empty when there is no network peer. */
  hostIpJson: Uint8Array;
  /** `,"source":{…},"network":{…}`, or empty. */
  sourceJson: Uint8Array;
  /** The two halves of sourceJson, for a mapped event that replaces one of them. */
  sourceOnlyJson: Uint8Array;
  networkOnlyJson: Uint8Array;
  /** `,"siemgate":{"input":…,"format":"`. */
  siemgateJson: Uint8Array;
  /** `,"peer":{…}`, or empty. */
  peerJson: Uint8Array;
  /** The end of a document without sender metadata, per format, made on first use: siemgateJson,
   *  the format, peerJson and the `ecs` object. */
  tails: Partial<Record<Format, Uint8Array>>;
}

const NONE = new Uint8Array(0);

export function preparePeer(peer: Peer): PreparedPeer {
  const net = peer.ip !== '';
  const ip = JSON.stringify(peer.ip);
  const port = JSON.stringify(peer.port);
  return {
    peer,
    hostIpJson: net ? ascii(`,"host":{"ip":${ip}}`) : NONE,
    sourceJson: net
      ? ascii(`,"source":{"ip":${ip},"port":${port}},"network":{"transport":"${peer.transport === 'udp' ? 'udp' : 'tcp'}","protocol":"${peer.transport === 'http' ? 'http' : 'syslog'}"}`)
      : NONE,
    sourceOnlyJson: net ? ascii(`,"source":{"ip":${ip},"port":${port}}`) : NONE,
    networkOnlyJson: net ? ascii(`,"network":{"transport":"${peer.transport === 'udp' ? 'udp' : 'tcp'}","protocol":"${peer.transport === 'http' ? 'http' : 'syslog'}"}`) : NONE,
    siemgateJson: ascii(`,"siemgate":{"input":${JSON.stringify(peer.input)},"format":"`),
    peerJson: net ? ascii(`,"peer":{"ip":${ip},"port":${port}}`) : NONE,
    tails: {},
  };
}

function tailOf(peer: PreparedPeer, format: Format): Uint8Array {
  return peer.tails[format] ?? (peer.tails[format] = concat([peer.siemgateJson, FORMAT_JSON[format], peer.peerJson, ECS_TAIL]));
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export interface WriterEvent {
  id: string;
  peer: PreparedPeer;
  raw: string;
  /** The UTF-8 bytes of `raw` are rawBytes[rawStart, rawEnd) (the batch's buffer), or rawBytes is
   *  undefined: then `raw` is encoded. */
  rawBytes: Uint8Array | undefined;
  rawStart: number;
  rawEnd: number;
  truncated: boolean;
  meta?: SenderMeta;
  /** A mapping sets source.* / network.*: the sender's own are left out (mapped-doc.ts). */
  ownSource?: boolean;
  ownNetwork?: boolean;
  /** A mapping took what it wanted from the kv / JSON payload: the generic object is left out. */
  omitFields?: boolean;
}

// Constant parts, merged where they follow each other in the common case: each piece costs a copy
// call (~15 ns), whatever its length.
// `,"log":{"syslog":{"priority":N,"facility":{…},"severity":{…}` for each PRI value 0..191, also
// followed by `,"appname":`; `},"level":"…"}` (the end of log.syslog, then of log) per severity,
// also followed by `,"host":{"hostname":`
const LOG_PRI_JSON = Array.from({ length: 192 }, (_, pri) => ascii(
  `,"log":{"syslog":{"priority":${pri},"facility":${JSON.stringify({ code: pri >> 3, name: FACILITY[pri >> 3] })},"severity":${JSON.stringify({ code: pri & 7, name: SEVERITY[pri & 7] })}`,
));
const APPNAME = ascii(',"appname":');
const LOG_PRI_APPNAME_JSON = LOG_PRI_JSON.map((b) => concat([b, APPNAME]));
const LEVEL_JSON = SEVERITY.map((name) => ascii(`},"level":${JSON.stringify(name.toLowerCase())}}`));
const HOST_HOSTNAME = ascii(',"host":{"hostname":');
const LEVEL_HOST_JSON = LEVEL_JSON.map((b) => concat([b, HOST_HOSTNAME]));
const FORMAT_JSON: Record<Format, Uint8Array> = {
  rfc5424: ascii('rfc5424"'), rfc3164: ascii('rfc3164"'), cef: ascii('cef"'), leef: ascii('leef"'),
  json: ascii('json"'), kv: ascii('kv"'), unknown: ascii('unknown"'),
};

const TIMESTAMP = ascii('{"@timestamp":"');
// event.id first: a destination that needs it (Elasticsearch's _id) finds it without walking
// event.original, a third of a microsecond per event on the main thread
const EVENT_ID = ascii('","event":{"id":"');
const KIND_CODE = ascii(',"kind":"event","code":');
const SEVERITY_KEY = ascii(',"severity":');
const KIND_MESSAGE = ascii(',"kind":"event"},"message":');
const MESSAGE = ascii('},"message":');
const LOG_SYSLOG = ascii(',"log":{"syslog":{');
// log.syslog fields, with the `,` that is left out when the field comes first (no PRI)
const PROCID = ascii(',"procid":');
const MSGID = ascii(',"msgid":');
const HOSTNAME = ascii(',"hostname":');
const VERSION = ascii(',"version":"');
const VERSION_1_SD = ascii(',"version":"1","structured_data":');
const SD = ascii(',"structured_data":');
const NAME = ascii(',"name":');
const PROCESS_NAME = ascii('},"process":{"name":');
const PID = ascii(',"pid":');
const TAGS = ascii(',"tags":[');
const ECS_TAIL = ascii(`},"ecs":{"version":${JSON.stringify(ECS_VERSION)}}}`);

// Room for the constant parts written after one reserve (each is less than half of it), besides
// the strings: writeHead (the CEF severity included), then log.syslog up to the SD, then the rest
// of log, host and process.
const HEAD_ROOM = 256 + ISO_TIME_ROOM;
const LOG_ROOM = 512;
const HOST_ROOM = 256;

export function writeEcs(p: Parsed, b: WriterBatchContext, e: WriterEvent): void {
  const meta = e.meta;
  const cef = p.cef;
  const leef = p.leef;
  const rawAscii = writeHead(p, b, e);
  writeLogHostProcess(p, e, rawAscii);
  if (e.ownSource !== true && e.ownNetwork !== true) putBytes(e.peer.sourceJson);
  else {
    if (e.ownSource !== true) putBytes(e.peer.sourceOnlyJson);
    if (e.ownNetwork !== true) putBytes(e.peer.networkOnlyJson);
  }

  if (cef) writeCef(p);
  if (leef) {
    putAscii(',"leef":{"version":');
    putString(leef.version);
    putAscii(',"vendor":');
    putString(leef.vendor);
    putAscii(',"product":');
    putString(leef.product);
    putAscii(',"product_version":');
    putString(leef.productVersion);
    putAscii(',"event_id":');
    putString(leef.eventId);
    putAscii(',"attributes":');
    writeFlat(leef.attributes);
    putByte(125);
    if (!cef) writeObserver(leef.vendor, leef.product, leef.productVersion);
  }
  const fields = e.omitFields === true ? undefined : fieldsOf(p);
  if (fields !== undefined) {
    putAscii(p.format === 'kv' ? ',"kv":' : ',"json":');
    writeFields(fields);
  }

  const tags = p.tags;
  const parseError = parseFailed(p);
  if (tags !== undefined || e.truncated || parseError) {
    putBytes(TAGS);
    let n = 0;
    if (tags !== undefined) {
      for (; n < tags.length; n++) {
        if (n > 0) putByte(44);
        putString(tags[n]);
      }
    }
    if (e.truncated) {
      putAscii(n++ > 0 ? ',"truncated"' : '"truncated"');
    }
    if (parseError && (tags === undefined || !tags.includes('parse_error'))) {
      putAscii(n++ > 0 ? ',"parse_error"' : '"parse_error"');
    }
    putByte(93);
  }
  if (p.error !== undefined) {
    putAscii(',"error":{"message":');
    putString(p.error);
    putByte(125);
  }
  if (meta?.fields !== undefined) {
    putAscii(',"labels":{');
    let first = true;
    for (const k in meta.fields) {
      const v = meta.fields[k];
      if (!first) putByte(44);
      putString(k);
      putByte(58);
      putString(typeof v === 'string' ? v : JSON.stringify(v));
      first = false;
    }
    putByte(125);
  }

  siemgateMark = outputOffset(); // both ways start with `,"siemgate":{`
  if (meta === undefined) {
    putBytes(tailOf(e.peer, p.format));
    return;
  }
  putBytes(e.peer.siemgateJson);
  putBytes(FORMAT_JSON[p.format]);
  putBytes(e.peer.peerJson);
  if (meta.sourcetype !== undefined) {
    putAscii(',"sourcetype":');
    putString(meta.sourcetype);
  }
  if (meta.index !== undefined) {
    putAscii(',"index":');
    putString(meta.index);
  }
  if (meta.source !== undefined) {
    putAscii(',"source":');
    putString(meta.source);
  }
  putBytes(ECS_TAIL);
}

/**
 * `@timestamp`, `event` and `message`. The raw bytes are copied when they are ASCII (bytes and
 * chars are then the same), else the string is encoded; returns whether they were. The message is
 * mostly the raw text's tail (not for CEF): then its JSON is the tail of event.original's, repeated
 * rather than escaped again.
 */
// Where the last document's `"kind":"event"` and `,"siemgate":{` were written (output offsets):
// mapped-doc.ts splices the mapping's fields there without searching for them.
let kindMark = -1;
let siemgateMark = -1;

/** The offset of `"kind":"event"` in the document writeEcs wrote last. */
export const lastKindMark = (): number => kindMark;
/** The offset of its `,"siemgate":{`. */
export const lastSiemgateMark = (): number => siemgateMark;

function writeHead(p: Parsed, bc: WriterBatchContext, e: WriterEvent): boolean {
  const raw = e.raw;
  const cef = p.cef;
  const message = messageOf(p);
  const code = cef !== undefined ? cef.deviceEventClassId : p.leef?.eventId;
  const b = reserve(HEAD_ROOM + e.id.length + stringRoom(raw.length) + stringRoom(message.length) + (code === undefined ? 0 : stringRoom(code.length)));
  let o = timestampAt(b, outputOffset(), p, e.meta, bc);
  o = bytesAt(b, o, EVENT_ID);
  o = asciiAt(b, o, e.id); // hex digits and dashes (event-id.ts)
  o = bytesAt(b, o, bc.createdJson);
  const tail = cef === undefined && message.length <= raw.length && raw.slice(raw.length - message.length) === message;
  const src = e.rawBytes;
  let messageAt = -1;
  let copied = -1;
  if (src !== undefined) {
    const mark = tail ? e.rawEnd - message.length : e.rawEnd;
    b[o] = 34;
    messageAt = asciiBytesAt(b, o + 1, src, e.rawStart, mark);
    if (messageAt >= 0) copied = asciiBytesAt(b, messageAt, src, mark, e.rawEnd);
  }
  if (copied >= 0) {
    b[copied] = 34;
    o = copied + 1;
  } else {
    o = stringAt(b, o, raw);
  }
  const originalEnd = o;
  kindMark = o + 1; // past `,`
  if (code !== undefined) {
    o = bytesAt(b, o, KIND_CODE);
    o = stringAt(b, o, code);
    const sev = cef === undefined ? undefined : cefSeverity(cef.severity);
    if (sev !== undefined) {
      o = bytesAt(b, o, SEVERITY_KEY);
      o = uintAt(b, o, sev);
    }
    o = bytesAt(b, o, MESSAGE);
  } else {
    o = bytesAt(b, o, KIND_MESSAGE);
  }
  if (tail && copied >= 0) {
    b[o++] = 34;
    o = repeatAt(b, o, messageAt, originalEnd); // the closing quote included
  } else {
    o = stringAt(b, o, message);
  }
  commit(o);
  return copied >= 0;
}

/** `@timestamp` as timestampOf gives it, the common cases written as bytes (ecs-time.ts). */
function timestampAt(b: Buffer, o: number, p: Parsed, meta: SenderMeta | undefined, bc: WriterBatchContext): number {
  if (meta?.time === undefined) {
    if (p.timestamp === undefined) return bytesAt(b, bytesAt(b, o, TIMESTAMP), bc.createdBytes);
    const end = isoTimeAt(b, o, TIMESTAMP, p.timestamp, p.timestampMicros);
    if (end >= 0) return end;
  }
  return asciiAt(b, bytesAt(b, o, TIMESTAMP), timestampOf(p, meta, bc.created));
}

/**
 * `log` (syslog header fields and SD), `host` and `process`. The host name and app name appear
 * twice or three times: written once, then the bytes are repeated. `rawAscii`: the raw bytes are
 * ASCII, so the SD can be read from them (ecs-sd.ts).
 */
function writeLogHostProcess(p: Parsed, e: WriterEvent, rawAscii: boolean): void {
  const hostname = e.meta?.host ?? p.hostname;
  const process = p.appname !== undefined && p.header !== 'none';
  let hostAt = -1;
  let hostEnd = -1;
  let appAt = -1;
  let appEnd = -1;
  let b: Buffer;
  let o: number;
  if (p.header !== 'none' || p.pri !== undefined) {
    b = reserve(LOG_ROOM + stringRoom(len(p.appname) + len(p.procid) + len(p.msgid) + len(p.hostname)));
    o = outputOffset();
    let first = p.pri === undefined;
    if (p.appname !== undefined) {
      o = first ? fieldAt(b, bytesAt(b, o, LOG_SYSLOG), APPNAME, true) : bytesAt(b, o, LOG_PRI_APPNAME_JSON[p.pri as number]);
      appAt = o;
      o = stringAt(b, o, p.appname);
      appEnd = o;
      first = false;
    } else {
      o = bytesAt(b, o, first ? LOG_SYSLOG : LOG_PRI_JSON[p.pri as number]);
    }
    if (p.procid !== undefined) {
      o = stringAt(b, fieldAt(b, o, PROCID, first), p.procid);
      first = false;
    }
    if (p.msgid !== undefined) {
      o = stringAt(b, fieldAt(b, o, MSGID, first), p.msgid);
      first = false;
    }
    if (p.hostname !== undefined) {
      o = fieldAt(b, o, HOSTNAME, first);
      hostAt = o;
      o = stringAt(b, o, p.hostname);
      hostEnd = o;
      first = false;
    }
    const sd = p.structuredData !== undefined || p.sdText !== undefined;
    if (p.version === 1 && sd && !first) {
      o = bytesAt(b, o, VERSION_1_SD);
    } else {
      if (p.version !== undefined) {
        o = uintAt(b, fieldAt(b, o, VERSION, first), p.version);
        b[o++] = 34;
        first = false;
      }
      if (sd) o = fieldAt(b, o, SD, first);
    }
    commit(o);
    if (sd) writeStructuredData(p, e.raw, rawAscii ? e.rawBytes : undefined, e.rawStart);
    b = reserve(HOST_ROOM + stringRoom(2 * len(hostname) + len(p.appname)) + e.peer.hostIpJson.length);
    o = outputOffset();
    if (p.pri === undefined) {
      b[o++] = 125;
      b[o++] = 125;
      if (hostname !== undefined) o = bytesAt(b, o, HOST_HOSTNAME);
    } else {
      o = bytesAt(b, o, hostname !== undefined ? LEVEL_HOST_JSON[p.pri & 7] : LEVEL_JSON[p.pri & 7]);
    }
  } else {
    b = reserve(HOST_ROOM + stringRoom(2 * len(hostname) + len(p.appname)) + e.peer.hostIpJson.length);
    o = outputOffset();
    if (hostname !== undefined) o = bytesAt(b, o, HOST_HOSTNAME);
  }

  // `,"host":{"hostname":` is written when there is a host name
  if (hostname !== undefined) {
    if (hostAt < 0 || hostname !== p.hostname) {
      hostAt = o;
      o = stringAt(b, o, hostname);
      hostEnd = o;
    } else {
      o = repeatAt(b, o, hostAt, hostEnd);
    }
    o = bytesAt(b, o, NAME);
    o = repeatAt(b, o, hostAt, hostEnd);
    if (process) o = bytesAt(b, o, PROCESS_NAME); // also closes host
    else b[o++] = 125;
  } else {
    o = bytesAt(b, o, e.peer.hostIpJson);
    if (process) o = fieldAt(b, o, PROCESS_NAME, true);
  }
  if (process) {
    o = appAt < 0 ? stringAt(b, o, p.appname as string) : repeatAt(b, o, appAt, appEnd);
    if (p.procid !== undefined && isDigits(p.procid)) o = digitsAsNumberAt(b, bytesAt(b, o, PID), p.procid);
    b[o++] = 125;
  }
  commit(o);
}

function len(s: string | undefined): number {
  return s === undefined ? 0 : s.length;
}

/** A field's key with the `,` before it, or without it when the field comes first. */
function fieldAt(b: Buffer, o: number, key: Uint8Array, first: boolean): number {
  if (!first) return bytesAt(b, o, key);
  for (let i = 1; i < key.length; i++) b[o++] = key[i];
  return o;
}

function writeCef(p: Parsed): void {
  const cef = p.cef!;
  putAscii(',"cef":{"version":');
  putString(String(cef.version));
  putAscii(',"device":{"vendor":');
  putString(cef.deviceVendor);
  putAscii(',"product":');
  putString(cef.deviceProduct);
  putAscii(',"version":');
  putString(cef.deviceVersion);
  putAscii(',"event_class_id":');
  putString(cef.deviceEventClassId);
  putAscii('},"name":');
  putString(cef.name);
  putAscii(',"severity":');
  putString(cef.severity);
  putAscii(',"extensions":{');
  let first = true;
  const ext = cef.extensions;
  for (const key in ext) {
    if (!first) putByte(44);
    putString(cefFullName(key));
    putByte(58);
    putString(ext[key]);
    first = false;
  }
  putAscii('}}');
  writeObserver(cef.deviceVendor, cef.deviceProduct, cef.deviceVersion);
}

function writeObserver(vendor: string, product: string, version: string): void {
  putAscii(',"observer":{"vendor":');
  putString(vendor);
  putAscii(',"product":');
  putString(product);
  putAscii(',"version":');
  putString(version);
  putByte(125);
}

/** kv pairs are strings (written here); a JSON payload may hold anything (JSON.stringify). */
function writeFields(fields: Record<string, unknown>): void {
  const at = outputOffset();
  putByte(123);
  let first = true;
  for (const k in fields) {
    const v = fields[k];
    if (typeof v !== 'string') {
      rewindOutput(at);
      putRawJson(JSON.stringify(fields));
      return;
    }
    if (!first) putByte(44);
    putString(k);
    putByte(58);
    putString(v);
    first = false;
  }
  putByte(125);
}
