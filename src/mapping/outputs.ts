import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Format } from '../parse';
import { E } from '../errors';
import { shippedMappingsDir } from './load';

/**
 * Output mappings (mappings/outputs/): ECS to CEF, and the Splunk sourcetype of unmapped events.
 * Read once, when first needed; a broken file is an SG_MAPPING_INVALID like a source mapping's.
 */
export interface CefOutput {
  header: Record<'vendor' | 'product' | 'version' | 'signature' | 'name' | 'severity', string[]>;
  defaults: Record<string, string>;
  extensions: Array<[string, string[]]>;
}

const FORMATS: Format[] = ['rfc5424', 'rfc3164', 'cef', 'leef', 'kv', 'json', 'unknown'];
let cef: CefOutput | undefined;
let splunk: Record<Format, string> | undefined;

function read(name: string): Record<string, unknown> {
  const file = join(shippedMappingsDir(), 'outputs', name);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require('yaml') as typeof import('yaml'); // on first use only (see load.ts)
    const v = parse(readFileSync(file, 'utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a mapping of keys');
    return v as Record<string, unknown>;
  } catch (err) {
    throw E.MAPPING_INVALID([`${file}: ${(err as Error).message}`]);
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export function cefOutput(): CefOutput {
  if (cef !== undefined) return cef;
  const raw = read('cef.yaml');
  const h = (raw.header ?? {}) as Record<string, unknown>;
  const ext = (raw.extensions ?? {}) as Record<string, unknown>;
  cef = {
    header: {
      vendor: list(h.vendor), product: list(h.product), version: list(h.version),
      signature: list(h.signature), name: list(h.name), severity: list(h.severity),
    },
    defaults: Object.fromEntries(Object.entries((raw.defaults ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    extensions: Object.entries(ext).map(([k, v]) => [k, list(v)]),
  };
  return cef;
}

export function splunkSourcetypes(): Record<Format, string> {
  if (splunk !== undefined) return splunk;
  const raw = (read('splunk.yaml').sourcetype ?? {}) as Record<string, unknown>;
  const missing = FORMATS.filter((f) => typeof raw[f] !== 'string');
  if (missing.length > 0) throw E.MAPPING_INVALID([`${join(shippedMappingsDir(), 'outputs', 'splunk.yaml')}: sourcetype: no value for ${missing.join(', ')}`]);
  splunk = raw as Record<Format, string>;
  return splunk;
}

export type SentinelColumnType = 'string' | 'int' | 'long' | 'real' | 'datetime';
const COLUMN_TYPES: readonly string[] = ['string', 'int', 'long', 'real', 'datetime'];

/** mappings/outputs/sentinel.yaml, checked: ECS fields as paths, columns with their types. */
export interface SentinelOutput {
  /** Computer / HostName: the first of these ECS fields the document has. */
  computer: string[][];
  syslog: { processName: string[][]; message: string[][]; facilityNames: string[]; severityNames: string[] };
  /** CEF extension keys (as devices send them) → CommonSecurityLog column; no column: AdditionalExtensions. */
  cslExtensions: Array<{ wire: string; column?: string; type?: SentinelColumnType; also?: readonly [string, SentinelColumnType]; values?: ReadonlyMap<string, string> }>;
}

let sentinel: SentinelOutput | undefined;

export function sentinelOutput(): SentinelOutput {
  if (sentinel !== undefined) return sentinel;
  const file = join(shippedMappingsDir(), 'outputs', 'sentinel.yaml');
  const raw = read('sentinel.yaml');
  const problems: string[] = [];
  const paths = (v: unknown, at: string): string[][] => {
    const l = list(v);
    if (l.length === 0) problems.push(`${at}: a list of ECS fields is required`);
    return l.map((f) => f.split('.'));
  };
  const columnOf = (v: unknown, at: string): { column: string; type: SentinelColumnType } | undefined => {
    const o = typeof v === 'string' ? { column: v } : (v ?? {}) as Record<string, unknown>;
    const type = String(o.type ?? 'string');
    if (typeof o.column !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(o.column)) { problems.push(`${at}: column must be a column name`); return undefined; }
    if (!COLUMN_TYPES.includes(type)) { problems.push(`${at}: type ${JSON.stringify(type)} is not one of ${COLUMN_TYPES.join(', ')}`); return undefined; }
    return { column: o.column, type: type as SentinelColumnType };
  };
  const sys = (raw.syslog ?? {}) as Record<string, unknown>;
  const cols = (sys.columns ?? {}) as Record<string, unknown>;
  const csl = (raw.commonsecuritylog ?? {}) as Record<string, unknown>;
  const ext = (csl.extensions ?? {}) as Record<string, unknown>;
  const cslExtensions: SentinelOutput['cslExtensions'] = [];
  for (const [wire, v] of Object.entries(ext)) {
    const c = columnOf(v, `commonsecuritylog.extensions.${wire}`);
    if (c === undefined) continue;
    const alsoRaw = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).also : undefined;
    const also = alsoRaw === undefined ? undefined : columnOf(alsoRaw, `commonsecuritylog.extensions.${wire}.also`);
    // values: what a device's code reads as in the column (deviceDirection 0/1 → Inbound/Outbound)
    const valuesRaw = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).values : undefined;
    let values: Map<string, string> | undefined;
    if (valuesRaw !== undefined) {
      if (valuesRaw === null || typeof valuesRaw !== 'object' || Array.isArray(valuesRaw) || Object.values(valuesRaw).some((x) => typeof x !== 'string')) {
        problems.push(`commonsecuritylog.extensions.${wire}.values: a table of device value → column value (strings) is required`);
      } else values = new Map(Object.entries(valuesRaw as Record<string, string>));
    }
    cslExtensions.push({ wire, ...c, ...(also !== undefined ? { also: [also.column, also.type] as const } : {}), ...(values !== undefined ? { values } : {}) });
  }
  for (const wire of list(csl.additional)) cslExtensions.push({ wire });
  const out: SentinelOutput = {
    computer: paths(raw.computer, 'computer'),
    syslog: {
      processName: paths(cols.ProcessName, 'syslog.columns.ProcessName'), message: paths(cols.SyslogMessage, 'syslog.columns.SyslogMessage'),
      facilityNames: list(sys.facility_names), severityNames: list(sys.severity_names),
    },
    cslExtensions,
  };
  if (out.syslog.facilityNames.length !== 24) problems.push(`syslog.facility_names: ${out.syslog.facilityNames.length} names; syslog has 24 facilities (codes 0-23)`);
  if (out.syslog.severityNames.length !== 8) problems.push(`syslog.severity_names: ${out.syslog.severityNames.length} names; syslog has 8 severities (codes 0-7)`);
  if (problems.length > 0) throw E.MAPPING_INVALID(problems.map((p) => `${file}: ${p}`));
  sentinel = out;
  return sentinel;
}
