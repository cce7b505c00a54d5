/**
 * Field names taken off the wire (SD-IDs, SD param names, CEF/LEEF/kv keys) repeat from message
 * to message. Storing `obj[key]` with a freshly sliced key makes V8 look the string up in its
 * string table on every store (~60 ns); an already-internalized key costs ~15 ns. This direct-mapped
 * cache returns the internalized string for `s.slice(start, end)` without slicing on a hit.
 * Bounded: a colliding key just replaces the slot.
 */
const SIZE = 4096;
const MASK = SIZE - 1;
const MAX_LEN = 64;
const table: Array<string | undefined> = new Array<string | undefined>(SIZE).fill(undefined);

export function internKey(s: string, start: number, end: number): string {
  const n = end - start;
  if (n > MAX_LEN || n <= 0) return s.slice(start, end);
  let h = n;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
  const slot = (h ^ (h >>> 13)) & MASK;
  const c = table[slot];
  if (c !== undefined && c.length === n && s.startsWith(c, start)) return c;
  const key = internalize(s.slice(start, end));
  table[slot] = key;
  return key;
}

/** The internalized copy of `k` (property keys are internalized by V8). */
function internalize(k: string): string {
  const o: Record<string, number> = {};
  o[k] = 0;
  for (const x in o) return x;
  return k;
}
