import { splunkSourcetypes } from '../../src/mapping/outputs';
import type { SplunkHecDestinationConfig } from '../../src/config/types';
import type { JournalEvent } from '../../src/journal/event-record';
import { stringEnd } from '../../src/parse/json-scan'; // not through the index: a re-export is a getter per call
import type { Format } from '../../src/parse';

/**
 * One event as a HEC `/services/collector/event` object (protocols.md §4.2), newline-terminated so
 * a batch is the objects back to back. For syslog, CEF and LEEF sources `event` is the device's
 * raw text, as Splunk's add-ons (Cisco ASA, Palo Alto, CEF) expect to parse it; for JSON sources it
 * is the ECS document. The gateway's own metadata goes into indexed `fields` (flat strings only:
 * a nested object is code 15). host, source, sourcetype and index are set on every object: a value
 * on one batched object does not carry over to the next (§4.2).
 */
// mappings/outputs/splunk.yaml: the sourcetype of events no mapping gave one
const DEFAULT_SOURCETYPE: Record<Format, string> = splunkSourcetypes();

const ORIGINAL = Buffer.from('"original":');

/**
 * The envelope pieces that repeat across events, built once per distinct value (style.md §3):
 * `,"source":…,"sourcetype":…,"index":…,"event":` per (input, sourcetype, index) and the `fields`
 * tail per (input, format, peer). Bounded: a map that reaches CACHE_MAX entries starts over.
 */
interface HecCache {
  mid: Map<string, Buffer>; tail: Map<string, Buffer>; host: Map<string, string>;
  // the previous event's pieces: neighbours mostly share them, and a compare of the key strings
  // is cheaper than building the map key
  source?: string; sourcetype?: string; index?: string; lastMid?: Buffer;
  input?: string; format?: Format; ip?: string; lastTail?: Buffer;
  hostText?: string; hostJson?: string;
}
const caches = new WeakMap<SplunkHecDestinationConfig, HecCache>();
const CACHE_MAX = 4096;

function cached<T, A>(m: Map<string, T>, key: string, make: (a: A) => T, arg: A): T {
  let v = m.get(key);
  if (v === undefined) {
    if (m.size >= CACHE_MAX) m.clear();
    v = make(arg);
    m.set(key, v);
  }
  return v;
}

const midOf = (a: { source: string; sourcetype: string; index: string | undefined }): Buffer => Buffer.from(
  `,"source":${JSON.stringify(a.source)},"sourcetype":${JSON.stringify(a.sourcetype)}` +
  (a.index !== undefined ? `,"index":${JSON.stringify(a.index)}` : '') + ',"event":');
const tailOf = (a: { input: string; format: Format; ip: string | undefined }): Buffer => Buffer.from(
  `,"fields":{"siemgate_input":${JSON.stringify(a.input)},"siemgate_format":"${a.format}"` +
  (a.ip !== undefined ? `,"siemgate_peer":${JSON.stringify(a.ip)}` : '') + '}}\n');

let hourPrefix = '';
let hourSeconds = 0;

/**
 * HEC's `time`: epoch seconds with milliseconds, as `(ms / 1000).toFixed(3)` gives it. The
 * pipeline's own `YYYY-MM-DDTHH:MM:SS.sssZ` is read by hand (the epoch of its hour kept from the
 * event before): Date.parse and toFixed per event were a tenth of the HEC connector's time.
 */
