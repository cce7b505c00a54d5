import { isParserName, newScope, type Scope, type Slots } from './scope';
import { IMPLIED, convertValue, converted, type Converter } from './convert';
import type { CompiledRule, CompiledSource } from './compile';
import type { MapInput, MapResult, TraceStep } from './types';


/** Runs one product's mapping on a message it recognised. */
export function applySource(src: CompiledSource, by: string, ev: MapInput, trace: TraceStep[] | undefined): MapResult {
  const s = newScope(ev, src.slots, trace);
  for (const st of src.pre) if (!st.run(s) && !st.optional) break;
  let rule: CompiledRule | undefined;
  for (const r of src.rules) {
    if (!holds(r.when, s)) {
      // --explain says why each rule before the one that applied did not (a mapping author's question)
      if (trace !== undefined) trace.push({ step: `rule ${r.name}: not tried, its when: does not hold`, set: {} });
      continue;
    }
    const before = r.rollback ? s.vals.slice() : undefined;
    const traced = trace?.length ?? 0;
    let failed: string | undefined;
    for (const st of r.steps) {
      if (!st.run(s) && !st.optional) { failed = st.label; break; }
    }
    if (failed === undefined) {
      rule = r;
      break;
    }
    if (before !== undefined) s.vals = before;
    if (trace !== undefined) {
      trace.length = traced;
      trace.push({ step: `rule ${r.name}: ${failed} did not match, so the rule does not apply (what it set is undone)`, set: {} });
    }
  }
  const k = src.kinds;
  // a step may choose them per message (PAN-OS: the log type decides the sourcetype)
  const sourcetype = str(s.vals[k.sourcetype]) ?? rule?.sourcetype ?? src.sourcetype;
  const index = str(s.vals[k.index]) ?? rule?.index ?? src.index;
  const dataset = str(s.vals[k.dataset]) ?? rule?.dataset ?? src.dataset;
  const names: string[] = [];
  const values: unknown[] = [];
  finish(s, src, dataset, names, values);
  return {
    product: src.product, vendor: src.vendor, name: src.name, file: src.file, matchedBy: by, rule: rule?.name,
    ruleKey: rule ?? src, dataset, streamDataset: src.streamDataset, keepParsedFields: src.keepParsedFields, sourcetype, index, names, values, warnings: s.warnings, trace,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function holds(conds: Array<(s: Scope) => boolean>, s: Scope): boolean {
  for (const c of conds) if (!c(s)) return false;
  return true;
}

/**
 * The ECS fields: what steps set, minus temporaries and parser fields, in their ECS types;
 * related.*, observer.* and event.dataset added (slots precomputed per source: src.kinds).
 */
function finish(s: Scope, src: CompiledSource, dataset: string, names: string[], values: unknown[]): void {
  const k = src.kinds;
  const vals = s.vals;
  for (const slot of k.output) {
    let v = vals[slot];
    if (v === undefined) continue;
    const c = k.converters[slot];
    const name = src.slots.names[slot];
    if (c !== undefined) {
      if (c === 'array') v = Array.isArray(v) ? v : [v];
      else if (Array.isArray(v)) v = v.map((x) => convertValue(x, c)).filter(converted);
      else {
        const x = convertValue(v, c);
        if (!converted(x)) {
          (s.warnings ??= []).push(`${name}: ${JSON.stringify(v)} is not ${c === 'ip' ? 'an IP address' : `a ${c}`}`);
          vals[slot] = undefined;
          continue;
        }
        v = x;
      }
      vals[slot] = v;
    }
    names.push(name);
    values.push(v);
  }
  // related.ip / related.user replace the mapping's own list if it set one (collect took it in);
  // the others are added only where no step set them, so they are not in names yet
  const ips = collect(vals, k.relatedIp);
  if (ips !== undefined) add(names, values, 'related.ip', ips, vals[k.relatedIpSelf] !== undefined);
  const users = collect(vals, k.relatedUser);
  if (users !== undefined) add(names, values, 'related.user', users, vals[k.relatedUserSelf] !== undefined);
  if (vals[k.observerVendor] === undefined) add(names, values, 'observer.vendor', src.vendor, false);
  if (vals[k.observerProduct] === undefined) add(names, values, 'observer.product', src.name, false);
  if (vals[k.eventDataset] === undefined) add(names, values, 'event.dataset', dataset, false);
}

function add(names: string[], values: unknown[], name: string, v: unknown, mayBeThere: boolean): void {
  const i = mayBeThere ? names.indexOf(name) : -1;
  if (i >= 0) values[i] = v;
  else { names.push(name); values.push(v); }
}

function collect(vals: unknown[], slots: number[]): unknown[] | undefined {
  let list: unknown[] | undefined;
  for (const slot of slots) {
    const v = vals[slot];
    if (v === undefined) continue;
    if (!Array.isArray(v)) {
      if (list === undefined) list = [v];
      else if (!list.includes(v)) list.push(v);
      continue;
    }
    for (const x of v) {
      list ??= [];
      if (!list.includes(x)) list.push(x);
    }
  }
  return list;
}

const RELATED_IP = ['related.ip', 'source.ip', 'destination.ip', 'source.nat.ip', 'destination.nat.ip', 'client.ip', 'server.ip'];
const RELATED_USER = ['related.user', 'user.name', 'source.user.name', 'destination.user.name', 'user.target.name', 'user.effective.name'];

/** What finish needs of a source's slot table, worked out once after it is compiled. */
export interface SlotKinds {
  /** Slots that become document fields, in slot order. */
  output: number[];
  converters: Array<Converter | undefined>;
  relatedIp: number[];
  relatedUser: number[];
  /** The slots of related.ip / related.user themselves (-1: the source never sets them). */
  relatedIpSelf: number;
  relatedUserSelf: number;
  observerVendor: number;
  observerProduct: number;
  eventDataset: number;
  sourcetype: number;
  index: number;
  dataset: number;
}

export function slotKinds(slots: Slots): SlotKinds {
  const at = (name: string): number => slots.index.get(name) ?? -1;
  const output: number[] = [];
  const converters: Array<Converter | undefined> = [];
  slots.names.forEach((name, i) => {
    converters[i] = IMPLIED.get(name);
    if (name.charCodeAt(0) !== 95 /* _ */ && !isParserName(name)) output.push(i);
  });
  return {
    output, converters,
    relatedIp: RELATED_IP.map(at).filter((i) => i >= 0),
    relatedUser: RELATED_USER.map(at).filter((i) => i >= 0),
    relatedIpSelf: at('related.ip'), relatedUserSelf: at('related.user'),
    observerVendor: at('observer.vendor'), observerProduct: at('observer.product'), eventDataset: at('event.dataset'),
    sourcetype: at('_sourcetype'), index: at('_index'), dataset: at('_dataset'),
  };
}
