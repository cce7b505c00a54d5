import type { Parsed, StructuredData } from '../parse';
import type { Peer, SenderMeta } from '../inputs/types';
import { cefFullName } from './cef-names';
import { cefSeverity, ECS_VERSION, FACILITY, isDigits, messageOf, SEVERITY, timestampOf } from './ecs';

/**
 * The per-event fast path: writes the ECS document of a syslog/CEF/LEEF/kv message straight to
 * JSON text, without building the object and walking it again with JSON.stringify (measured: the
 * object + stringify cost 3× the parse itself). `toEcs` in ecs.ts is the reference: both must give
 * the same document, which test/unit/pipeline/ecs-writer.test.ts checks over the corpus and fuzzed
 * input. Messages that arrive as JSON objects (HTTP) keep the object path.
 */

// One compiled test for "needs escaping": most values don't, and then quoting is a concatenation.
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
function q(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

const FACILITY_JSON = FACILITY.map((name, code) => `{"code":${code},"name":${q(name)}}`);
const SEVERITY_JSON = SEVERITY.map((name, code) => `{"code":${code},"name":${q(name)}}`);
const LEVEL_JSON = SEVERITY.map((name) => q(name.toLowerCase()));
const ECS_TAIL = `,"ecs":{"version":"${ECS_VERSION}"}}`;

/** Constant per batch: computed once, not per event. */
export interface WriterBatchContext {
  created: string;
}

export interface WriterEvent {
  id: string;
  peer: Peer;
  raw: string;
  truncated: boolean;
  meta?: SenderMeta;
}

export function writeEcs(p: Parsed, b: WriterBatchContext, e: WriterEvent): string {
  const meta = e.meta;
  let s = `{"@timestamp":"${timestampOf(p, meta, b.created)}","event":{"original":${q(e.raw)},"created":"${b.created}","id":"${e.id}","kind":"event"`;
  const cef = p.cef;
  const leef = p.leef;
  if (cef) {
    s += `,"code":${q(cef.deviceEventClassId)}`;
    const sev = cefSeverity(cef.severity);
    if (sev !== undefined) s += `,"severity":${sev}`;
  } else if (leef) {
    s += `,"code":${q(leef.eventId)}`;
  }
  s += `},"message":${q(messageOf(p))}`;

  if (p.header !== 'none' || p.pri !== undefined) {
    s += ',"log":{"syslog":{';
    let sep = '';
    if (p.pri !== undefined) {
      s += `"priority":${p.pri},"facility":${FACILITY_JSON[p.pri >> 3]},"severity":${SEVERITY_JSON[p.pri & 7]}`;
      sep = ',';
    }
    if (p.appname !== undefined) { s += `${sep}"appname":${q(p.appname)}`; sep = ','; }
    if (p.procid !== undefined) { s += `${sep}"procid":${q(p.procid)}`; sep = ','; }
    if (p.msgid !== undefined) { s += `${sep}"msgid":${q(p.msgid)}`; sep = ','; }
    if (p.hostname !== undefined) { s += `${sep}"hostname":${q(p.hostname)}`; sep = ','; }
    if (p.version !== undefined) { s += `${sep}"version":"${p.version}"`; sep = ','; }
    if (p.structuredData !== undefined) s += `${sep}"structured_data":${writeSd(p.structuredData)}`;
    s += '}';
    if (p.pri !== undefined) s += `,"level":${LEVEL_JSON[p.pri & 7]}`;
    s += '}';
  }

  const hostname = meta?.host ?? p.hostname;
  if (hostname !== undefined) {
    const h = q(hostname);
    s += `,"host":{"hostname":${h},"name":${h}}`;
  } else if (e.peer.ip !== '') {
    s += `,"host":{"ip":"${e.peer.ip}"}`;
  }
  if (p.appname !== undefined && p.header !== 'none') {
    s += `,"process":{"name":${q(p.appname)}`;
    if (p.procid !== undefined && isDigits(p.procid)) s += `,"pid":${Number(p.procid)}`;
    s += '}';
  }
  if (e.peer.ip !== '') {
    s += `,"source":{"ip":"${e.peer.ip}","port":${e.peer.port}},"network":{"transport":"${e.peer.transport === 'udp' ? 'udp' : 'tcp'}","protocol":"${e.peer.transport === 'http' ? 'http' : 'syslog'}"}`;
  }

  if (cef) {
    s += `,"cef":{"version":"${cef.version}","device":{"vendor":${q(cef.deviceVendor)},"product":${q(cef.deviceProduct)},"version":${q(cef.deviceVersion)},"event_class_id":${q(cef.deviceEventClassId)}},"name":${q(cef.name)},"severity":${q(cef.severity)},"extensions":{`;
    let sep = '';
    const ext = cef.extensions;
    for (const key in ext) {
      s += `${sep}${q(cefFullName(key))}:${q(ext[key])}`;
      sep = ',';
    }
    s += `}},"observer":{"vendor":${q(cef.deviceVendor)},"product":${q(cef.deviceProduct)},"version":${q(cef.deviceVersion)}}`;
  }
  if (leef) {
    s += `,"leef":{"version":${q(leef.version)},"vendor":${q(leef.vendor)},"product":${q(leef.product)},"product_version":${q(leef.productVersion)},"event_id":${q(leef.eventId)},"attributes":${writeFlat(leef.attributes)}}`;
    if (!cef) s += `,"observer":{"vendor":${q(leef.vendor)},"product":${q(leef.product)},"version":${q(leef.productVersion)}}`;
  }
  if (p.fields !== undefined) s += `,"${p.format === 'kv' ? 'kv' : 'json'}":${JSON.stringify(p.fields)}`;

  const tags = p.tags;
  if (tags !== undefined || e.truncated || p.format === 'unknown') {
    const all: string[] = tags ? tags.slice() : [];
    if (e.truncated) all.push('truncated');
    if (p.format === 'unknown' && !all.includes('parse_error')) all.push('parse_error');
    s += `,"tags":[${all.map(q).join(',')}]`;
  }
  if (p.error !== undefined) s += `,"error":{"message":${q(p.error)}}`;
  if (meta?.fields !== undefined) {
    s += ',"labels":{';
    let sep = '';
    for (const k in meta.fields) {
      const v = meta.fields[k];
      s += `${sep}${q(k)}:${q(typeof v === 'string' ? v : JSON.stringify(v))}`;
      sep = ',';
    }
    s += '}';
  }

  s += `,"siemgate":{"input":${q(e.peer.input)},"format":"${p.format}"`;
  if (e.peer.ip !== '') s += `,"peer":{"ip":"${e.peer.ip}","port":${e.peer.port}}`;
  if (meta) {
    if (meta.sourcetype !== undefined) s += `,"sourcetype":${q(meta.sourcetype)}`;
    if (meta.index !== undefined) s += `,"index":${q(meta.index)}`;
    if (meta.source !== undefined) s += `,"source":${q(meta.source)}`;
  }
  return s + '}' + ECS_TAIL;
}

function writeSd(sd: StructuredData): string {
  let s = '{';
  let sep = '';
  for (const id in sd) {
    s += `${sep}${q(id)}:${writeFlat(sd[id])}`;
    sep = ',';
  }
  return s + '}';
}

function writeFlat(o: Record<string, string>): string {
  let s = '{';
  let sep = '';
  for (const k in o) {
    s += `${sep}${q(k)}:${q(o[k])}`;
    sep = ',';
  }
  return s + '}';
}
