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
  let sev = Number(pick(o.header.severity) ?? o.defaults.severity ?? 0);
  if (!Number.isFinite(sev)) sev = 0;
  sev = Math.max(0, Math.min(10, Math.round(sev)));
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

export function escapeHeader(s: string): string {
  return s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, ' ');
}

export function escapeValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
