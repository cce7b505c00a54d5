import type { JournalEvent } from '../../src/journal/event-record';
import { hostNameOf, objectAt, peerIp, stringAt, type Doc } from './doc-fields';
import { cefTimeText, intText, isoText, jsonText, longText, realText, type ColumnSpec, type ColumnType, type RowContext } from './row-values';
import { cefFullName } from '../../src/pipeline/cef-names';

/**
 * One CEF event as a row of the CommonSecurityLog table (protocols.md §6.4), for a DCR stream
 * routed to `Microsoft-CommonSecurityLog` with `transformKql: source`
 * (docs/sentinel/dcr-commonsecuritylog.json declares exactly CSL_COLUMNS; a unit test keeps them
 * equal). The header goes to DeviceVendor … LogSeverity; each extension key goes to its column
 * per protocols.md §2.2 (Microsoft's CEF-to-CommonSecurityLog mapping), typed as §6.4 says.
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
}

/** The full name is the one the ECS writer stores the key under (one table: src/pipeline/cef-names.ts). */
const e = (wire: string, column?: string, type: ColumnType = 'string', also?: readonly [string, ColumnType]): ExtensionColumn =>
  ({ wire, full: cefFullName(wire), column, type: column === undefined ? undefined : type, also });

const EXTENSIONS: ExtensionColumn[] = [
  e('act', 'DeviceAction'),
  e('app', 'ApplicationProtocol'),
  e('cat', 'DeviceEventCategory'),
  e('cnt', 'EventCount', 'int'),
  e('deviceDirection', 'CommunicationDirection'),
  e('deviceExternalId', 'DeviceExternalID'),
  e('deviceFacility', 'DeviceFacility'),
  e('deviceInboundInterface', 'DeviceInboundInterface'),
  e('deviceOutboundInterface', 'DeviceOutboundInterface'),
  e('deviceProcessName', 'ProcessName'),
  e('deviceDnsDomain', 'DeviceDnsDomain'),
  e('deviceNtDomain', 'DeviceNtDomain'),
  e('deviceTranslatedAddress', 'DeviceTranslatedAddress'),
  e('devicePayloadId', 'DevicePayloadId'),
  e('dvc', 'DeviceAddress'),
  e('dvchost', 'DeviceName'),
  e('dvcmac', 'DeviceMacAddress'),
  e('dvcpid', 'ProcessID', 'int'),
  e('dtz', 'DeviceTimeZone'),
  e('dst', 'DestinationIP'),
  e('dhost', 'DestinationHostName'),
  e('dmac', 'DestinationMACAddress'),
  e('dntdom', 'DestinationNTDomain'),
  e('dpt', 'DestinationPort', 'int'),
  e('dpid', 'DestinationProcessId', 'int'),
  e('dproc', 'DestinationProcessName'),
  e('duid', 'DestinationUserID'),
  e('duser', 'DestinationUserName'),
  e('dpriv', 'DestinationUserPrivileges'),
  e('destinationTranslatedAddress', 'DestinationTranslatedAddress'),
  e('destinationTranslatedPort', 'DestinationTranslatedPort', 'int'),
  e('destinationDnsDomain', 'DestinationDnsDomain'),
  e('destinationServiceName', 'DestinationServiceName'),
  e('src', 'SourceIP'),
  e('shost', 'SourceHostName'),
  e('smac', 'SourceMACAddress'),
  e('sntdom', 'SourceNTDomain'),
  e('spt', 'SourcePort', 'int'),
  e('spid', 'SourceProcessId', 'int'),
  e('sproc', 'SourceProcessName'),
  e('suid', 'SourceUserID'),
  e('suser', 'SourceUserName'),
  e('spriv', 'SourceUserPrivileges'),
  e('sourceTranslatedAddress', 'SourceTranslatedAddress'),
  e('sourceTranslatedPort', 'SourceTranslatedPort', 'int'),
  e('sourceDnsDomain', 'SourceDnsDomain'),
  e('sourceServiceName', 'SourceServiceName'),
  e('in', 'ReceivedBytes', 'long'),
  e('out', 'SentBytes', 'long'),
  e('proto', 'Protocol'),
  e('request', 'RequestURL'),
  e('requestMethod', 'RequestMethod'),
  e('requestClientApplication', 'RequestClientApplication'),
  e('requestContext', 'RequestContext'),
  e('requestCookies', 'RequestCookies'),
  e('msg', 'Message'),
  e('outcome', 'EventOutcome'),
  e('reason', 'Reason'),
  // ReceiptTime is a string column: the device's text as sent
  e('rt', 'ReceiptTime'),
  e('start', 'StartTime', 'datetime'),
  e('end', 'EndTime', 'datetime'),
  // ExternalID (int) is marked for deprecation in favour of ExtID (string) [S37]: both are filled
  e('externalId', 'ExtID', 'string', ['ExternalID', 'int']),
  e('type', 'EventType', 'int'),
  e('fname', 'FileName'),
  e('filePath', 'FilePath'),
  e('fsize', 'FileSize', 'int'),
  e('fileHash', 'FileHash'),
  e('fileId', 'FileID'),
  e('fileType', 'FileType'),
  e('filePermission', 'FilePermission'),
  e('fileCreateTime', 'FileCreateTime'),
  e('fileModificationTime', 'FileModificationTime'),
  e('oldFileName', 'OldFileName'),
  e('oldFilePath', 'OldFilePath'),
  e('oldFileSize', 'OldFileSize', 'int'),
  e('oldFileHash', 'OldFileHash'),
  e('oldFileId', 'OldFileID'),
  e('oldFileType', 'OldFileType'),
  e('oldFilePermission', 'OldFilePermission'),
  e('oldFileCreateTime', 'OldFileCreateTime'),
  e('oldFileModificationTime', 'OldFileModificationTime'),
  // known keys without a column: kept in AdditionalExtensions under their wire name
  e('art'), e('agt'), e('ahost'), e('aid'),
  e('amac'), e('at'), e('av'), e('atz'),
  e('catdt'), e('dlat'), e('dlong'),
  e('slat'), e('slong'),
];
for (let n = 1; n <= 6; n++) {
  EXTENSIONS.push(e(`cs${n}`, `DeviceCustomString${n}`), e(`cs${n}Label`, `DeviceCustomString${n}Label`));
}
for (let n = 1; n <= 3; n++) {
  // DeviceCustomNumberN (int) is marked for deprecation in favour of FieldDeviceCustomNumberN (long) [S37]
  EXTENSIONS.push(e(`cn${n}`, `FieldDeviceCustomNumber${n}`, 'long', [`DeviceCustomNumber${n}`, 'int']),
    e(`cn${n}Label`, `DeviceCustomNumber${n}Label`));
}
for (let n = 1; n <= 4; n++) {
  EXTENSIONS.push(e(`cfp${n}`, `DeviceCustomFloatingPoint${n}`, 'real'),
    e(`cfp${n}Label`, `DeviceCustomFloatingPoint${n}Label`),
    e(`c6a${n}`, `DeviceCustomIPv6Address${n}`),
    e(`c6a${n}Label`, `DeviceCustomIPv6Address${n}Label`));
}
for (let n = 1; n <= 2; n++) {
  // DeviceCustomDate1..2 are string columns [S37]: the device's text as sent
  EXTENSIONS.push(e(`deviceCustomDate${n}`, `DeviceCustomDate${n}`),
    e(`deviceCustomDate${n}Label`, `DeviceCustomDate${n}Label`),
    e(`flexString${n}`, `FlexString${n}`), e(`flexString${n}Label`, `FlexString${n}Label`),
    e(`flexNumber${n}`, `FlexNumber${n}`, 'int'), e(`flexNumber${n}Label`, `FlexNumber${n}Label`));
}
EXTENSIONS.push(e('flexDate1', 'FlexDate1'), e('flexDate1Label', 'FlexDate1Label'));

