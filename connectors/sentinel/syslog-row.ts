import type { JournalEvent } from '../../src/journal/event-record';
import { firstString, hostNameOf, numberAt, objectAt, peerIp, stringAt, type Doc } from './doc-fields';
import { sentinelOutput } from '../../src/mapping/outputs';
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

// From mappings/outputs/sentinel.yaml, read when the first row is made: names as JSON text, built once
let names: { facility: string[]; severity: string[]; processName: string[][]; message: string[][] } | undefined;
function namesOf(): NonNullable<typeof names> {
  if (names !== undefined) return names;
  const o = sentinelOutput().syslog;
  names = { facility: o.facilityNames.map((n) => JSON.stringify(n)), severity: o.severityNames.map((n) => JSON.stringify(n)), processName: o.processName, message: o.message };
  return names;
}

export function syslogRow(doc: Doc, ev: JournalEvent, ctx: RowContext): string {
  const n = namesOf();
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
  if (fac !== undefined && n.facility[fac] !== undefined) s += `,"Facility":${n.facility[fac]}`;
  const sev = numberAt(objectAt(syslog, 'severity'), 'code');
  if (sev !== undefined && n.severity[sev] !== undefined) s += `,"SeverityLevel":${n.severity[sev]}`;
  const pid = numberAt(process, 'pid');
  const pidText = pid !== undefined ? intText(String(pid)) : procidText(stringAt(syslog, 'procid'));
  if (pidText !== undefined) s += `,"ProcessID":${pidText}`;
  const name = firstString(doc, n.processName);
  if (name !== undefined) s += `,"ProcessName":${jsonText(name)}`;
  const msg = firstString(doc, n.message);
  if (msg !== undefined) s += `,"SyslogMessage":${jsonText(msg)}`;
  return s + ctx.collectorJson + '}';
}

function procidText(procid: string | undefined): string | undefined {
  return procid === undefined ? undefined : intText(procid);
}
