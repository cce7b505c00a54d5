import type { JournalEvent } from '../../src/journal/event-record';
import { hostNameOf, numberAt, objectAt, peerIp, stringAt, type Doc } from './doc-fields';
import { eventTimeText, intText, isoText, jsonText, type ColumnSpec, type RowContext } from './row-values';

/**
 * One event as a row of the Syslog table (protocols.md §6.3), for a DCR stream routed to
 * `Microsoft-Syslog` with `transformKql: source` (docs/sentinel/dcr-syslog.json declares exactly
 * these columns; a unit test keeps them equal).
 *
 * TimeGenerated is when the gateway received the event and EventTime the device's own stamp,
 * as the Azure Monitor Agent fills them. Facility and SeverityLevel are the names the agent
 * writes: the facility names of a DCR's syslog data source (`kern` … `local7`, e.g. the
 * azurerm/ARM `facilityNames` list "alert, audit, auth, authpriv, clock, cron, daemon, ftp, kern,
 * local0-7, lpr, mail, news, nopri, ntp, syslog, user, uucp") in rsyslog's code order, and the
 * severity keywords queried as `Syslog | where SeverityLevel == "err"` in Microsoft's Log
 * Analytics tutorial (emerg, alert, crit, err, warning, notice, info, debug).
 */
export const SYSLOG_COLUMNS: readonly ColumnSpec[] = [
  ['TimeGenerated', 'datetime'],
  ['EventTime', 'datetime'],
  ['Computer', 'string'],
  ['HostName', 'string'],
  ['HostIP', 'string'],
  ['Facility', 'string'],
  ['SeverityLevel', 'string'],
  ['ProcessID', 'int'],
  ['ProcessName', 'string'],
  ['SyslogMessage', 'string'],
  ['SourceSystem', 'string'],
  ['CollectorHostName', 'string'],
];

export const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

// name → JSON text, built once
const FACILITY_JSON = FACILITY_NAMES.map((n) => `"${n}"`);
const SEVERITY_JSON = SEVERITY_NAMES.map((n) => `"${n}"`);

export function syslogRow(doc: Doc, ev: JournalEvent, ctx: RowContext): string {
  const syslog = objectAt(objectAt(doc, 'log'), 'syslog');
  const process = objectAt(doc, 'process');
  let s = `{"TimeGenerated":${isoText(ev.receivedAt)}`;
  const ts = eventTimeText(doc);
  if (ts !== undefined) s += `,"EventTime":${ts}`;
  const ip = peerIp(doc, ev.keys.sourceIp);
  const host = hostNameOf(doc) ?? ip;
  if (host !== undefined) {
    const h = jsonText(host);
    s += `,"Computer":${h},"HostName":${h}`;
  }
  if (ip !== undefined) s += `,"HostIP":${jsonText(ip)}`;
  const fac = numberAt(objectAt(syslog, 'facility'), 'code');
  if (fac !== undefined && FACILITY_JSON[fac] !== undefined) s += `,"Facility":${FACILITY_JSON[fac]}`;
  const sev = numberAt(objectAt(syslog, 'severity'), 'code');
  if (sev !== undefined && SEVERITY_JSON[sev] !== undefined) s += `,"SeverityLevel":${SEVERITY_JSON[sev]}`;
  const pid = numberAt(process, 'pid');
  const pidText = pid !== undefined ? intText(String(pid)) : procidText(stringAt(syslog, 'procid'));
  if (pidText !== undefined) s += `,"ProcessID":${pidText}`;
  const name = stringAt(process, 'name') ?? stringAt(syslog, 'appname');
  if (name !== undefined) s += `,"ProcessName":${jsonText(name)}`;
  const msg = stringAt(doc, 'message') ?? stringAt(objectAt(doc, 'event'), 'original');
  if (msg !== undefined) s += `,"SyslogMessage":${jsonText(msg)}`;
  return s + ctx.collectorJson + '}';
}

function procidText(procid: string | undefined): string | undefined {
  return procid === undefined ? undefined : intText(procid);
}