const BY_FULL = new Map(EXTENSIONS.map((x) => [x.full, x]));

const HEAD_COLUMNS: ColumnSpec[] = [
  ['TimeGenerated', 'datetime'], ['DeviceVendor', 'string'], ['DeviceProduct', 'string'], ['DeviceVersion', 'string'],
  ['DeviceEventClassID', 'string'], ['Activity', 'string'], ['LogSeverity', 'string'], ['Computer', 'string'],
];
const TAIL_COLUMNS: ColumnSpec[] = [['AdditionalExtensions', 'string'], ['SourceSystem', 'string'], ['CollectorHostName', 'string']];

/** Every column a CommonSecurityLog row can have, in the order rows write them. */
export const CSL_COLUMNS: readonly ColumnSpec[] = [
  ...HEAD_COLUMNS,
  ...EXTENSIONS.flatMap((x): ColumnSpec[] => (x.column === undefined ? [] : x.also ? [[x.column, x.type!], [x.also[0], x.also[1]]] : [[x.column, x.type!]])),
  ...TAIL_COLUMNS,
];

// `,"Column":` per extension, built once
const COLUMN_HEAD = new Map(EXTENSIONS.filter((x) => x.column).map((x) => [x.full, `,"${x.column}":`]));
const ALSO_HEAD = new Map(EXTENSIONS.filter((x) => x.also).map((x) => [x.full, `,"${x.also![0]}":`]));

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
  const ext = objectAt(cef, 'extensions');
  if (ext !== undefined) {
    for (const full in ext) {
      const raw = ext[full];
      if (typeof raw !== 'string') continue;
      const x = BY_FULL.get(full);
      const text = x?.type === undefined ? undefined : typed(raw, x.type, ev.receivedAt);
      if (text === undefined) {
        additional += `${additional === '' ? '' : ';'}${x?.wire ?? full}=${raw}`;
        continue;
      }
      s += COLUMN_HEAD.get(full)! + text;
      if (x!.also !== undefined) {
        const second = typed(raw, x!.also[1], ev.receivedAt);
        if (second !== undefined) s += ALSO_HEAD.get(full)! + second;
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
