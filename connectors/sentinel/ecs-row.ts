import type { JournalEvent } from '../../src/journal/event-record';
import { hostNameOf, objectAt, peerIp, stringAt, type Doc } from './doc-fields';
import { eventTimeText, isOverlong, isoText, jsonText, MAX_FIELD_BYTES, type ColumnSpec, type RowContext } from './row-values';

/**
 * Any event as a row of the custom table `SiemgateEvents_CL` (docs/sentinel/dcr-ecs.json creates
 * the table and declares exactly these columns; a unit test keeps them equal).
 *
 * The ECS document goes into one `dynamic` column, `Ecs`, rather than flattened into hundreds of
 * columns: ECS has ~1,900 fields and JSON senders add their own, while a table holds at most 500
 * columns and each needs declaring in both the table and the DCR. KQL reads it as `Ecs.source.ip`.
 * A few columns are lifted out for cheap filters and for the 64 KB field limit: the message and
 * the raw event are the large strings, so they become their own columns (cut at 64 KB like any
 * string) and are removed from `Ecs`, which is not stored twice. Should `Ecs` still exceed the
 * limit (a huge JSON event), it is left out rather than cut into invalid JSON; `Truncated` says
 * that something was cut, here or at the input (max_message_bytes).
 */
export const ECS_COLUMNS: readonly ColumnSpec[] = [
  ['TimeGenerated', 'datetime'],
  ['EventTime', 'datetime'],
  ['Computer', 'string'],
  ['HostIP', 'string'],
  ['Input', 'string'],
  ['Format', 'string'],
  ['Dataset', 'string'],
  ['Message', 'string'],
  ['RawEvent', 'string'],
  ['Truncated', 'boolean'],
  ['Ecs', 'dynamic'],
  ['CollectorHostName', 'string'],
];

export function ecsRow(doc: Doc, ev: JournalEvent, ctx: RowContext): string {
  let s = `{"TimeGenerated":${isoText(ev.receivedAt)}`;
  const ts = eventTimeText(doc);
  if (ts !== undefined) s += `,"EventTime":${ts}`;
  const ip = peerIp(doc, ev.keys.sourceIp);
  const host = hostNameOf(doc) ?? ip;
  if (host !== undefined) s += `,"Computer":${jsonText(host)}`;
  if (ip !== undefined) s += `,"HostIP":${jsonText(ip)}`;
  const k = ev.keys;
  const input = k.input ?? stringAt(objectAt(doc, 'siemgate'), 'input');
  if (input !== undefined) s += `,"Input":${jsonText(input)}`;
  s += `,"Format":"${ev.format}"`;
  const dataset = k.dataset ?? stringAt(objectAt(doc, 'event'), 'dataset');
  if (dataset !== undefined) s += `,"Dataset":${jsonText(dataset)}`;

  let truncated = ev.truncated;
  const message = doc.message;
  if (typeof message === 'string') {
    truncated ||= isOverlong(message);
    s += `,"Message":${jsonText(message)}`;
    delete doc.message;
  }
  const event = objectAt(doc, 'event');
  const original = event?.original;
  if (typeof original === 'string') {
    truncated ||= isOverlong(original);
    s += `,"RawEvent":${jsonText(original)}`;
    delete event!.original;
  }
  const rest = JSON.stringify(doc);
  const fits = rest.length * 3 <= MAX_FIELD_BYTES || Buffer.byteLength(rest, 'utf8') <= MAX_FIELD_BYTES;
  s += `,"Truncated":${truncated || !fits}`;
  if (fits) s += `,"Ecs":${rest}`;
  return s + ctx.collectorHostJson + '}';
}
