import { isParserName, newScope, type Scope } from './scope';
import { IMPLIED, convertValue, converted } from './convert';
import type { CompiledSource } from './compile';
import type { MapInput, MapResult, TraceStep } from './types';

const RELATED_IP = ['source.ip', 'destination.ip', 'source.nat.ip', 'destination.nat.ip', 'client.ip', 'server.ip'];
const RELATED_USER = ['user.name', 'source.user.name', 'destination.user.name', 'user.target.name', 'user.effective.name'];

/** Runs one product's mapping on a message it recognised. */
export function applySource(src: CompiledSource, by: string, ev: MapInput, trace: TraceStep[] | undefined): MapResult {
  const s = newScope(ev, trace);
  for (const st of src.pre) if (!st.run(s) && !st.optional) break;
  let rule: MapResult['rule'];
  let sourcetype = src.sourcetype;
  let index = src.index;
  let dataset = src.dataset;
  for (const r of src.rules) {
    if (!holds(r.when, s)) continue;
    const before = r.rollback ? new Map(s.vals) : undefined;
    const traced = trace?.length ?? 0;
    let ok = true;
    for (const st of r.steps) {
      if (!st.run(s) && !st.optional) { ok = false; break; }
    }
    if (ok) {
      rule = r.name;
      sourcetype = r.sourcetype ?? sourcetype;
      index = r.index ?? index;
      dataset = r.dataset ?? dataset;
      break;
    }
    if (before !== undefined) s.vals = before;
    if (trace !== undefined) trace.length = traced;
  }
  // a step may choose them per message (PAN-OS: the log type decides the sourcetype)
  const st = s.vals.get('_sourcetype');
  if (typeof st === 'string') sourcetype = st;
  const ix = s.vals.get('_index');
  if (typeof ix === 'string') index = ix;
  const ds = s.vals.get('_dataset');
  if (typeof ds === 'string') dataset = ds;
  const fields = finish(s, src);
  if (fields.get('event.dataset') === src.dataset) fields.set('event.dataset', dataset);
  return {
    product: src.product, vendor: src.vendor, name: src.name, file: src.file, matchedBy: by, rule,
    dataset, sourcetype, index, fields, warnings: s.warnings, trace,
  };
}

function holds(conds: Array<(s: Scope) => boolean>, s: Scope): boolean {
  for (const c of conds) if (!c(s)) return false;
  return true;
}

/** The ECS fields: what steps set, minus temporaries, in their ECS types; related.*, observer.* and event.dataset added. */
function finish(s: Scope, src: CompiledSource): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, value] of s.vals) {
    if (name.charCodeAt(0) === 95 /* _ */ || isParserName(name)) continue;
    let v = value;
    const c = IMPLIED.get(name);
    if (c !== undefined) {
      if (c === 'array') v = Array.isArray(v) ? v : [v];
      else if (Array.isArray(v)) v = v.map((x) => convertValue(x, c)).filter(converted);
      else {
        const x = convertValue(v, c);
        if (!converted(x)) {
          (s.warnings ??= []).push(`${name}: ${JSON.stringify(v)} is not ${c === 'ip' ? 'an IP address' : `a ${c}`}`);
          continue;
        }
        v = x;
      }
    }
    out.set(name, v);
  }
  const ips = collect(out, RELATED_IP, out.get('related.ip'));
  if (ips !== undefined) out.set('related.ip', ips);
  const users = collect(out, RELATED_USER, out.get('related.user'));
  if (users !== undefined) out.set('related.user', users);
  if (!out.has('observer.vendor')) out.set('observer.vendor', src.vendor);
  if (!out.has('observer.product')) out.set('observer.product', src.name);
  if (!out.has('event.dataset')) out.set('event.dataset', src.dataset);
  return out;
}

function collect(out: Map<string, unknown>, names: string[], already: unknown): unknown[] | undefined {
  let list: unknown[] | undefined = Array.isArray(already) ? already.slice() : undefined;
  for (const n of names) {
    const v = out.get(n);
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      list ??= [];
      if (!list.includes(x)) list.push(x);
    }
  }
  return list;
}
