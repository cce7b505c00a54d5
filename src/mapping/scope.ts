import { structuredDataOf } from '../parse/structured-data';
import { fieldsOf } from '../parse/kv';
import { internalize } from '../parse/intern-key';
import type { MapInput, TraceStep } from './types';

/**
 * The fields of one message while it is mapped: what steps captured (ECS paths, and temporaries
 * whose names start with `_`), over what the parser gave, which steps read through names:
 *   message raw program hostname msgid procid input peer.ip
 *   sd.<SD-ID>.<PARAM>                         RFC 5424 structured data
 *   cef.vendor|product|version|signature|name|severity, cef.ext.<key>   (key as on the wire)
 *   leef.vendor|product|version|event_id, leef.attr.<key>
 *   kv.<key> / json.<key>                      what the kv / JSON payload parser found
 * A captured name shadows a parser one, so a step can rewrite `message` for the steps after it.
 */
export interface Scope {
  ev: MapInput;
  /** Field values by slot (Slots below): an array, not a Map, for the per-event path. */
  vals: unknown[];
  /** Every pair a kv step found, readable as `_kv.<key>`. */
  kv: Map<string, string> | undefined;
  warnings: string[] | undefined;
  trace: TraceStep[] | undefined;
  names: string[];
}

/**
 * The fields of one source mapping, numbered when it is compiled: steps read and write slots, the
 * names are needed only to build the result (and for --explain).
 */
export interface Slots {
  names: string[];
  index: Map<string, number>;
  /** The keys some step reads as `_kv.<key>`: kv steps keep those pairs beside the mapped ones. */
  kvKeys: Set<string>;
}

let current: Slots = { names: [], index: new Map(), kvKeys: new Set() };

/** The slot table being compiled (a kv step asks it, once compiled, whether pairs are read). */
export function currentSlots(): Slots {
  return current;
}

/** Starts the slot table of a source mapping being compiled; steps compiled until the next call use it. */
export function beginSlots(): Slots {
  current = { names: [], index: new Map(), kvKeys: new Set() };
  return current;
}


export function slotOf(name: string): number {
  let i = current.index.get(name);
  if (i === undefined) {
    i = current.names.length;
    // internalized: the per-event path looks fields up with names.indexOf('event.outcome') and the
    // like, and V8 compares two internalized strings by pointer (YAML's are not), others by content
    current.names.push(internalize(name));
    current.index.set(name, i);
  }
  return i;
}

export type Getter = (s: Scope) => unknown;

export function newScope(ev: MapInput, slots: Slots, trace: TraceStep[] | undefined): Scope {
  return { ev, vals: new Array<unknown>(slots.names.length), kv: undefined, warnings: undefined, trace, names: slots.names };
}

const CEF_HEADER: Record<string, (c: NonNullable<MapInput['parsed']['cef']>) => string> = {
  vendor: (c) => c.deviceVendor, product: (c) => c.deviceProduct, version: (c) => c.deviceVersion,
  signature: (c) => c.deviceEventClassId, name: (c) => c.name, severity: (c) => c.severity,
};
const LEEF_HEADER: Record<string, (l: NonNullable<MapInput['parsed']['leef']>) => string> = {
  vendor: (l) => l.vendor, product: (l) => l.product, version: (l) => l.productVersion, event_id: (l) => l.eventId,
};

