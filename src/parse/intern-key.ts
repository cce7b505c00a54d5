/**
 * Field names taken off the wire (SD-IDs, SD param names, CEF/LEEF/kv keys) repeat from message
 * to message. Storing `obj[key]` with a freshly sliced key makes V8 look the string up in its
 * string table on every store; an already-internalized key is ~3× cheaper to store. This small
 * 2-way cache, indexed by a cheap hash (length, first, middle and last char), returns the
 * internalized copy. Bounded: a missing key replaces the older entry of its pair of slots.
 */
const SIZE = 2048;
const MASK = SIZE - 2;
const MAX_LEN = 64;
const table: string[] = new Array<string>(SIZE).fill('');

export function internKey(s: string, start: number, end: number): string {
  const n = end - start;
  const k = s.slice(start, end);
  if (n > MAX_LEN || n <= 0) return k;
  const h = Math.imul(n, 0x9e3779b1) ^ Math.imul(s.charCodeAt(start), 0x85ebca6b)
    ^ Math.imul(s.charCodeAt(end - 1), 0xc2b2ae35) ^ Math.imul(s.charCodeAt(start + (n >> 1)), 0x27d4eb2f);
  const slot = (h ^ (h >>> 15)) & MASK;
  const a = table[slot];
  if (a === k) return a;
  const b = table[slot + 1];
  if (b === k) return b;
  const key = internalize(k);
  table[slot + 1] = a;
  table[slot] = key;
  return key;
}

/** The internalized copy of `k` (V8 internalizes property keys). */
function internalize(k: string): string {
  const o: Record<string, number> = {};
  o[k] = 0;
  for (const x in o) return x;
  return k;
}
