import type { JournalEvent } from '../../src/journal/event-record';
import { hostNameOf, objectAt, peerIp, stringAt, type Doc } from './doc-fields';
import { cefTimeText, intText, isoText, jsonText, longText, realText, type ColumnSpec, type ColumnType, type RowContext } from './row-values';

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

const e = (wire: string, full: string, column?: string, type: ColumnType = 'string', also?: readonly [string, ColumnType]): ExtensionColumn =>
  ({ wire, full, column, type: column === undefined ? undefined : type, also });

const EXTENSIONS: ExtensionColumn[] = [
  e('act', 'deviceAction', 'DeviceAction'),
  e('app', 'applicationProtocol', 'ApplicationProtocol'),
  e('cat', 'deviceEventCategory', 'DeviceEventCategory'),
  e('cnt', 'baseEventCount', 'EventCount', 'int'),
  e('deviceDirection', 'deviceDirection', 'CommunicationDirection'),
  e('deviceExternalId', 'deviceExternalId', 'DeviceExternalID'),
  e('deviceFacility', 'deviceFacility', 'DeviceFacility'),
  e('deviceInboundInterface', 'deviceInboundInterface', 'DeviceInboundInterface'),
  e('deviceOutboundInterface', 'deviceOutboundInterface', 'DeviceOutboundInterface'),
  e('deviceProcessName', 'deviceProcessName', 'ProcessName'),
  e('deviceDnsDomain', 'deviceDnsDomain', 'DeviceDnsDomain'),
  e('deviceNtDomain', 'deviceNtDomain', 'DeviceNtDomain'),
  e('deviceTranslatedAddress', 'deviceTranslatedAddress', 'DeviceTranslatedAddress'),
  e('devicePayloadId', 'devicePayloadId', 'DevicePayloadId'),
  e('dvc', 'deviceAddress', 'DeviceAddress'),
  e('dvchost', 'deviceHostName', 'DeviceName'),
  e('dvcmac', 'deviceMacAddress', 'DeviceMacAddress'),
  e('dvcpid', 'deviceProcessId', 'ProcessID', 'int'),
  e('dtz', 'deviceTimeZone', 'DeviceTimeZone'),
  e('dst', 'destinationAddress', 'DestinationIP'),
  e('dhost', 'destinationHostName', 'DestinationHostName'),
  e('dmac', 'destinationMacAddress', 'DestinationMACAddress'),
  e('dntdom', 'destinationNtDomain', 'DestinationNTDomain'),
  e('dpt', 'destinationPort', 'DestinationPort', 'int'),
  e('dpid', 'destinationProcessId', 'DestinationProcessId', 'int'),
  e('dproc', 'destinationProcessName', 'DestinationProcessName'),
  e('duid', 'destinationUserId', 'DestinationUserID'),
  e('duser', 'destinationUserName', 'DestinationUserName'),
  e('dpriv', 'destinationUserPrivileges', 'DestinationUserPrivileges'),
  e('destinationTranslatedAddress', 'destinationTranslatedAddress', 'DestinationTranslatedAddress'),
  e('destinationTranslatedPort', 'destinationTranslatedPort', 'DestinationTranslatedPort', 'int'),
  e('destinationDnsDomain', 'destinationDnsDomain', 'DestinationDnsDomain'),
  e('destinationServiceName', 'destinationServiceName', 'DestinationServiceName'),
  e('src', 'sourceAddress', 'SourceIP'),
  e('shost', 'sourceHostName', 'SourceHostName'),
  e('smac', 'sourceMacAddress', 'SourceMACAddress'),
  e('sntdom', 'sourceNtDomain', 'SourceNTDomain'),
  e('spt', 'sourcePort', 'SourcePort', 'int'),
  e('spid', 'sourceProcessId', 'SourceProcessId', 'int'),
  e('sproc', 'sourceProcessName', 'SourceProcessName'),
  e('suid', 'sourceUserId', 'SourceUserID'),
  e('suser', 'sourceUserName', 'SourceUserName'),
  e('spriv', 'sourceUserPrivileges', 'SourceUserPrivileges'),
  e('sourceTranslatedAddress', 'sourceTranslatedAddress', 'SourceTranslatedAddress'),
  e('sourceTranslatedPort', 'sourceTranslatedPort', 'SourceTranslatedPort', 'int'),
  e('sourceDnsDomain', 'sourceDnsDomain', 'SourceDnsDomain'),
  e('sourceServiceName', 'sourceServiceName', 'SourceServiceName'),
  e('in', 'bytesIn', 'ReceivedBytes', 'long'),
  e('out', 'bytesOut', 'SentBytes', 'long'),
  e('proto', 'transportProtocol', 'Protocol'),
  e('request', 'requestUrl', 'RequestURL'),
  e('requestMethod', 'requestMethod', 'RequestMethod'),
  e('requestClientApplication', 'requestClientApplication', 'RequestClientApplication'),
  e('requestContext', 'requestContext', 'RequestContext'),
  e('requestCookies', 'requestCookies', 'RequestCookies'),
  e('msg', 'message', 'Message'),
  e('outcome', 'eventOutcome', 'EventOutcome'),
  e('reason', 'reason', 'Reason'),
  // ReceiptTime is a string column: the device's text as sent
  e('rt', 'deviceReceiptTime', 'ReceiptTime'),
  e('start', 'startTime', 'StartTime', 'datetime'),
  e('end', 'endTime', 'EndTime', 'datetime'),
  // ExternalID (int) is marked for deprecation in favour of ExtID (string) [S37]: both are filled
  e('externalId', 'externalId', 'ExtID', 'string', ['ExternalID', 'int']),
  e('type', 'type', 'EventType', 'int'),
  e('fname', 'filename', 'FileName'),
  e('filePath', 'filePath', 'FilePath'),
  e('fsize', 'fileSize', 'FileSize', 'int'),
  e('fileHash', 'fileHash', 'FileHash'),
  e('fileId', 'fileId', 'FileID'),
  e('fileType', 'fileType', 'FileType'),
  e('filePermission', 'filePermission', 'FilePermission'),
  e('fileCreateTime', 'fileCreateTime', 'FileCreateTime'),
  e('fileModificationTime', 'fileModificationTime', 'FileModificationTime'),
  e('oldFileName', 'oldFileName', 'OldFileName'),
  e('oldFilePath', 'oldFilePath', 'OldFilePath'),
  e('oldFileSize', 'oldFileSize', 'OldFileSize', 'int'),
  e('oldFileHash', 'oldFileHash', 'OldFileHash'),
  e('oldFileId', 'oldFileId', 'OldFileID'),
  e('oldFileType', 'oldFileType', 'OldFileType'),
  e('oldFilePermission', 'oldFilePermission', 'OldFilePermission'),
  e('oldFileCreateTime', 'oldFileCreateTime', 'OldFileCreateTime'),
  e('oldFileModificationTime', 'oldFileModificationTime', 'OldFileModificationTime'),
  // known keys without a column: kept in AdditionalExtensions under their wire name
  e('art', 'agentReceiptTime'), e('agt', 'agentAddress'), e('ahost', 'agentHostName'), e('aid', 'agentId'),
  e('amac', 'agentMacAddress'), e('at', 'agentType'), e('av', 'agentVersion'), e('atz', 'agentTimeZone'),
  e('catdt', 'categoryDeviceType'), e('dlat', 'destinationGeoLatitude'), e('dlong', 'destinationGeoLongitude'),
  e('slat', 'sourceGeoLatitude'), e('slong', 'sourceGeoLongitude'),
];
for (let n = 1; n <= 6; n++) {
  EXTENSIONS.push(e(`cs${n}`, `deviceCustomString${n}`, `DeviceCustomString${n}`), e(`cs${n}Label`, `deviceCustomString${n}Label`, `DeviceCustomString${n}Label`));
}
for (let n = 1; n <= 3; n++) {
  // DeviceCustomNumberN (int) is marked for deprecation in favour of FieldDeviceCustomNumberN (long) [S37]
  EXTENSIONS.push(e(`cn${n}`, `deviceCustomNumber${n}`, `FieldDeviceCustomNumber${n}`, 'long', [`DeviceCustomNumber${n}`, 'int']),
    e(`cn${n}Label`, `deviceCustomNumber${n}Label`, `DeviceCustomNumber${n}Label`));
}
for (let n = 1; n <= 4; n++) {
  EXTENSIONS.push(e(`cfp${n}`, `deviceCustomFloatingPoint${n}`, `DeviceCustomFloatingPoint${n}`, 'real'),
    e(`cfp${n}Label`, `deviceCustomFloatingPoint${n}Label`, `DeviceCustomFloatingPoint${n}Label`),
    e(`c6a${n}`, `deviceCustomIPv6Address${n}`, `DeviceCustomIPv6Address${n}`),
    e(`c6a${n}Label`, `deviceCustomIPv6Address${n}Label`, `DeviceCustomIPv6Address${n}Label`));
}
for (let n = 1; n <= 2; n++) {
  // DeviceCustomDate1..2 are string columns [S37]: the device's text as sent
  EXTENSIONS.push(e(`deviceCustomDate${n}`, `deviceCustomDate${n}`, `DeviceCustomDate${n}`),
    e(`deviceCustomDate${n}Label`, `deviceCustomDate${n}Label`, `DeviceCustomDate${n}Label`),
    e(`flexString${n}`, `flexString${n}`, `FlexString${n}`), e(`flexString${n}Label`, `flexString${n}Label`, `FlexString${n}Label`),
    e(`flexNumber${n}`, `flexNumber${n}`, `FlexNumber${n}`, 'int'), e(`flexNumber${n}Label`, `flexNumber${n}Label`, `FlexNumber${n}Label`));
}
EXTENSIONS.push(e('flexDate1', 'flexDate1', 'FlexDate1'), e('flexDate1Label', 'flexDate1Label', 'FlexDate1Label'));

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