export function hecTime(iso: string | undefined, receivedAt: number): string {
  if (iso !== undefined && iso.length === 24 && iso.charCodeAt(13) === 58 && iso.charCodeAt(16) === 58 && iso.charCodeAt(19) === 46 && iso.charCodeAt(23) === 90) {
    if (!iso.startsWith(hourPrefix) || hourPrefix === '') {
      const ms = Date.parse(`${iso.slice(0, 13)}:00:00.000Z`);
      if (!(ms >= 0)) return slowTime(iso, receivedAt);
      hourPrefix = iso.slice(0, 13);
      hourSeconds = ms / 1000;
    }
    const m1 = iso.charCodeAt(14) - 48, m2 = iso.charCodeAt(15) - 48, s1 = iso.charCodeAt(17) - 48, s2 = iso.charCodeAt(18) - 48;
    const f1 = iso.charCodeAt(20) - 48, f2 = iso.charCodeAt(21) - 48, f3 = iso.charCodeAt(22) - 48;
    if (m1 >= 0 && m1 <= 5 && m2 >= 0 && m2 <= 9 && s1 >= 0 && s1 <= 5 && s2 >= 0 && s2 <= 9 && f1 >= 0 && f1 <= 9 && f2 >= 0 && f2 <= 9 && f3 >= 0 && f3 <= 9) {
      return `${hourSeconds + m1 * 600 + m2 * 60 + s1 * 10 + s2}.${iso.slice(20, 23)}`;
    }
  }
  return slowTime(iso, receivedAt);
}

function slowTime(iso: string | undefined, receivedAt: number): string {
  const ms = iso !== undefined ? Date.parse(iso) : NaN;
  return ((Number.isNaN(ms) ? receivedAt : ms) / 1000).toFixed(3);
}

/** `room` gives the memory to write it into (the connector's slabs; a Buffer of its own by default). */
export function encodeHecEvent(ev: JournalEvent, cfg: SplunkHecDestinationConfig, room: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  let c = caches.get(cfg);
  if (c === undefined) caches.set(cfg, (c = { mid: new Map(), tail: new Map(), host: new Map() }));
  const k = ev.keys;
  const time = hecTime(k.time, ev.receivedAt);
  const host = k.host ?? k.sourceIp;
  const input = k.input ?? 'unknown';
  let head: string;
  if (host === undefined) head = `{"time":${time}`;
  else {
    if (host !== c.hostText || c.hostJson === undefined) {
      c.hostJson = cached(c.host, host, JSON.stringify, host) as string;
      c.hostText = host;
    }
    head = `{"time":${time},"host":${c.hostJson}`;
  }
  const sourcetype = k.sourcetype ?? cfg.sourcetype ?? DEFAULT_SOURCETYPE[ev.format];
  const index = k.index ?? cfg.index;
  const source = cfg.source ?? k.source ?? `siemgate:${input}`;
  if (c.lastMid === undefined || source !== c.source || sourcetype !== c.sourcetype || index !== c.index) {
    c.lastMid = cached(c.mid, `${source}\0${sourcetype}\0${index ?? ''}`, midOf, { source, sourcetype, index });
    c.source = source;
    c.sourcetype = sourcetype;
    c.index = index;
  }
  const mid = c.lastMid;
  const ip = k.sourceIp;
  if (c.lastTail === undefined || input !== c.input || ev.format !== c.format || ip !== c.ip) {
    c.lastTail = cached(c.tail, `${input}\0${ev.format}\0${ip ?? ''}`, tailOf, { input, format: ev.format, ip });
    c.input = input;
    c.format = ev.format;
    c.ip = ip;
  }
  const tail = c.lastTail;
  // the event text is already an escaped JSON string inside the document: spliced in as bytes
  const raw = (ev.format === 'json' ? undefined : originalJson(ev.doc)) ?? ev.doc;
  const headLen = Buffer.byteLength(head);
  const out = room(headLen + mid.length + raw.length + tail.length);
  out.write(head, 0);
  mid.copy(out, headLen);
  raw.copy(out, headLen + mid.length);
  tail.copy(out, headLen + mid.length + raw.length);
  return out;
}

/** The bytes of the JSON string `event.original` in an ECS document (quotes included), found without parsing it. */
export function originalJson(doc: Buffer): Buffer | undefined {
  const at = doc.indexOf(ORIGINAL);
  if (at < 0) return undefined;
  const start = at + ORIGINAL.length;
  if (doc[start] !== 34) return undefined;
  const end = stringEnd(doc, start);
  return end < 0 ? undefined : doc.subarray(start, end);
}
