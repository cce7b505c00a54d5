import type { SplunkHecDestinationConfig } from '../../src/config/types';
import type { JournalEvent } from '../../src/journal/event-record';
import type { Format } from '../../src/parse';

/**
 * One event as a HEC `/services/collector/event` object (protocols.md §4.2), newline-terminated so
 * a batch is the objects back to back. For syslog, CEF and LEEF sources `event` is the device's
 * raw text, as Splunk's add-ons (Cisco ASA, Palo Alto, CEF) expect to parse it; for JSON sources it
 * is the ECS document. The gateway's own metadata goes into indexed `fields` (flat strings only:
 * a nested object is code 15). host, source, sourcetype and index are set on every object: a value
 * on one batched object does not carry over to the next (§4.2).
 */
const DEFAULT_SOURCETYPE: Record<Format, string> = {
  rfc5424: 'syslog', rfc3164: 'syslog', cef: 'cef', leef: 'leef', kv: 'syslog', unknown: 'syslog', json: '_json',
};

const ORIGINAL = Buffer.from('"original":');

export function encodeHecEvent(ev: JournalEvent, cfg: SplunkHecDestinationConfig): Buffer {
  const k = ev.keys;
  const ms = k.time !== undefined ? Date.parse(k.time) : NaN;
  const time = ((Number.isNaN(ms) ? ev.receivedAt : ms) / 1000).toFixed(3);
  const host = k.host ?? k.sourceIp;
  const input = k.input ?? 'unknown';
  let s = `{"time":${time}`;
  if (host !== undefined) s += `,"host":${JSON.stringify(host)}`;
  s += `,"source":${JSON.stringify(cfg.source ?? `siemgate:${input}`)}`;
  s += `,"sourcetype":${JSON.stringify(k.sourcetype ?? cfg.sourcetype ?? DEFAULT_SOURCETYPE[ev.format])}`;
  const index = k.index ?? cfg.index;
  if (index !== undefined) s += `,"index":${JSON.stringify(index)}`;
  s += ',"event":';
  const raw = ev.format === 'json' ? undefined : originalJson(ev.doc);
  const fields = `,"fields":{"siemgate_input":${JSON.stringify(input)},"siemgate_format":"${ev.format}"` +
    (k.sourceIp !== undefined ? `,"siemgate_peer":${JSON.stringify(k.sourceIp)}` : '') + '}}\n';
  // the event text is already an escaped JSON string inside the document: spliced in as bytes
  return Buffer.concat([Buffer.from(s), raw ?? ev.doc, Buffer.from(fields)]);
}

/** The bytes of the JSON string `event.original` in an ECS document (quotes included), found without parsing it. */
export function originalJson(doc: Buffer): Buffer | undefined {
  const at = doc.indexOf(ORIGINAL);
  if (at < 0) return undefined;
  const start = at + ORIGINAL.length;
  if (doc[start] !== 34) return undefined;
  for (let i = start + 1; i < doc.length; i++) {
    const c = doc[i];
    if (c === 92) i++;
    else if (c === 34) return doc.subarray(start, i + 1);
  }
  return undefined;
}
