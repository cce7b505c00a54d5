import { structuredDataOf } from '../parse/structured-data';
import { parseFailed } from '../parse/create-parsed';
import { fieldsOf } from '../parse/kv';
import type { Parsed } from '../parse';
import type { Peer, SenderMeta } from '../inputs/types';
import { cefFullName } from './cef-names';

/** The ECS release our documents follow (protocols.md §3; 8.17 is the last 8.x, what most stacks run). */
export const ECS_VERSION = '8.17.0';

// Exactly the strings Elastic writes to log.syslog.facility.name / severity.name (protocols.md §1.1).
const FACILITY = [
  'kernel', 'user-level', 'mail', 'system', 'security/authorization', 'syslogd', 'line printer',
  'network news', 'UUCP', 'clock', 'security/authorization', 'FTP', 'NTP', 'log audit', 'log alert',
  'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
const SEVERITY = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];
const CEF_SEVERITY: Record<string, number> = { unknown: 0, low: 0, medium: 4, high: 7, 'very-high': 9 };

/** What the pipeline knows about one message besides its text. */
export interface EventContext {
  id: string;
  receivedAt: number;
  peer: Peer;
  raw: string;
  truncated: boolean;
  meta?: SenderMeta;
  /** The message arrived as a JSON object over HTTP: that object becomes the document (taken over and
   *  extended in place, not copied: it was parsed for this event alone). */
  appJson?: Record<string, unknown>;
}

export type EcsDoc = Record<string, unknown>;

function timestampFirst(doc: EcsDoc): boolean {
  for (const k in doc) return k === '@timestamp';
  return false;
}

/**
 * The basic ECS document for one event. Vendor recognition and rich mapping (issue 6) extend
 * this through `mapEvent`'s second stage; this function only maps what the wire format says.
 */
export function toEcs(p: Parsed, c: EventContext): EcsDoc {
  let doc: EcsDoc = c.appJson ?? {};
  const created = isoTime(c.receivedAt, undefined);
  if (doc['@timestamp'] === undefined) doc['@timestamp'] = timestampOf(p, c.meta, created);
  // @timestamp first, as in every document the byte writer makes: the journal record's time key
  // (process-batch.ts endRecord) is read from there, and destinations take the event time from it
  if (c.appJson !== undefined && !timestampFirst(doc)) doc = { '@timestamp': doc['@timestamp'], ...doc };

  const event = objectAt(doc, 'event');
  // in the byte writer's order (ecs-writer.ts): id first, so that destinations find it at once
  event.id ??= c.id;
  event.created ??= created;
  event.original ??= c.raw;
  event.kind ??= 'event';

  if (doc.message === undefined) doc.message = messageOf(p);

  if (p.header !== 'none' || p.pri !== undefined) {
    const syslog: Record<string, unknown> = {};
    if (p.pri !== undefined) {
      const fac = p.pri >> 3;
      const sev = p.pri & 7;
      syslog.priority = p.pri;
      syslog.facility = { code: fac, name: FACILITY[fac] };
      syslog.severity = { code: sev, name: SEVERITY[sev] };
    }
    if (p.appname !== undefined) syslog.appname = p.appname;
    if (p.procid !== undefined) syslog.procid = p.procid;
    if (p.msgid !== undefined) syslog.msgid = p.msgid;
    if (p.hostname !== undefined) syslog.hostname = p.hostname;
    if (p.version !== undefined) syslog.version = String(p.version);
    const sd = structuredDataOf(p);
    if (sd !== undefined) syslog.structured_data = sd;
    objectAt(doc, 'log').syslog = syslog;
    if (p.pri !== undefined) objectAt(doc, 'log').level ??= SEVERITY[p.pri & 7].toLowerCase();
  }

  const hostname = c.meta?.host ?? p.hostname;
  if (hostname !== undefined) {
    const host = objectAt(doc, 'host');
    host.hostname ??= hostname;
    host.name ??= hostname;
  } else if (c.peer.ip !== '') {
    const host = objectAt(doc, 'host');
    if (host.hostname === undefined && host.name === undefined) host.ip ??= c.peer.ip; // no name in the message: the sender is the best we know
  }
  if (p.appname !== undefined && p.header !== 'none') {
    const process = objectAt(doc, 'process');
    process.name ??= p.appname;
    if (p.procid !== undefined && isDigits(p.procid)) process.pid ??= Number(p.procid);
  }

  if (c.peer.ip !== '') { // '' = no network (siemgate parse)
    const source = objectAt(doc, 'source');
    source.ip ??= c.peer.ip;
    source.port ??= c.peer.port;
    const network = objectAt(doc, 'network');
    network.transport ??= c.peer.transport === 'udp' ? 'udp' : 'tcp';
    network.protocol ??= c.peer.transport === 'http' ? 'http' : 'syslog';
  }

  if (p.cef) {
    const cef = p.cef;
    const extensions: Record<string, string> = {};
    for (const key in cef.extensions) extensions[cefFullName(key)] = cef.extensions[key];
    doc.cef = {
      version: String(cef.version),
      device: { vendor: cef.deviceVendor, product: cef.deviceProduct, version: cef.deviceVersion, event_class_id: cef.deviceEventClassId },
      name: cef.name,
      severity: cef.severity,
      extensions,
    };
    const observer = objectAt(doc, 'observer');
    observer.vendor ??= cef.deviceVendor;
    observer.product ??= cef.deviceProduct;
    observer.version ??= cef.deviceVersion;
    event.code ??= cef.deviceEventClassId;
    const sev = cefSeverity(cef.severity);
    if (sev !== undefined) event.severity ??= sev;
  }
  if (p.leef) {
    const l = p.leef;
    doc.leef = {
      version: l.version, vendor: l.vendor, product: l.product, product_version: l.productVersion,
      event_id: l.eventId, attributes: l.attributes,
    };
    const observer = objectAt(doc, 'observer');
    observer.vendor ??= l.vendor;
    observer.product ??= l.product;
    observer.version ??= l.productVersion;
    event.code ??= l.eventId;
  }
  const fields = c.appJson ? undefined : fieldsOf(p);
  if (fields !== undefined) doc[p.format === 'kv' ? 'kv' : 'json'] = fields;

  const tags: string[] = Array.isArray(doc.tags) ? (doc.tags as string[]).slice() : [];
  if (p.tags) for (const t of p.tags) tags.push(t);
  if (c.truncated) tags.push('truncated');
  if (parseFailed(p) && !tags.includes('parse_error')) tags.push('parse_error');
  if (tags.length > 0) doc.tags = tags;
  if (p.error !== undefined) objectAt(doc, 'error').message ??= p.error;

  const gw: Record<string, unknown> = { input: c.peer.input, format: p.format };
  if (c.peer.ip !== '') gw.peer = { ip: c.peer.ip, port: c.peer.port };
  if (c.meta) {
    if (c.meta.sourcetype !== undefined) gw.sourcetype = c.meta.sourcetype;
    if (c.meta.index !== undefined) gw.index = c.meta.index;
    if (c.meta.source !== undefined) gw.source = c.meta.source;
    if (c.meta.fields !== undefined) {
      const labels = objectAt(doc, 'labels');
      for (const k in c.meta.fields) labels[k] ??= labelValue(c.meta.fields[k]);
    }
  }
  doc.siemgate = gw;
  objectAt(doc, 'ecs').version ??= ECS_VERSION;
  return doc;
}

