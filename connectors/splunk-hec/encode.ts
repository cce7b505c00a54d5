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
interface HecCache { mid: Map<string, Buffer>; tail: Map<string, Buffer>; host: Map<string, string> }
const caches = new WeakMap<SplunkHecDestinationConfig, HecCache>();
const CACHE_MAX = 4096;

function cached<T>(m: Map<string, T>, key: string, make: () => T): T {
  let v = m.get(key);
  if (v === undefined) {
    if (m.size >= CACHE_MAX) m.clear();
    v = make();
    m.set(key, v);
  }
  return v;
}

/** `room` gives the memory to write it into (the connector's slabs; a Buffer of its own by default). */
export function encodeHecEvent(ev: JournalEvent, cfg: SplunkHecDestinationConfig, room: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  let c = caches.get(cfg);
  if (c === undefined) caches.set(cfg, (c = { mid: new Map(), tail: new Map(), host: new Map() }));
  const k = ev.keys;
  const ms = k.time !== undefined ? Date.parse(k.time) : NaN;
  const time = ((Number.isNaN(ms) ? ev.receivedAt : ms) / 1000).toFixed(3);
  const host = k.host ?? k.sourceIp;
  const input = k.input ?? 'unknown';
  const head = host === undefined ? `{"time":${time}` : `{"time":${time},"host":${cached(c.host, host, () => JSON.stringify(host))}`;
  const sourcetype = k.sourcetype ?? cfg.sourcetype ?? DEFAULT_SOURCETYPE[ev.format];
  const index = k.index ?? cfg.index;
  const source = cfg.source ?? k.source ?? `siemgate:${input}`;
  const mid = cached(c.mid, `${source}\0${sourcetype}\0${index ?? ''}`, () => Buffer.from(
    `,"source":${JSON.stringify(source)},"sourcetype":${JSON.stringify(sourcetype)}` +
    (index !== undefined ? `,"index":${JSON.stringify(index)}` : '') + ',"event":'));
  const tail = cached(c.tail, `${input}\0${ev.format}\0${k.sourceIp ?? ''}`, () => Buffer.from(
    `,"fields":{"siemgate_input":${JSON.stringify(input)},"siemgate_format":"${ev.format}"` +
    (k.sourceIp !== undefined ? `,"siemgate_peer":${JSON.stringify(k.sourceIp)}` : '') + '}}\n'));
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
