import type { Parsed } from '../parse';
import type { MapResult } from '../mapping';
import type { EcsDoc } from './ecs';
import { lastKindMark, lastSiemgateMark } from './ecs-writer';
import { ascii, asciiAt, bytesAt, commit, outputOffset, reserve, stringAt, stringRoom, uintAt } from './json-out';

/**
 * Puts what a mapping found into the event's ECS document. `source` and `network` describe the
 * sender's connection until a mapping knows better: a firewall's `source.ip` is the flow's, not
 * the firewall's address, so a mapping that sets any of them replaces the object (the sender
 * stays in `siemgate.peer`). Everything else is merged field by field, the mapping winning.
 */
export function mergeMapped(doc: EcsDoc, m: MapResult): void {
  let source = false;
  let network = false;
  for (const k of m.names) {
    if (k.startsWith('source.')) source = true;
    else if (k.startsWith('network.')) network = true;
  }
  if (source) delete doc.source;
  if (network) delete doc.network;
  // the mapping took what it wanted from the payload (event.original still has all of it)
  if (!m.keepParsedFields) {
    delete doc.kv;
    delete doc.json;
  }
  for (let i = 0; i < m.names.length; i++) setPath(doc, m.names[i], m.values[i]);
  const gw = (doc.siemgate ??= {}) as Record<string, unknown>;
  gw.product = m.product;
  if (m.rule !== undefined) gw.rule = m.rule;
  if (m.warnings !== undefined) {
    gw.mapping_warnings = m.warnings;
    const tags = Array.isArray(doc.tags) ? (doc.tags as string[]) : (doc.tags = []) as string[];
    if (!tags.includes('mapping_warning')) tags.push('mapping_warning');
  }
}

function setPath(doc: EcsDoc, path: string, value: unknown): void {
  let o: Record<string, unknown> = doc;
  let from = 0;
  for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', from)) {
    const k = path.slice(from, dot);
    const next = o[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) o = (o[k] = {}) as Record<string, unknown>;
    else o = next as Record<string, unknown>;
    from = dot + 1;
  }
  o[path.slice(from)] = value;
}

// Top-level objects the byte writer (ecs-writer.ts) writes itself, besides event/source/network/
// siemgate: a mapping that sets fields in them takes the object path (no duplicate keys: Elasticsearch
// refuses a document with a key twice).
const WRITER_OWNED = new Set(['log', 'host', 'process', 'cef', 'leef', 'kv', 'json', 'labels', 'error', 'tags', 'message', 'ecs', 'siemgate', '@timestamp']);
const CEF_OWNED_EVENT = new Set(['code', 'severity']);

/**
 * Whether the mapped fields can be spliced into the byte writer's document (spliceMapped), rather
 * than built as an object: the common case, several times cheaper. Says which of the sender's
 * source/network objects the mapping replaces. Decided once per key set (the plan).
 */
export function spliceable(m: MapResult, p: Parsed): Plan | undefined {
  if (m.warnings !== undefined) return undefined;
  const plan = planFor(m);
  if (plan.writerOwned || (plan.cefOwned && (p.cef !== undefined || p.leef !== undefined))) return undefined;
  return plan;
}

const KIND = Buffer.from('"kind":"event"');

const SIEMGATE = Buffer.from(',"siemgate":{');

/**
 * How the fields of one key set (in the order the mapping set them) are written: per part (the
 * event members, every other top-level object) literal JSON pieces between the values. Built once
 * per key set (a rule sets mostly the same fields every time), so that per event only the values are
 * stringified: no objects per group, no walk of them.
 */
export interface Plan {
  keys: string[];
  /** The mapping sets fields the byte writer writes itself (log.*, host.*, ...): object path. */
  writerOwned: boolean;
  /** ... or observer.* / event.code / event.severity, which the writer writes for CEF and LEEF. */
  cefOwned: boolean;
  ownSource: boolean;
  ownNetwork: boolean;
  /** pieces[i] precedes value slots[i]; the last piece ends the part. */
  event: { pieces: string[]; slots: number[] };
  tail: { pieces: string[]; slots: number[] };
  /** The slot of event.kind, or -1. */
  kindSlot: number;
}
// Per rule, the plans of the key sets seen (optional groups make a few). Field names are the
// compiled mapping's own string objects, so comparing a key set is a few pointer compares.
const plans = new WeakMap<object, Plan[]>();

