import { valueAt } from './examples';
import { cefOutput } from './outputs';

/**
 * An ECS document as one CEF line (`CEF:0|…|ext`), by mappings/outputs/cef.yaml. Escaping as
 * ArcSight's spec: header `\` and `|`; extension values `\`, `=`, and line breaks as \n / \r.
 */
export function ecsToCef(doc: Record<string, unknown>): string {
  const o = cefOutput();
  const pick = (names: string[]): string | undefined => {
    for (const n of names) {
      let v = valueAt(doc, n);
      if (Array.isArray(v)) v = v[0];
      if (v !== undefined && v !== null && v !== '') return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return undefined;
  };
  const head = (k: keyof typeof o.header): string => escapeHeader(pick(o.header[k]) ?? o.defaults[k] ?? '');
  const sev = cefSeverity(doc, o.header.severity, Number(o.defaults.severity ?? 0));
  const ext: string[] = [];
  for (const [key, names] of o.extensions) {
    let v = pick(names);
    if (v === undefined) continue;
    if (key === 'rt') { const ms = Date.parse(v); if (Number.isNaN(ms)) continue; v = String(ms); }
    if (key === 'deviceDirection') { if (v !== 'inbound' && v !== 'outbound') continue; v = v === 'inbound' ? '0' : '1'; }
    if (key === 'cs1Label') { ext.push(`cs1=${escapeValue(v)}`, 'cs1Label=Rule'); continue; }
    ext.push(`${key}=${escapeValue(v)}`);
  }
  return `CEF:0|${head('vendor')}|${head('product')}|${head('version')}|${head('signature')}|${head('name')}|${sev}|${ext.join(' ')}`;
}

/**
 * Syslog severity code (0 emergency … 7 debug) → CEF severity (0 … 10, 10 the worst), by
 * ArcSight's bands (0-3 Low, 4-6 Medium, 7-8 High, 9-10 Very-High): emergency, alert and critical
 * are Very-High, error High, warning Medium, notice and informational Low, debug 0.
 */
const SYSLOG_TO_CEF = [10, 10, 9, 7, 5, 3, 1, 0];

/**
 * The header's severity from the first field of `names` the document has. cef.severity is CEF's
 * own scale; log.syslog.severity.code (and an event.severity in a document with a syslog header,
 * which the mappings take from the same scale, Cisco's %ASA-6- for one) count the other way and
 * are translated: informational 6 must not read as CEF 6, Medium.
 */
function cefSeverity(doc: Record<string, unknown>, names: string[], fallback: number): number {
  const syslogScale = valueAt(doc, 'log.syslog.severity.code') !== undefined && valueAt(doc, 'cef.severity') === undefined;
  for (const n of names) {
    const raw = valueAt(doc, n);
    const v = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(v)) continue;
    if (n === 'log.syslog.severity.code' || (n === 'event.severity' && syslogScale)) return SYSLOG_TO_CEF[Math.max(0, Math.min(7, Math.round(v)))];
    return Math.max(0, Math.min(10, Math.round(v)));
  }
  return Math.max(0, Math.min(10, Math.round(fallback)));
}

export function escapeHeader(s: string): string {
  return s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, ' ');
}

export function escapeValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