/** CEF puts the text in `msg`, else its Name; everything else has its MSG. */
export function messageOf(p: Parsed): string {
  return p.cef ? (p.cef.extensions.msg ?? p.cef.name) : p.message;
}

/** The sender's time (HEC envelope) wins, then the message's own, then the receive time. */
export function timestampOf(p: Parsed, meta: SenderMeta | undefined, created: string): string {
  if (meta?.time !== undefined && Math.abs(meta.time * 1000) <= MAX_DATE_MS) return isoTime(meta.time * 1000, undefined);
  if (p.timestamp !== undefined) return isoTime(p.timestamp, p.timestampMicros);
  return created;
}

export function cefSeverity(severity: string): number | undefined {
  return isDigits(severity) ? Number(severity) : CEF_SEVERITY[severity.toLowerCase()];
}

export { FACILITY, SEVERITY };

function objectAt(doc: EcsDoc, key: string): Record<string, unknown> {
  const v = doc[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  const o: Record<string, unknown> = {};
  doc[key] = o;
  return o;
}

function labelValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const MAX_DATE_MS = 8.64e15;
let cachedMinute = NaN;
let cachedPrefix = '';

/**
 * ISO 8601 UTC with milliseconds, or microseconds when the source gave them. Events of one batch
 * mostly share their minute (a sender's stamps step by seconds), so the `YYYY-MM-DDTHH:MM:` prefix
 * is cached (one Date per minute, not per event or per second). Out-of-range times give the epoch
 * rather than throwing.
 */
export function isoTime(ms: number, micros: number | undefined): string {
  let whole = Math.floor(ms);
  if (!(whole >= -MAX_DATE_MS && whole <= MAX_DATE_MS)) whole = 0;
  const minute = Math.floor(whole / 60_000);
  if (minute !== cachedMinute) {
    cachedPrefix = new Date(minute * 60_000).toISOString().slice(0, -7); // drop `SS.sssZ`
    cachedMinute = minute;
  }
  const inMinute = whole - minute * 60_000;
  const sec = Math.floor(inMinute / 1000);
  const milli = inMinute - sec * 1000;
  const s2 = sec < 10 ? `0${sec}` : `${sec}`;
  const m3 = milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : `${milli}`;
  // micros is undefined when the source gave 3 digits or fewer; 0 when it gave six ending in 000
  if (micros === undefined) return `${cachedPrefix}${s2}.${m3}Z`;
  const u3 = micros < 10 ? `00${micros}` : micros < 100 ? `0${micros}` : `${micros}`;
  return `${cachedPrefix}${s2}.${m3}${u3}Z`;
}
