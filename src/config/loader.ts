import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { E } from '../errors';
import { destinationSchemas, inputSchemas, topSchema } from './schema';
import { toConfig } from './convert';
import { pathText } from './path-text';
import type { Config } from './types';

type Path = Array<string | number>;

/** A YAML document with what is needed to say "file:line key" about any place in it. */
interface Located {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validators = {
  top: ajv.compile(topSchema),
  inputs: compileAll(inputSchemas),
  destinations: compileAll(destinationSchemas),
};

function compileAll(schemas: Record<string, Record<string, unknown>>): Record<string, ValidateFunction> {
  const out: Record<string, ValidateFunction> = {};
  for (const [type, schema] of Object.entries(schemas)) out[type] = ajv.compile(schema);
  return out;
}

/** Reads, expands, validates and converts a config file. Throws one SG_CONFIG_* error listing every problem. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw E.CONFIG_READ(file, (err as Error).message);
  }
  return loadConfigText(text, file, env);
}

export function loadConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    // with prettyErrors off, linePos is not filled in: the line comes from the error's offset
    const line = first.linePos?.[0]?.line ?? lines.linePos(first.pos[0]).line;
    throw E.CONFIG_YAML(file, line, first.message.split('\n')[0]);
  }
  const at: Located = { file, doc, lines };
  expandEnv(at, env);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw E.CONFIG_INVALID(file, [`line 1: the file must be a mapping of keys (data_dir, inputs, destinations, ...)`]);
  }
  const problems = validate(at, raw);
  if (problems.length > 0) {
    // what the conversion finds (an unknown zone, a port taken twice) is said in the same round, so
    // an operator does not fix one list to be shown the next; it assumes the shapes the schema
    // checks, so where they are wrong it may stop short: what it found until then is kept
    const more: string[] = [];
    try {
      more.push(...toConfig(raw, file, (path) => lineOf(at, path)).problems);
    } catch { /* a shape the schema refused: its problem is listed already */ }
    throw E.CONFIG_INVALID(file, byLine([...problems, ...more.filter((p) => !problems.includes(p))]));
  }
  const converted = toConfig(raw, file, (path) => lineOf(at, path));
  if (converted.problems.length > 0) throw E.CONFIG_INVALID(file, byLine(converted.problems));
  return converted.config;
}

/** ${NAME} in any string scalar is replaced by the environment variable; an unset one is an error with its line. */
function expandEnv(at: Located, env: NodeJS.ProcessEnv): void {
  // every unset variable at once: an operator filling in a config should not need a run per name
  const missing: Array<{ line: number; name: string }> = [];
  visit(at.doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
        const value = env[name];
        if (value === undefined) {
          missing.push({ line: at.lines.linePos(node.range?.[0] ?? 0).line, name });
          return m;
        }
        return value;
      });
    },
  });
  if (missing.length > 0) throw E.CONFIG_ENV(at.file, missing);
}

function validate(at: Located, raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!validators.top(raw)) problems.push(...describe(at, [], validators.top.errors ?? []));
  for (const [list, table] of [['inputs', validators.inputs], ['destinations', validators.destinations]] as const) {
    const items = raw[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i: number) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return; // reported by top
      const type = (item as Record<string, unknown>).type;
      const check = typeof type === 'string' ? table[type] : undefined;
      if (!check) {
        problems.push(`${where(at, [list, i, 'type'])}: unknown type ${JSON.stringify(type)}; expected one of: ${Object.keys(table).join(', ')}`);
        return;
      }
      if (!check(item)) problems.push(...describe(at, [list, i], check.errors ?? []));
    });
  }
  return problems;
}

function describe(at: Located, base: Path, errors: ErrorObject[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf branches repeat the same complaint; the summary line of the anyOf says it once.
    if (e.schemaPath.includes('/anyOf/')) continue;
    const path = [...base, ...e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')))];
    let msg: string;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        path.push(key);
        const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        msg = `unknown key; expected one of: ${allowed.join(', ')}`;
        break;
      }
      case 'required':
        msg = `missing required key ${(e.params as { missingProperty: string }).missingProperty}`;
        break;
      case 'enum':
        msg = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}${given(e.data)}`;
        break;
      case 'const':
        msg = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'anyOf':
        msg = `must be ${String((e.parentSchema as { description?: string }).description ?? 'a valid value').replace(/^.*?(A number of bytes.*)$/, '$1').replace(/\.$/, '').replace(/^A/, 'a')}`;
        break;
      case 'pattern':
        msg = `${JSON.stringify(e.data)} is not valid here: ${String((e.parentSchema as { description?: string }).description ?? `must match ${(e.params as { pattern: string }).pattern}`)}`;
        break;
      default:
        msg = `${e.message ?? 'is not valid'}${given(e.data)}`;
    }
    const line = `${where(at, path)}: ${msg}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

/** What the file gave, for a message about a value (an empty ${ENV} shows as ""). */
function given(data: unknown): string {
  if (data === undefined || (typeof data === 'object' && data !== null)) return '';
  const text = JSON.stringify(data);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

function where(at: Located, path: Path): string {
  return `line ${lineOf(at, path)}: ${pathText(path) || '(top level)'}`;
}

/** The line of the deepest node along `path` that exists (the key's line for a map entry). */
function lineOf(at: Located, path: Path): number {
  let node: unknown = at.doc.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0] ?? 0;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === step);
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as { range?: [number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return at.lines.linePos(offset).line;
}

/** Problems in file order (they are found section by section): `line N: …` sorted by N, stably. */
function byLine(problems: string[]): string[] {
  const lineOf = (p: string) => Number(/^line (\d+)/.exec(p)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return problems.map((p, i) => ({ p, i, l: lineOf(p) })).sort((a, b) => a.l - b.l || a.i - b.i).map((x) => x.p);
}
