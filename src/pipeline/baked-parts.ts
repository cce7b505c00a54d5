import { valueAt, valueRoom } from './json-out';

/**
 * A plan's literal JSON pieces between its values (mapped-doc.ts): pieces[i] precedes the value
 * of slot slots[i]; the last piece ends the part.
 */
export interface EncodedPart {
  pieces: Uint8Array[];
  slots: number[];
}

/** Parts with the values that repeat baked into their pieces, and the values they assume. */
export interface BakedParts {
  event: EncodedPart;
  tail: EncodedPart;
  slots: number[];
  values: unknown[];
}

/**
 * What a rule sets is much the same event after event: event.kind, .category, .type, .action,
 * .outcome, .dataset, observer.vendor, .product, .type are constants of the rule, and interface
 * names or protocols repeat. Writing each as JSON per event was the largest part of splicing a
 * mapped document (renderAt: ~1 µs of an ASA event's 7.6). So, per plan, the values of the first
 * LEARN events are watched; those that did not change are rendered once into the pieces around
 * them, and per event they are only compared. An event whose value differs is rendered the plain
 * way, as are all while the plan is learning; if that happens often, the plan learns again.
 */
export interface Baking {
  seen: number;
  /** Learned, and nothing repeated: no checks at all. */
  nothing: boolean;
  first: unknown[] | undefined;
  stable: boolean[] | undefined;
  baked: BakedParts | undefined;
  hits: number;
  misses: number;
}

const LEARN = 16;
/** Checked after this many misses: learning again when they are more than a quarter of the events. */
const MISS_CHECK = 64;

export function newBaking(): Baking {
  return { seen: 0, nothing: false, first: undefined, stable: undefined, baked: undefined, hits: 0, misses: 0 };
}

/** The parts to render this event's values with: the baked ones when its values are theirs, else undefined. */
export function bakedFor(k: Baking, event: EncodedPart, tail: EncodedPart, values: unknown[]): BakedParts | undefined {
  const b = k.baked;
  if (b !== undefined) {
    const slots = b.slots;
    for (let i = 0; i < slots.length; i++) {
      if (!sameValue(values[slots[i]], b.values[i])) {
        if (++k.misses >= MISS_CHECK && k.misses * 4 > k.hits) relearn(k);
        return undefined;
      }
    }
    k.hits++;
    return b;
  }
  if (k.nothing) return undefined;
  if (k.first === undefined) {
    k.first = values.slice();
    k.stable = values.map(bakeable);
  } else {
    const first = k.first;
    const stable = k.stable!;
    for (let i = 0; i < stable.length; i++) if (stable[i] && !sameValue(values[i], first[i])) stable[i] = false;
  }
  if (++k.seen === LEARN) {
    k.baked = bake(event, tail, k.first, k.stable!);
    k.nothing = k.baked === undefined;
    k.first = undefined; // the baked parts keep what they need
    k.stable = undefined;
  }
  return undefined;
}

function relearn(k: Baking): void {
  k.seen = 0;
  k.nothing = false;
  k.first = undefined;
  k.stable = undefined;
  k.baked = undefined;
  k.hits = 0;
  k.misses = 0;
}

/** Values rendered the same every time: strings, finite numbers, booleans, and lists of them. */
function bakeable(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return Array.isArray(v) && v.length <= 8 && v.every((x) => typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)));
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bake(event: EncodedPart, tail: EncodedPart, first: unknown[], stable: boolean[]): BakedParts | undefined {
  const slots: number[] = [];
  const values: unknown[] = [];
  const part = (p: EncodedPart): EncodedPart => {
    const pieces: Uint8Array[] = [];
    const keep: number[] = [];
    let pending: number[] = [...p.pieces[0]];
    for (let i = 0; i < p.slots.length; i++) {
      const slot = p.slots[i];
      if (stable[slot]) {
        const v = first[slot];
        const tmp = Buffer.allocUnsafe(valueRoom(v));
        const n = valueAt(tmp, 0, v);
        for (let j = 0; j < n; j++) pending.push(tmp[j]);
        for (const x of p.pieces[i + 1]) pending.push(x);
        if (!slots.includes(slot)) { slots.push(slot); values.push(v); }
      } else {
        pieces.push(Uint8Array.from(pending));
        keep.push(slot);
        pending = [...p.pieces[i + 1]];
      }
    }
    pieces.push(Uint8Array.from(pending));
    return { pieces, slots: keep };
  };
  const baked = { event: part(event), tail: part(tail), slots, values };
  return slots.length === 0 ? undefined : baked;
}
