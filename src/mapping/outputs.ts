import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
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