/** The parser's value for a name, or undefined when the name is not one of the parser's. */
function parserGetter(name: string): ((ev: MapInput) => unknown) | undefined {
  switch (name) {
    case 'message': return (ev) => ev.parsed.message;
    case 'raw': return (ev) => ev.raw;
    case 'program': return (ev) => ev.parsed.appname;
    case 'hostname': return (ev) => ev.parsed.hostname;
    case 'msgid': return (ev) => ev.parsed.msgid;
    case 'procid': return (ev) => ev.parsed.procid;
    case 'input': return (ev) => ev.input;
    case 'peer.ip': return (ev) => (ev.peerIp === '' ? undefined : ev.peerIp);
    default: break;
  }
  if (name.startsWith('sd.')) {
    // SD-IDs hold dots (junos@2636.1.1.1.2.129), parameter names seldom do: the last part is the param
    const dot = name.lastIndexOf('.');
    if (dot <= 3) return undefined;
    const id = name.slice(3, dot);
    const param = name.slice(dot + 1);
    return (ev) => structuredDataOf(ev.parsed)?.[id]?.[param];
  }
  if (name.startsWith('cef.ext.')) {
    const key = name.slice(8);
    return (ev) => ev.parsed.cef?.extensions[key];
  }
  if (name.startsWith('cef.')) {
    const h = CEF_HEADER[name.slice(4)];
    return h === undefined ? undefined : (ev) => (ev.parsed.cef === undefined ? undefined : h(ev.parsed.cef));
  }
  if (name.startsWith('leef.attr.')) {
    const key = name.slice(10);
    return (ev) => ev.parsed.leef?.attributes[key];
  }
  if (name.startsWith('leef.')) {
    const h = LEEF_HEADER[name.slice(5)];
    return h === undefined ? undefined : (ev) => (ev.parsed.leef === undefined ? undefined : h(ev.parsed.leef));
  }
  if (name.startsWith('kv.') || name.startsWith('json.')) {
    const key = name.slice(name.indexOf('.') + 1);
    return (ev) => fieldsOf(ev.parsed)?.[key];
  }
  return undefined;
}

/** Whether a name reads the parser (as opposed to a field some step sets). */
export function isParserName(name: string): boolean {
  return parserGetter(name) !== undefined;
}

/** A compiled read of one name: the captured value if a step set it, else the parser's. */
export function getter(name: string): Getter {
  if (name.startsWith('_kv.')) {
    const key = name.slice(4);
    current.kvKeys.add(key);
    return (s) => s.kv?.get(key);
  }
  const slot = slotOf(name);
  const p = parserGetter(name);
  if (p === undefined) return (s) => s.vals[slot];
  return (s) => {
    const v = s.vals[slot];
    return v !== undefined ? v : p(s.ev);
  };
}

/**
 * Sets a field; an empty capture sets nothing (as in Elastic's pipelines). A `-` is kept: it is a
 * value to some steps (a zone offset's sign); a mapping drops placeholders with `when`.
 */
export function put(s: Scope, slot: number, value: unknown, set: Record<string, unknown> | undefined): void {
  if (value === undefined || value === '' || value === null) return;
  s.vals[slot] = value;
  if (set !== undefined) set[s.names[slot]] = value;
}

/** Starts a trace record for a step, when tracing (`--explain`); else undefined. */
export function traceStep(s: Scope, step: string): Record<string, unknown> | undefined {
  if (s.trace === undefined) return undefined;
  const set: Record<string, unknown> = {};
  s.trace.push({ step, set });
  return set;
}

export function warn(s: Scope, message: string): void {
  (s.warnings ??= []).push(message);
}

export function asText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Shorter texts are scanned as they are: the check would cost about what it saves. */
const TAIL_MIN = 64;

/**
 * Where `text` starts in the received line when it is the line's tail (the message, or a capture of
 * it such as `(?<_kvs>.*)$`), else -1. Steps that read a long text char by char (kv, csv) read the
 * line from there instead: a slice of a string is a V8 SlicedString, and charCodeAt on one costs
 * ~40 % more than on the flat line it points into (a UFW line's 17 pairs: 800 vs 570 ns, for a
 * ~100 ns check of its 185 chars).
 */
export function lineTailAt(s: Scope, text: string): number {
  const raw = s.ev.raw;
  if (text.length < TAIL_MIN || text.length > raw.length) return -1;
  return raw.endsWith(text) ? raw.length - text.length : -1;
}
