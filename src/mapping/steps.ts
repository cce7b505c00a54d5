import { compileDissect, runDissect } from './extract/dissect';
import { runCsv } from './extract/csv';
import { kvKeys, runKvWanted, type KvKeys } from './extract/kv';
import { compileTimeFormat, type TimeParser } from './extract/time-pattern';
import { asText, currentSlots, getter, lineTailAt, put, slotOf, traceStep, warn, type Getter, type Scope } from './scope';
import { CONVERTERS, convertValue, converted, type Converter } from './convert';

/**
 * The steps a mapping runs, each compiled once into a closure over its options. A step answers
 * false when its pattern does not match (a rule with such a step does not apply); steps that
 * only set or convert always answer true.
 */
export type Step = (s: Scope) => boolean;

/** Reports a problem in a step's options; `key` is relative to the step. */
export type Problem = (key: string, why: string) => void;

/**
 * The capturing groups of a pattern in order: the name of a named one, '' for an unnamed one. A
 * small scanner (escapes, character classes, (?: (?= (?! (?<= (?<! are not captures).
 */
function captureGroups(src: string): string[] {
  const out: string[] = [];
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; continue; }
    if (c !== '(') continue;
    if (src[i + 1] !== '?') out.push('');
    else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
      const close = src.indexOf('>', i + 3);
      out.push(src.slice(i + 3, close));
    }
  }
  return out;
}

export function regexStep(pattern: string, from: string, bad: Problem): Step | undefined {
  // Named groups are made positional (`(?<source.ip>` → `(`): dots are not allowed in JavaScript
  // group names, and the groups object costs more than the match on the per-event path.
  const groups = captureGroups(pattern);
  const positional = pattern.includes('\\k<') ? pattern : pattern.replace(/\(\?<(?![=!])[^>]*>/g, '(');
  let re: RegExp;
  try {
    re = new RegExp(positional);
  } catch (err) {
    bad('regex', `not a valid regular expression: ${(err as Error).message}`);
    return undefined;
  }
  if (positional === pattern && groups.some((g) => g !== '')) {
    // \k<name> back-references keep the names: read the groups object
    const named = groups.filter((g) => g !== '');
    const slots = named.map((g) => slotOf(g));
    const get = getter(from);
    const label = `regex on ${from}`;
    return (s) => {
      const text = asText(get(s));
      if (text === undefined) return false;
      const m = re.exec(text);
      if (m === null || m.groups === undefined) return false;
      const set = traceStep(s, label);
      for (let i = 0; i < named.length; i++) put(s, slots[i], m.groups[named[i]], set);
      return true;
    };
  }
  const at: number[] = [];
  const slots: number[] = [];
  groups.forEach((g, i) => { if (g !== '') { at.push(i + 1); slots.push(slotOf(g)); } });
  if (slots.length === 0) bad('regex', 'no named group (?<field>…): the step would set nothing');
  const get = getter(from);
  const label = `regex on ${from}`;
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    const m = re.exec(text);
    if (m === null) return false;
    const set = traceStep(s, label);
    for (let i = 0; i < slots.length; i++) put(s, slots[i], m[at[i]], set);
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
  const slots = p.fields.map((f) => (f.name === undefined ? -1 : slotOf(f.name)));
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
        const prev = asText(s.vals[slots[i]]);
        if (prev !== undefined) v = `${prev} ${v}`;
      }
      put(s, slots[i], v, set);
    }
    return true;
  };
}

