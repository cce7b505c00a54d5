import { compileDissect, runDissect } from './extract/dissect';
import { runCsv } from './extract/csv';
import { runKv } from './extract/kv';
import { compileTimeFormat, type TimeParser } from './extract/time-pattern';
import { asText, getter, put, traceStep, warn, type Getter, type Scope } from './scope';
import { CONVERTERS, convertValue, converted, type Converter } from './convert';

/**
 * The steps a mapping runs, each compiled once into a closure over its options. A step answers
 * false when its pattern does not match (a rule with such a step does not apply); steps that
 * only set or convert always answer true.
 */
export type Step = (s: Scope) => boolean;

/** Reports a problem in a step's options; `key` is relative to the step. */
export type Problem = (key: string, why: string) => void;

const ANY = /[^A-Za-z0-9_]/;

export function regexStep(pattern: string, from: string, bad: Problem): Step | undefined {
  // JavaScript group names cannot hold dots; `(?<source.ip>…)` is renamed and mapped back
  const targets: Array<[string, string]> = [];
  let n = 0;
  const src = pattern.replace(/\(\?<([^>=!][^>]*)>/g, (_m, name: string) => {
    const g = ANY.test(name) ? `g${n++}_` : name;
    targets.push([g, name]);
    return `(?<${g}>`;
  });
  let re: RegExp;
  try {
    re = new RegExp(src);
  } catch (err) {
    bad('regex', `not a valid regular expression: ${(err as Error).message}`);
    return undefined;
  }
  if (targets.length === 0) bad('regex', 'no named group (?<field>…): the step would set nothing');
  const get = getter(from);
  const label = `regex on ${from}`;
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    const m = re.exec(text);
    if (m === null || m.groups === undefined) return false;
    const set = traceStep(s, label);
    for (const [g, name] of targets) put(s, name, m.groups[g], set);
    return true;
  };
}

export function dissectStep(pattern: string, from: string, bad: Problem): Step | undefined {
  let p: ReturnType<typeof compileDissect>;
  try {
    p = compileDissect(pattern);
  } catch (err) {
    bad('dissect', (err as Error).message);
    return undefined;
  }
  const get = getter(from);
  const values: string[] = [];
  const label = `dissect on ${from}`;
  return (s) => {
    const text = asText(get(s));
    if (text === undefined || !runDissect(p, text, values)) return false;
    const set = traceStep(s, label);
    for (let i = 0; i < p.fields.length; i++) {
      const f = p.fields[i];
      if (f.name === undefined) continue;
      let v: string = values[i];
      if (f.padded) v = v.trimEnd();
      if (f.append) {
        const prev = asText(s.vals.get(f.name));
        if (prev !== undefined) v = `${prev} ${v}`;
      }
      put(s, f.name, v, set);
    }
    return true;
  };
}

/** kv: mapped keys go to their fields; every key is also readable as `_kv.<key>`. */
export function kvStep(opts: { from: string; separator: string; delimiter: string; fields: Record<string, string> }): Step {
  const get = getter(opts.from);
  const label = `kv on ${opts.from}`;
  const o = { separator: opts.separator, delimiter: opts.delimiter };
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    const set = traceStep(s, label);
    let any = false;
    runKv(text, o, (k, v) => {
      any = true;
      s.vals.set(`_kv.${k}`, v);
      const target = opts.fields[k];
      if (target !== undefined) put(s, target, v, set);
    });
    return any;
  };
}

export function csvStep(opts: { from: string; separator: string; fields: Array<string | null>; minFields: number }): Step {
  const get = getter(opts.from);
  const label = `csv on ${opts.from}`;
  const cols: string[] = [];
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    const n = runCsv(text, opts.separator, cols);
    if (n < opts.minFields) return false;
    const set = traceStep(s, label);
    const m = Math.min(n, opts.fields.length);
    for (let i = 0; i < m; i++) {
      const name = opts.fields[i];
      if (name !== null) put(s, name, cols[i], set);
    }
    return true;
  };
}

export function jsonStep(opts: { from: string; fields: Record<string, string> }): Step {
  const get = getter(opts.from);
  const paths = Object.entries(opts.fields).map(([p, t]) => [p.split('.'), t] as const);
  const label = `json on ${opts.from}`;
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return false;
    }
    if (obj === null || typeof obj !== 'object') return false;
    const set = traceStep(s, label);
    for (const [path, target] of paths) {
      let v: unknown = obj;
      for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
      put(s, target, v, set);
    }
    return true;
  };
}