function planFor(m: MapResult): Plan {
  const keys = m.names;
  let list = plans.get(m.ruleKey);
  if (list === undefined) plans.set(m.ruleKey, (list = []));
  outer: for (const p of list) {
    if (p.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (p.keys[i] !== keys[i]) continue outer;
    return p;
  }
  const plan = buildPlan(keys.slice());
  if (list.length < 64) list.push(plan);
  else list[0] = plan;
  return plan;
}

type Tree = Map<string, Tree | number>;

function buildPlan(keys: string[]): Plan {
  const tops = new Map<string, Tree>();
  let kindSlot = -1;
  let writerOwned = false;
  let cefOwned = false;
  keys.forEach((k, slot) => {
    const path = k.split('.');
    if (WRITER_OWNED.has(path[0])) writerOwned = true;
    if (path[0] === 'observer' || (path[0] === 'event' && path.length === 2 && CEF_OWNED_EVENT.has(path[1]))) cefOwned = true;
    if (path[0] === 'event' && path.length === 2) {
      if (path[1] === 'kind') { kindSlot = slot; return; }
      if (path[1] === 'original' || path[1] === 'created' || path[1] === 'id') return; // the writer's own
    }
    let t: Tree | undefined = tops.get(path[0]);
    if (t === undefined) tops.set(path[0], (t = new Map()));
    for (let i = 1; i < path.length - 1; i++) {
      let next: Tree | number | undefined = t.get(path[i]);
      if (next === undefined || typeof next === 'number') t.set(path[i], (next = new Map()));
      t = next;
    }
    t.set(path[path.length - 1], slot);
  });
  const emit = (t: Tree, out: { pieces: string[]; slots: number[] }, lead: string): string => {
    let pending = lead;
    let first = true;
    for (const [name, v] of t) {
      pending += `${first ? '' : ','}${JSON.stringify(name)}:`;
      first = false;
      if (typeof v === 'number') {
        out.pieces.push(pending);
        out.slots.push(v);
        pending = '';
      } else pending = emit(v, out, `${pending}{`) + '}';
    }
    return pending;
  };
  const event = { pieces: [] as string[], slots: [] as number[] };
  const tail = { pieces: [] as string[], slots: [] as number[] };
  let tailPending = '';
  for (const [top, t] of tops) {
    if (top === 'event') event.pieces.push(emit(t, event, ','));
    else tailPending = emit(t, tail, `${tailPending},${JSON.stringify(top)}:{`) + '}';
  }
  if (event.pieces.length === event.slots.length) event.pieces.push('');
  tail.pieces.push(tailPending);
  return { keys, writerOwned, cefOwned, ownSource: tops.has('source'), ownNetwork: tops.has('network'), event, tail, kindSlot };
}

/**
 * The pieces of a plan, pre-encoded: bytes per piece, so rendering writes bytes, not strings. Made
 * once per plan (lazily: the object path never needs them).
 */
interface EncodedPart {
  pieces: Uint8Array[];
  slots: number[];
}
interface EncodedPlan {
  event: EncodedPart;
  tail: EncodedPart;
  /** The bytes of all pieces: the room they take, whatever the values. */
  piecesBytes: number;
}
const encoded = new WeakMap<object, EncodedPlan>();

function encodedOf(plan: Plan): EncodedPlan {
  let e = encoded.get(plan);
  if (e === undefined) {
    const enc = (p: { pieces: string[]; slots: number[] }): EncodedPart => ({ pieces: p.pieces.map(ascii), slots: p.slots });
    const event = enc(plan.event);
    const tail = enc(plan.tail);
    let piecesBytes = 0;
    for (const p of event.pieces) piecesBytes += p.length;
    for (const p of tail.pieces) piecesBytes += p.length;
    e = { event, tail, piecesBytes };
    encoded.set(plan, e);
  }
  return e;
}

/** One value as JSON (what JSON.stringify writes), at o in b (room checked by the caller through valueRoom). */
export function valueAt(b: Buffer, o: number, v: unknown): number {
  if (typeof v === 'string') return stringAt(b, o, v);
  if (typeof v === 'number') {
    // ports, byte counts, codes: digits written as they are, no string made per number
    if (Number.isSafeInteger(v)) {
      if (v >= 0) return uintAt(b, o, v); // -0 too: JSON writes it as 0
      b[o] = 45;
      return uintAt(b, o + 1, -v);
    }
    return Number.isFinite(v) ? asciiAt(b, o, String(v)) : asciiAt(b, o, 'null');
  }
  if (typeof v === 'boolean') return asciiAt(b, o, v ? 'true' : 'false');
  if (Array.isArray(v)) {
    b[o++] = 91; // [
    for (let i = 0; i < v.length; i++) {
      if (i > 0) b[o++] = 44;
      o = valueAt(b, o, v[i]);
    }
    b[o++] = 93;
    return o;
  }
  return o + b.write(JSON.stringify(v) ?? 'null', o, 'utf8');
}

export function valueRoom(v: unknown): number {
  if (typeof v === 'string') return 6 * v.length + 2; // stringRoom, inline: once per value
  if (typeof v === 'number' || typeof v === 'boolean') return 32;
  if (Array.isArray(v)) { let n = 2; for (const x of v) n += valueRoom(x) + 1; return n; }
  return 3 * Buffer.byteLength(JSON.stringify(v) ?? 'null') + 8;
}

function renderAt(b: Buffer, o: number, part: EncodedPart, values: unknown[]): number {
  const { pieces, slots } = part;
  for (let i = 0; i < slots.length; i++) {
    o = bytesAt(b, o, pieces[i]);
    o = valueAt(b, o, values[slots[i]]);
  }
  return bytesAt(b, o, pieces[slots.length]);
}

/**
 * Splices a mapping's fields into the document the byte writer just wrote at [docAt, now): the
 * event.* members in place of `"kind":"event"` (with the mapping's kind), siemgate.product/rule at
 * the start of the siemgate object, every other top-level object before the closing brace. Both
 * markers are found by bytes: inside a JSON string a quote is always escaped, so neither sequence
 * can occur in a value. The three parts are rendered into the output itself, past the document by
 * as much as they can add to it, then moved into place within that one buffer (copyWithin): a
 * copy from another buffer makes a view object per move, three per event.
 */
export function spliceMapped(docAt: number, m: MapResult, plan: Plan): void {
  const values = m.values;
  const enc = encodedOf(plan);
  let room = 256 + stringRoom(m.product.length) + stringRoom(m.rule?.length ?? 0) + enc.piecesBytes;
  for (let i = 0; i < values.length; i++) room += valueRoom(values[i]);
  const docEnd = outputOffset();
  const b = reserve(2 * room);
  // rendered at [parts, tailEnd): the document can grow by at most `room`, so it never reaches them
  const parts = docEnd + room;
  // event part: "kind":<kind> and the members
  let o = asciiAt(b, parts, '"kind":');
  o = plan.kindSlot < 0 ? asciiAt(b, o, '"event"') : valueAt(b, o, values[plan.kindSlot]);
  const eventEnd = renderAt(b, o, enc.event, values);
  o = asciiAt(b, eventEnd, '"product":');
  o = stringAt(b, o, m.product);
  b[o++] = 44;
  if (m.rule !== undefined) {
    o = asciiAt(b, o, '"rule":');
    o = stringAt(b, o, m.rule);
    b[o++] = 44;
  }
  const gwEnd = o;
  const tailEnd = renderAt(b, gwEnd, enc.tail, values);

  // where the writer says it put them (checked: a mark from another document is not trusted), else searched
  const km = lastKindMark();
  const gm = lastSiemgateMark();
  const kindAt = km >= docAt && km < docEnd && bytesEqual(b, km, KIND) ? km : b.indexOf(KIND, docAt);
  // the buffer may hold an earlier document's bytes past docEnd: search only what this one wrote
  const gwAt = gm > kindAt && gm < docEnd && bytesEqual(b, gm, SIEMGATE) ? gm : b.lastIndexOf(SIEMGATE, docEnd - SIEMGATE.length);
  if (kindAt < 0 || kindAt >= docEnd || gwAt < kindAt) throw new Error('mapped-doc: the writer\'s document lacks its markers');
  // from the end backwards, so that each position is still where it was found
  let end = docEnd;
  end = insertAt(b, docEnd - 1, 0, gwEnd, tailEnd, end);
  end = insertAt(b, gwAt + SIEMGATE.length, 0, eventEnd, gwEnd, end);
  end = insertAt(b, kindAt, KIND.length, parts, eventEnd, end);
  commit(end);
}

function bytesEqual(b: Buffer, at: number, want: Uint8Array): boolean {
  for (let i = 0; i < want.length; i++) if (b[at + i] !== want[i]) return false;
  return true;
}

/** Puts b[from, to) at `at` in place of `replaced` bytes, moving [at+replaced, end) along. */
function insertAt(b: Buffer, at: number, replaced: number, from: number, to: number, end: number): number {
  const len = to - from;
  if (len !== replaced) b.copyWithin(at + len, at + replaced, end);
  if (len > 0) b.copyWithin(at, from, to);
  return end + len - replaced;
}
