/**
 * Field names taken off the wire (SD-IDs, SD param names, CEF/LEEF/kv keys) repeat from message
 * to message. Storing `obj[key]` with a freshly sliced key makes V8 look the string up in its
 * string table on every store; an already-internalized key is ~3× cheaper to store. This small
 * 2-way cache, indexed by a cheap hash (every char of a key up to 24 chars, else length and 4
 * sampled chars), returns the internalized copy; the key is compared in place, so a hit allocates
 * nothing. Bounded: a missing key replaces the older entry of its pair of slots.
 */
const SIZE = 2048;
const MASK = SIZE - 2;
const MAX_LEN = 64;
const table: string[] = new Array<string>(SIZE).fill('');

export function internKey(s: string, start: number, end: number): string {
  const n = end - start;
  if (n > MAX_LEN || n <= 0) return s.slice(start, end);
  // Every char counts for short keys: families such as cs1Label/cs3Label/cn1Label differ in one
  // inner char, and a sampled hash made them evict each other from their pair of slots.
  let h = Math.imul(n, 0x9e3779b1);
  if (n <= 24) {
    for (let k = start; k < end; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  } else {
    h ^= Math.imul(s.charCodeAt(start), 0x85ebca6b) ^ Math.imul(s.charCodeAt(end - 1), 0xc2b2ae35)
      ^ Math.imul(s.charCodeAt(start + (n >> 1)), 0x27d4eb2f) ^ Math.imul(s.charCodeAt(start + (n >> 2)), 0x165667b1);
  }
  const slot = (h ^ (h >>> 15)) & MASK;
  // compared in place: a hit (the usual case) allocates no slice
  const a = table[slot];
  if (a.length === n && s.startsWith(a, start)) return a;
  const b = table[slot + 1];
  if (b.length === n && s.startsWith(b, start)) return b;
  const key = internalize(s.slice(start, end));
  table[slot + 1] = a;
  table[slot] = key;
  return key;
}

/** The internalized copy of `k` (V8 internalizes property keys). */
export function internalize(k: string): string {
  const o: Record<string, number> = {};
  o[k] = 0;
  for (const x in o) return x;
  return k;
}