/**
 * set: literal values, or templates with {{name}}. A value that is exactly one {{name}} copies
 * that value as it is (a number stays a number); a template naming an absent field sets nothing.
 */
export function setStep(values: Record<string, unknown>, label = 'set'): Step {
  const setters: Array<(s: Scope, set: Record<string, unknown> | undefined) => void> = [];
  for (const [field, v] of Object.entries(values)) {
    const make = template(v);
    setters.push((s, set) => put(s, field, make(s), set));
  }
  return (s) => {
    const set = traceStep(s, label);
    for (const f of setters) f(s, set);
    return true;
  };
}

function template(v: unknown): (s: Scope) => unknown {
  if (Array.isArray(v)) {
    const parts = v.map(template);
    return (s) => {
      const out: unknown[] = [];
      for (const p of parts) {
        const x = p(s);
        if (Array.isArray(x)) { for (const y of x) if (y !== undefined && y !== '' && !out.includes(y)) out.push(y); }
        else if (x !== undefined && x !== '' && !out.includes(x)) out.push(x);
      }
      return out.length === 0 ? undefined : out;
    };
  }
  if (typeof v !== 'string' || !v.includes('{{')) return () => v;
  const whole = /^\{\{\s*([^}\s]+)\s*\}\}$/.exec(v);
  if (whole !== null) {
    const g = getter(whole[1]);
    return (s) => g(s);
  }
  const pieces: Array<string | Getter> = [];
  let last = 0;
  for (const m of v.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
    if (m.index! > last) pieces.push(v.slice(last, m.index));
    pieces.push(getter(m[1]));
    last = m.index! + m[0].length;
  }
  if (last < v.length) pieces.push(v.slice(last));
  return (s) => {
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') { out += p; continue; }
      const x = asText(p(s));
      if (x === undefined) return undefined;
      out += x;
    }
    return out;
  };
}

export function convertStep(fields: Record<string, string>, bad: Problem): Step {
  const list: Array<[string, Converter]> = [];
  for (const [f, c] of Object.entries(fields)) {
    if (!(CONVERTERS as readonly string[]).includes(c)) bad(f, `unknown converter ${JSON.stringify(c)}; one of ${CONVERTERS.join(', ')}`);
    else list.push([f, c as Converter]);
  }
  return (s) => {
    for (const [f, c] of list) {
      const v = s.vals.get(f);
      if (v === undefined) continue;
      const out = convertValue(v, c);
      if (converted(out)) s.vals.set(f, out);
      else {
        s.vals.delete(f);
        warn(s, `${f}: ${JSON.stringify(v)} is not ${c === 'ip' ? 'an IP address' : `a ${c}`}`);
      }
    }
    return true;
  };
}

/** lookup: a table from one field's value to another field's; `default` when absent from the table. */
export function lookupStep(target: string, from: string, table: Record<string, unknown>, dflt: unknown, caseless: boolean): Step {
  const get = getter(from);
  const t = new Map<string, unknown>();
  for (const [k, v] of Object.entries(table)) t.set(caseless ? k.toLowerCase() : k, v);
  const label = `lookup ${from} → ${target}`;
  return (s) => {
    const key = asText(get(s));
    let v = key === undefined ? undefined : t.get(caseless ? key.toLowerCase() : key);
    if (v === undefined && key !== undefined) v = dflt;
    if (v !== undefined) put(s, target, v, traceStep(s, label));
    return true;
  };
}

export function timestampStep(from: string, formats: string[], zone: string | undefined, target: string, bad: Problem): Step {
  const parsers: TimeParser[] = [];
  for (const f of formats) {
    try {
      parsers.push(compileTimeFormat(f));
    } catch (err) {
      bad('formats', (err as Error).message);
    }
  }
  const get = getter(from);
  const label = `timestamp from ${from}`;
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return true;
    for (const p of parsers) {
      const ms = p(text, zone ?? s.ev.timezone, s.ev.now);
      if (ms !== undefined && Number.isFinite(ms)) {
        put(s, target, new Date(ms).toISOString(), traceStep(s, label));
        return true;
      }
    }
    warn(s, `${from}: ${JSON.stringify(text)} fits none of the timestamp formats ${formats.join(' | ')}`);
    return true;
  };
}
