import type { Parsed } from '../parse';
import type { MapResult } from '../mapping';
import type { EcsDoc } from './ecs';
import { lastKindMark, lastSiemgateMark } from './ecs-writer';
import { ascii, asciiAt, bytesAt, commit, outputOffset, repeatAt, reserve, stringRoom, valueAt, valueRoom } from './json-out';
import { memberAt, scanValueEnd, stringEnd } from '../parse/json-scan';
import { bakedFor, newBaking, type Baking, type EncodedPart } from './baked-parts';

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

// Top-level members the byte writer (ecs-writer.ts) may write itself, besides event/source/network/
// siemgate: a mapping that sets fields in them has them patched into the writer's member (or the
// member added when the writer wrote none), never a key twice (Elasticsearch refuses a document
// with a key twice). observer is the writer's for CEF and LEEF documents only.
const WRITER_OWNED = new Set(['log', 'host', 'process', 'cef', 'leef', 'kv', 'json', 'labels', 'error', 'tags', 'message', 'ecs', '@timestamp']);
const CEF_OWNED_EVENT = new Set(['code', 'severity']);

/**
 * Whether the mapped fields can be spliced into the byte writer's document (spliceMapped), rather
 * than built as an object: several times cheaper. Says which of the sender's source/network
 * objects the mapping replaces. Decided once per key set (the plan), and per CEF/LEEF or not.
 */
