/**
 * key=value pairs as devices write them (FortiGate, SonicWall, Check Point): pairs split by a
 * separator (default a space), values optionally in double quotes (with `\"` inside). A word
 * without the key/value delimiter is skipped. Calls `out` per pair, in order.
 */
export interface KvOptions {
  separator: string;
  delimiter: string;
}

/**
 * With `only`, `out` is called for those keys alone and the other values are passed over without
 * being copied out (a FortiGate line has ~50 pairs, a mapping reads a dozen). Returns how many
 * pairs there were, wanted or not.
 */
export function runKv(text: string, o: KvOptions, out: (key: string, value: string) => void, only?: ReadonlyMap<string, unknown>): number {
  let pairs = 0;
  const n = text.length;
  const sep = o.separator;
  const del = o.delimiter;
  let i = 0;
  while (i < n) {
    while (i < n && text.startsWith(sep, i)) i += sep.length;
    if (i >= n) break;
    const d = text.indexOf(del, i);
    if (d < 0) return pairs;
    const nextSep = text.indexOf(sep, i);
    if (nextSep >= 0 && nextSep < d) { // a word without a delimiter
      i = nextSep + sep.length;
      continue;
    }
    const key = text.slice(i, d).trim();
    const wanted = key !== '' && (only === undefined || only.has(key));
    let j = d + del.length;
    let value = '';
    if (text.charCodeAt(j) === 34 /* " */) {
      let k = j + 1;
      let esc = false;
      for (; k < n; k++) {
        const c = text.charCodeAt(k);
        if (c === 92 /* \ */) { esc = true; k++; continue; }
        if (c === 34) break;
      }
      if (wanted) {
        value = text.slice(j + 1, Math.min(k, n));
        if (esc) value = value.replace(/\\(.)/g, '$1');
      }
      j = k + 1;
    } else {
      const e = text.indexOf(sep, j);
      const end = e < 0 ? n : e;
      if (wanted) value = text.slice(j, end);
      j = end;
    }
    if (key !== '') pairs++;
    if (wanted) out(key, value);
    i = j;
  }
  return pairs;
}