/** kv: mapped keys go to their fields; every key is also readable as `_kv.<key>`. */
export function kvStep(opts: { from: string; separator: string; delimiter: string; fields: Record<string, string> }): Step {
  const get = getter(opts.from);
  const label = `kv on ${opts.from}`;
  const o = { separator: opts.separator, delimiter: opts.delimiter };
  const targets = new Map(Object.entries(opts.fields).map(([k, t]) => [k, slotOf(t)]));
  const slots = currentSlots(); // which _kv.<key> are read is known once the whole file is compiled
  // Only the pairs some step reads (mapped here, or read as _kv.<key>) are copied out of the
  // text and kept: a FortiGate line has ~50, its mapping reads ~25; keeping all in a Map per
  // message was the largest part of mapping one. Per wanted key (by its index in the table): its
  // field's slot or -1, and whether it is kept for _kv.<key>.
  let table: KvKeys | undefined;
  let slotOfKey: number[] = [];
  let keptKey: boolean[] = [];
  // what the pair callback writes to, set per message: one callback for the step, not one per message
  let scope: Scope | undefined;
  let traced: Record<string, unknown> | undefined;
  let kept: Map<string, string> | undefined;
  const take = (k: number, v: string): void => {
    if (kept !== undefined && keptKey[k]) kept.set(table!.keys[k], v);
    const target = slotOfKey[k];
    if (target >= 0) put(scope!, target, v, traced);
  };
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    if (table === undefined) {
      const keys = [...new Set([...targets.keys(), ...slots.kvKeys])];
      table = kvKeys(keys);
      slotOfKey = keys.map((k) => targets.get(k) ?? -1);
      keptKey = keys.map((k) => slots.kvKeys.has(k));
    }
    scope = s;
    traced = traceStep(s, label);
    kept = slots.kvKeys.size > 0 ? (s.kv ??= new Map()) : undefined;
    const at = lineTailAt(s, text);
    const pairs = at >= 0 ? runKvWanted(s.ev.raw, o, table, take, at) : runKvWanted(text, o, table, take);
    scope = undefined; // the message is not kept alive by the step
    traced = undefined;
    kept = undefined;
    return pairs > 0;
  };
}

export function csvStep(opts: { from: string; separator: string; fields: Array<string | null>; minFields: number }): Step {
  const get = getter(opts.from);
  const label = `csv on ${opts.from}`;
  const cols: string[] = [];
  const slots = opts.fields.map((n) => (n === null ? -1 : slotOf(n)));
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return false;
    const at = lineTailAt(s, text);
    const n = at >= 0 ? runCsv(s.ev.raw, opts.separator, cols, at) : runCsv(text, opts.separator, cols);
    if (n < opts.minFields) return false;
    const set = traceStep(s, label);
    const m = Math.min(n, opts.fields.length);
    for (let i = 0; i < m; i++) if (slots[i] >= 0) put(s, slots[i], cols[i], set);
    return true;
  };
}

export function jsonStep(opts: { from: string; fields: Record<string, string> }): Step {
  const get = getter(opts.from);
  const paths = Object.entries(opts.fields).map(([p, t]) => [p.split('.'), slotOf(t)] as const);
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
    const slot = slotOf(field);
    setters.push((s, set) => put(s, slot, make(s), set));
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
  const list: Array<[string, number, Converter]> = [];
  for (const [f, c] of Object.entries(fields)) {
    if (!(CONVERTERS as readonly string[]).includes(c)) bad(f, `unknown converter ${JSON.stringify(c)}; one of ${CONVERTERS.join(', ')}`);
    else list.push([f, slotOf(f), c as Converter]);
  }
  return (s) => {
    for (const [f, slot, c] of list) {
      const v = s.vals[slot];
      if (v === undefined) continue;
      const out = convertValue(v, c);
      if (converted(out)) s.vals[slot] = out;
      else {
        s.vals[slot] = undefined;
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
  const slot = slotOf(target);
  return (s) => {
    const key = asText(get(s));
    let v = key === undefined ? undefined : t.get(caseless ? key.toLowerCase() : key);
    if (v === undefined && key !== undefined) v = dflt;
    if (v !== undefined) put(s, slot, v, traceStep(s, label));
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
  const slot = slotOf(target);
  return (s) => {
    const text = asText(get(s));
    if (text === undefined) return true;
    for (const p of parsers) {
      const ms = p(text, zone ?? s.ev.timezone, s.ev.now);
      if (ms !== undefined && Number.isFinite(ms)) {
        put(s, slot, new Date(ms).toISOString(), traceStep(s, label));
        return true;
      }
    }
    warn(s, `${from}: ${JSON.stringify(text)} fits none of the timestamp formats ${formats.join(' | ')}`);
    return true;
  };
}
