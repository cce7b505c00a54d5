import type { JournalEvent } from '../../src/journal/event-record';
import { hostNameOf, objectAt, peerIp, stringAt, type Doc } from './doc-fields';
import { cefTimeText, intText, isoText, jsonText, longText, realText, type ColumnSpec, type ColumnType, type RowContext } from './row-values';
import { cefFullName } from '../../src/pipeline/cef-names';
import { sentinelOutput } from '../../src/mapping/outputs';

/**
 * One CEF event as a row of the CommonSecurityLog table (protocols.md §6.4), for a DCR stream
 * routed to `Microsoft-CommonSecurityLog` with `transformKql: source`
 * (docs/sentinel/dcr-commonsecuritylog.json declares exactly cslColumns(); a unit test keeps them
 * equal). The header goes to DeviceVendor … LogSeverity; each extension key goes to its column
 * per protocols.md §2.2 (Microsoft's CEF-to-CommonSecurityLog mapping), typed as §6.4 says: the
 * table is mappings/outputs/sentinel.yaml.
 *
 * Keys without a column, and values that do not fit their column's type (a port that is not a
 * number, a date we cannot read), go to AdditionalExtensions as `key=value` pairs joined by `;`,
 * under the key as the device sent it: the shape Sentinel content parses with
 * `extract(@"key=([^;]+)", 1, AdditionalExtensions)` (e.g. Azure-Sentinel's Palo Alto hunting
 * queries split it on ";"; Cribl's CommonSecurityLog pack shows `PanOSApplicationRisk=5;…`).
 * Values are not escaped, as there: a `;` inside a value is ambiguous there too.
 */

interface ExtensionColumn {
  /** The key as devices send it (`spt`). */
  wire: string;
  /** The key as the ECS document stores it under cef.extensions (`sourcePort`). */
  full: string;
  column?: string;
  type?: ColumnType;
  /** A second column the value also fills (ExtID beside the deprecated int ExternalID, …). */
  also?: readonly [string, ColumnType];
  /** Device values written as the column's own (deviceDirection 0 → Inbound); others as they are. */
  values?: ReadonlyMap<string, string>;
}

const HEAD_COLUMNS: ColumnSpec[] = [
  ['TimeGenerated', 'datetime'], ['DeviceVendor', 'string'], ['DeviceProduct', 'string'], ['DeviceVersion', 'string'],
  ['DeviceEventClassID', 'string'], ['Activity', 'string'], ['LogSeverity', 'string'], ['Computer', 'string'],
];
const TAIL_COLUMNS: ColumnSpec[] = [['AdditionalExtensions', 'string'], ['SourceSystem', 'string'], ['CollectorHostName', 'string']];

interface Table {
  byFull: Map<string, ExtensionColumn>;
  columns: readonly ColumnSpec[];
  /** `,"Column":` per extension, built once. */
  columnHead: Map<string, string>;
  alsoHead: Map<string, string>;
}
let table: Table | undefined;

/**
 * The extension → column table of mappings/outputs/sentinel.yaml, read when first needed. The
 * full name is the one the ECS writer stores the key under (one table: src/pipeline/cef-names.ts).
 */
function tableOf(): Table {
  if (table !== undefined) return table;
  const exts: ExtensionColumn[] = sentinelOutput().cslExtensions.map((x) => ({ ...x, full: cefFullName(x.wire) }));
  table = {
    byFull: new Map(exts.map((x) => [x.full, x])),
    columns: [
      ...HEAD_COLUMNS,
      ...exts.flatMap((x): ColumnSpec[] => (x.column === undefined ? [] : x.also ? [[x.column, x.type!], [x.also[0], x.also[1]]] : [[x.column, x.type!]])),
      ...TAIL_COLUMNS,
    ],
    columnHead: new Map(exts.filter((x) => x.column).map((x) => [x.full, `,"${x.column}":`])),
    alsoHead: new Map(exts.filter((x) => x.also).map((x) => [x.full, `,"${x.also![0]}":`])),
  };
  return table;
}

/** Every column a CommonSecurityLog row can have, in the order rows write them. */
export function cslColumns(): readonly ColumnSpec[] {
  return tableOf().columns;
}

export function cefRow(doc: Doc, ev: JournalEvent, ctx: RowContext): string {
  const cef = objectAt(doc, 'cef');
  const device = objectAt(cef, 'device');
  let s = `{"TimeGenerated":${isoText(ev.receivedAt)}`;
  s = put(s, ',"DeviceVendor":', stringAt(device, 'vendor'));
  s = put(s, ',"DeviceProduct":', stringAt(device, 'product'));
  s = put(s, ',"DeviceVersion":', stringAt(device, 'version'));
  s = put(s, ',"DeviceEventClassID":', stringAt(device, 'event_class_id'));
  s = put(s, ',"Activity":', stringAt(cef, 'name'));
  s = put(s, ',"LogSeverity":', stringAt(cef, 'severity'));
  s = put(s, ',"Computer":', hostNameOf(doc) ?? peerIp(doc, ev.keys.sourceIp));
  let additional = '';
  const t = tableOf();
  const ext = objectAt(cef, 'extensions');
  if (ext !== undefined) {
    for (const full in ext) {
      const given = ext[full];
      if (typeof given !== 'string') continue;
      const x = t.byFull.get(full);
      const raw = x?.values?.get(given) ?? given;
      const text = x?.type === undefined ? undefined : typed(raw, x.type, ev.receivedAt);
      if (text === undefined) {
        additional += `${additional === '' ? '' : ';'}${x?.wire ?? full}=${raw}`;
        continue;
      }
      s += t.columnHead.get(full)! + text;
      if (x!.also !== undefined) {
        const second = typed(raw, x!.also[1], ev.receivedAt);
        if (second !== undefined) s += t.alsoHead.get(full)! + second;
      }
    }
  }
  if (additional !== '') s += `,"AdditionalExtensions":${jsonText(additional)}`;
  return s + ctx.collectorJson + '}';
}

function put(s: string, head: string, v: string | undefined): string {
  return v === undefined ? s : s + head + jsonText(v);
}

function typed(raw: string, type: ColumnType, receivedAt: number): string | undefined {
  switch (type) {
    case 'string': return jsonText(raw);
    case 'int': return intText(raw);
    case 'long': return longText(raw);
    case 'real': return realText(raw);
    case 'datetime': return cefTimeText(raw, receivedAt);
    default: return undefined;
  }
}