export function spliceable(m: MapResult, p: Parsed): Plan | undefined {
  if (m.warnings !== undefined) return undefined;
  const plan = planFor(m, p.cef !== undefined || p.leef !== undefined);
  return plan.siemgateOwned ? undefined : plan;
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
  /** For a CEF or LEEF document (the writer wrote observer, event.code and event.severity). */
  cefDoc: boolean;
  /** The mapping sets siemgate.*: the object path. */
  siemgateOwned: boolean;
  /** Members the writer may have written that the mapping sets fields in (log, host, ...): per
   *  member its JSON key and the slots of its fields. */
  patches: Array<{
    top: string;
    key: Buffer;
    slots: number[];
    /** The slot that sets the member itself (and is its last), else -1. */
    whole: number;
    /** When every field is directly in the member (`log.level`, not `log.syslog.x`): their keys as JSON tokens, in slot order. */
    fieldKeys: Buffer[] | undefined;
  }>;
  /** A CEF/LEEF document whose event.code / event.severity the mapping sets: the writer's go. */
  dropCode: boolean;
  dropSeverity: boolean;
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

function planFor(m: MapResult, cefDoc: boolean): Plan {
  const keys = m.names;
  let list = plans.get(m.ruleKey);
  if (list === undefined) plans.set(m.ruleKey, (list = []));
  outer: for (const p of list) {
    if (p.keys.length !== keys.length || p.cefDoc !== cefDoc) continue;
    for (let i = 0; i < keys.length; i++) if (p.keys[i] !== keys[i]) continue outer;
    return p;
  }
  const plan = buildPlan(keys.slice(), cefDoc);
  if (list.length < 64) list.push(plan);
  else list[0] = plan;
  return plan;
}

type Tree = Map<string, Tree | number>;

function buildPlan(keys: string[], cefDoc: boolean): Plan {
  const tops = new Map<string, Tree>();
  const patches = new Map<string, number[]>();
  let kindSlot = -1;
  let siemgateOwned = false;
  let dropCode = false;
  let dropSeverity = false;
  keys.forEach((k, slot) => {
    const path = k.split('.');
    if (path[0] === 'siemgate') { siemgateOwned = true; return; }
    if (WRITER_OWNED.has(path[0]) || (cefDoc && path[0] === 'observer')) {
      const list = patches.get(path[0]);
      if (list === undefined) patches.set(path[0], [slot]);
      else list.push(slot);
      return;
    }
    if (path[0] === 'event' && path.length === 2) {
      if (path[1] === 'kind') { kindSlot = slot; return; }
      if (path[1] === 'original' || path[1] === 'created' || path[1] === 'id') return; // the writer's own
      if (cefDoc && CEF_OWNED_EVENT.has(path[1])) {
        if (path[1] === 'code') dropCode = true;
        else dropSeverity = true;
      }
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
  return {
    keys, cefDoc, siemgateOwned, dropCode, dropSeverity, ownSource: tops.has('source'), ownNetwork: tops.has('network'), event, tail, kindSlot,
    patches: [...patches].map(([top, slots]) => {
      // a member the mapping sets as a whole, after any of its fields, is just that value
      const last = slots[slots.length - 1];
      const rest = slots.map((slot) => keys[slot].slice(top.length + 1));
      const flat = slots.every((slot) => keys[slot].length > top.length + 1) && rest.every((k) => k !== '' && !k.includes('.'));
      return {
        top, key: Buffer.from(JSON.stringify(top)), slots, whole: keys[last] === top ? last : -1,
        fieldKeys: flat ? rest.map((k) => Buffer.from(JSON.stringify(k))) : undefined,
      };
    }),
  };
}

/**
 * The pieces of a plan, pre-encoded: bytes per piece, so rendering writes bytes, not strings. Made
 * once per plan (lazily: the object path never needs them).
 */
interface EncodedPlan {
  event: EncodedPart;
  tail: EncodedPart;
  /** The bytes of all pieces: the room they take, whatever the values (baked parts take less). */
  piecesBytes: number;
  /** The values that repeat, rendered once (baked-parts.ts). */
  baking: Baking;
  /** productRuleAt's bytes: a plan belongs to one rule (or one product), so made once. */
  productRule?: Uint8Array;
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
    e = { event, tail, piecesBytes, baking: newBaking() };
    encoded.set(plan, e);
  }
  return e;
}

/** Where renderParts ended the event members, siemgate's product/rule and the tail: module scratch, not a result object per event. */
const partEnds = new Int32Array(3);

/** The event members (after `"kind":…` at `o`), product and rule, then the other top-level objects, one after another. */
function renderParts(b: Buffer, o: number, m: MapResult, enc: EncodedPlan): void {
  const values = m.values;
  const use = bakedFor(enc.baking, enc.event, enc.tail, values) ?? enc;
  partEnds[0] = renderAt(b, o, use.event, values);
  partEnds[1] = productRuleAt(b, partEnds[0], m, enc);
  partEnds[2] = renderAt(b, partEnds[1], use.tail, values);
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
  if (plan.patches.length > 0 || plan.dropCode || plan.dropSeverity) {
    splicePatched(docAt, m, plan, enc);
    return;
  }
  const room = partsRoom(m, enc);
  const docEnd = outputOffset();
  const b = reserve(2 * room);
  // rendered at [parts, tailEnd): the document can grow by at most `room`, so it never reaches them
  const parts = docEnd + room;
  renderParts(b, kindValueAt(b, parts, plan, values), m, enc);
  const eventEnd = partEnds[0];
  const gwEnd = partEnds[1];
  const tailEnd = partEnds[2];
  const kindAt = kindMarkIn(b, docAt, docEnd);
  const gwAt = siemgateMarkIn(b, kindAt, docEnd);
  // from the end backwards, so that each position is still where it was found
  let end = docEnd;
  end = insertAt(b, docEnd - 1, 0, gwEnd, tailEnd, end);
  end = insertAt(b, gwAt + SIEMGATE.length, 0, eventEnd, gwEnd, end);
  end = insertAt(b, kindAt, KIND.length, parts, eventEnd, end);
  commit(end);
}

const CODE = Buffer.from(',"code":');
const EVENT_KEY = Buffer.from('"event"');
const SEVERITY = Buffer.from(',"severity":');

/**
 * spliceMapped for a mapping that sets fields in members the writer may have written itself (a
 * FortiGate's log.level, a Cisco IOS @timestamp, a CEF event's observer.*): each such member's
 * value is read back from the document (a few hundred bytes), the mapped fields set in it as
 * mergeMapped sets them, and written in its place; a member the writer did not write is added.
 * The whole document is never built as objects (that path costs ~3x more on a 2 KB document).
 */
function splicePatched(docAt: number, m: MapResult, plan: Plan, enc: EncodedPlan): void {
  const values = m.values;
  const docEnd = outputOffset();
  let b = reserve(0);
  const kindAt = kindMarkIn(b, docAt, docEnd);
  const gwAt = siemgateMarkIn(b, kindAt, docEnd);

  // a CEF/LEEF event's code and severity, as the writer put them after "kind": the mapping's win
  let codeFrom = -1;
  let codeTo = -1;
  let sevFrom = -1;
  let sevTo = -1;
  let q = kindAt + KIND.length;
  if (plan.cefDoc && bytesEqual(b, q, CODE)) {
    codeFrom = q;
    codeTo = q = stringEnd(b, q + CODE.length, docEnd);
  }
  if (plan.cefDoc && q > 0 && bytesEqual(b, q, SEVERITY)) {
    sevFrom = q;
    q += SEVERITY.length;
    while (b[q] >= 48 && b[q] <= 57) q++;
    sevTo = q;
  }
  if (q < 0 || b[q] !== 125) throw new Error('mapped-doc: the writer\'s event object does not end where expected');
  const eventReplaced = q - kindAt;

  // the writer's members that the mapping sets fields in, with the mapped fields set in them
  const spans = memberSpans(b, docAt, docEnd, plan.patches, q + 1);
  // per patch: the member's new JSON, or undefined where its fields are edited in place
  const patched: Array<string | undefined> = [];
  let room = partsRoom(m, enc);
  for (let i = 0; i < plan.patches.length; i++) {
    const { top, slots, whole, fieldKeys } = plan.patches[i];
    let json: string | undefined;
    if (whole >= 0) {
      json = JSON.stringify(values[whole]); // the member itself (@timestamp, message): nothing of the writer's stays
    } else if (fieldKeys !== undefined && spans[2 * i] >= 0 && b[spans[2 * i]] === 123 && b[spans[2 * i] + 1] !== 125) {
      // fields directly in a non-empty object of the writer's (log.level, host.hostname,
      // observer.type): each value replaced or added where it stands, the rest of the member kept
      for (let j = 0; j < slots.length; j++) room += valueRoom(values[slots[j]]) + fieldKeys[j].length + 2;
    } else {
      const holder: Record<string, unknown> = {};
      if (spans[2 * i] >= 0) holder[top] = JSON.parse(b.toString('utf8', spans[2 * i], spans[2 * i + 1]));
      for (const slot of slots) setPath(holder, m.names[slot], values[slot]);
      json = JSON.stringify(holder[top]);
    }
    patched.push(json);
    room += 3 * (json?.length ?? 0) + top.length + 8;
  }
  room += eventReplaced;
  b = reserve(2 * room);

  // rendered at [parts, ...): the document can grow by at most `room`, so it never reaches them
  const parts = docEnd + room;
  let o = kindValueAt(b, parts, plan, values);
  if (codeFrom >= 0 && !plan.dropCode) o = repeatAt(b, o, codeFrom, codeTo);
  if (sevFrom >= 0 && !plan.dropSeverity) o = repeatAt(b, o, sevFrom, sevTo);
  renderParts(b, o, m, enc);
  const eventEnd = partEnds[0];
  const gwEnd = partEnds[1];
  o = partEnds[2];
  // members the writer did not write: added at the end
  for (let i = 0; i < plan.patches.length; i++) {
    if (spans[2 * i] >= 0) continue;
    b[o++] = 44;
    o = bytesAt(b, o, plan.patches[i].key);
    b[o++] = 58;
    o += b.write(patched[i]!, o, 'utf8'); // edited in place only where the writer wrote the member
  }
  const tailEnd = o;
  // edits as [at, replaced, from, to), applied from the end backwards so that each position is
  // still where it was found
  const edits: number[][] = [[docEnd - 1, 0, gwEnd, tailEnd], [gwAt + SIEMGATE.length, 0, eventEnd, gwEnd], [kindAt, eventReplaced, parts, eventEnd]];
  for (let i = 0; i < plan.patches.length; i++) {
    const at = spans[2 * i];
    if (at < 0) continue;
    const json = patched[i];
    if (json !== undefined) {
      const from = o;
      o += b.write(json, o, 'utf8');
      edits.push([at, spans[2 * i + 1] - at, from, o]);
      continue;
    }
    const { slots, fieldKeys } = plan.patches[i];
    const keys = fieldKeys!; // undefined json: the fields are directly in the member
    for (let j = 0; j < slots.length; j++) {
      const from = o;
      const valueAtDoc = memberAt(b, at, keys[j]);
      if (valueAtDoc >= 0 && valueAtDoc < spans[2 * i + 1]) {
        o = valueAt(b, o, values[slots[j]]);
        edits.push([valueAtDoc, scanValueEnd(b, valueAtDoc, docEnd) - valueAtDoc, from, o]);
      } else {
        b[o++] = 44;
        o = bytesAt(b, o, keys[j]);
        b[o++] = 58;
        o = valueAt(b, o, values[slots[j]]);
        edits.push([spans[2 * i + 1] - 1, 0, from, o]); // before the member's closing brace
      }
    }
  }
  edits.sort((x, y) => y[0] - x[0]);
  let end = docEnd;
  for (const [at, replaced, from, to] of edits) end = insertAt(b, at, replaced, from, to, end);
  commit(end);
}

/**
 * Where the values of the given members of the document's top level are: [start, end) per member
 * in `spans` (-1, -1 when the writer did not write it). The document is the writer's (no spaces),
 * walked member by member; nested values are skipped whole, the event object (event.original: the
 * longest string) by where splicePatched found its end, `eventEnd`.
 */
function memberSpans(b: Buffer, docAt: number, docEnd: number, want: Plan['patches'], eventEnd: number): Int32Array {
  const spans = new Int32Array(2 * want.length).fill(-1);
  let missing = want.length;
  let i = docAt + 1;
  while (missing > 0 && i < docEnd && b[i] === 34) {
    const keyEnd = stringEnd(b, i, docEnd);
    if (keyEnd < 0 || b[keyEnd] !== 58) break;
    const valueEnd = keyEnd === i + EVENT_KEY.length && eventEnd > keyEnd && bytesEqual(b, i, EVENT_KEY) ? eventEnd : scanValueEnd(b, keyEnd + 1, docEnd);
    if (valueEnd < 0) break;
    for (let k = 0; k < want.length; k++) {
      const key = want[k].key;
      if (spans[2 * k] < 0 && keyEnd - i === key.length && bytesEqual(b, i, key)) {
        spans[2 * k] = keyEnd + 1;
        spans[2 * k + 1] = valueEnd;
        missing--;
      }
    }
    if (b[valueEnd] !== 44) break;
    i = valueEnd + 1;
  }
  return spans;
}

/** Room for the parts both splices render: the plan's pieces, every value, product and rule. */
function partsRoom(m: MapResult, enc: EncodedPlan): number {
  let room = 256 + stringRoom(m.product.length) + stringRoom(m.rule?.length ?? 0) + enc.piecesBytes;
  for (let i = 0; i < m.values.length; i++) room += valueRoom(m.values[i]);
  return room;
}

/** `"kind":` and the mapping's event.kind (or the writer's "event"). */
function kindValueAt(b: Buffer, o: number, plan: Plan, values: unknown[]): number {
  o = asciiAt(b, o, '"kind":');
  return plan.kindSlot < 0 ? asciiAt(b, o, '"event"') : valueAt(b, o, values[plan.kindSlot]);
}

/**
 * `"product":…,"rule":…,`: the members put first in the writer's siemgate object. The same for every
 * event of a plan (its rule is its key), so encoded once, when its first event is written.
 */
function productRuleAt(b: Buffer, o: number, m: MapResult, enc: EncodedPlan): number {
  enc.productRule ??= ascii(`"product":${JSON.stringify(m.product)},${m.rule !== undefined ? `"rule":${JSON.stringify(m.rule)},` : ''}`);
  return bytesAt(b, o, enc.productRule);
}

/** Where the document at [docAt, docEnd) has `"kind":"event"`: where the writer says it put it
 *  (checked: a mark from another document is not trusted), else searched. */
function kindMarkIn(b: Buffer, docAt: number, docEnd: number): number {
  const km = lastKindMark();
  const at = km >= docAt && km < docEnd && bytesEqual(b, km, KIND) ? km : b.indexOf(KIND, docAt);
  if (at < 0 || at >= docEnd) throw new Error('mapped-doc: the writer\'s document lacks its markers');
  return at;
}

/** Where it has `,"siemgate":{`, after kindAt. The buffer may hold an earlier document's bytes
 *  past docEnd: only what this one wrote is searched. */
function siemgateMarkIn(b: Buffer, kindAt: number, docEnd: number): number {
  const gm = lastSiemgateMark();
  const at = gm > kindAt && gm < docEnd && bytesEqual(b, gm, SIEMGATE) ? gm : b.lastIndexOf(SIEMGATE, docEnd - SIEMGATE.length);
  if (at < kindAt) throw new Error('mapped-doc: the writer\'s document lacks its markers');
  return at;
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
