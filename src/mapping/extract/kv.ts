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
      const k = closingQuote(text, j);
      if (wanted) value = quotedValue(text, j, k);
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

/**
 * The keys a kv step wants, for runKvWanted: found by their first char and compared in place
 * (startsWith at the pair's position), so a pair's key is never sliced out of the text: a UFW line
 * has ~20 pairs and slicing each key to look it up in a Map was half the step.
 */
export interface KvKeys {
  keys: readonly string[];
  /** Per first char code (< 128): the indexes of the keys starting with it. */
  byFirst: ReadonlyArray<number[] | undefined>;
  index: ReadonlyMap<string, number>;
}

export function kvKeys(keys: readonly string[]): KvKeys {
  const byFirst: Array<number[] | undefined> = new Array(128).fill(undefined);
  keys.forEach((k, i) => {
    const c = k.charCodeAt(0);
    if (c < 128) (byFirst[c] ??= []).push(i);
  });
  return { keys, byFirst, index: new Map(keys.map((k, i) => [k, i])) };
}

/** Printable ASCII other than space: never trimmed, so a key that starts and ends with one is its own span. */
const plain = (c: number): boolean => c > 32 && c < 127;

/** Which wanted key the text [from, to) is once trimmed (as runKv's key), or -1. */
function keyAt(text: string, from: number, to: number, t: KvKeys): number {
  if (to > from && plain(text.charCodeAt(from)) && plain(text.charCodeAt(to - 1))) {
    const list = t.byFirst[text.charCodeAt(from)];
    if (list === undefined) return -1;
    for (let j = 0; j < list.length; j++) {
      const k = t.keys[list[j]];
      if (k.length === to - from && text.startsWith(k, from)) return list[j];
    }
    return -1;
  }
  const key = text.slice(from, to).trim(); // spaces or non-ASCII at an edge: as runKv does
  return key === '' ? -1 : t.index.get(key) ?? -1;
}

/**
 * runKv with `only`, for the keys of a KvKeys table: `out` gets the key's index in the table, and
 * the same pairs, values and count as runKv gives (a fast-check test holds them equal). With
 * `from`, the pairs of text[from, end): the same as of text.slice(from).
 */
export function runKvWanted(text: string, o: KvOptions, t: KvKeys, out: (key: number, value: string) => void, from = 0): number {
  if (o.separator.length === 1 && o.delimiter.length === 1) return runKvChars(text, from, o.separator.charCodeAt(0), o.delimiter.charCodeAt(0), t, out);
  // longer separators (Check Point's `; `): runKv itself, its keys turned into the table's indexes
  wantedTable = t;
  wantedOut = out;
  try {
    return runKv(from === 0 ? text : text.slice(from), o, byIndex, t.index);
  } finally {
    wantedTable = undefined;
    wantedOut = undefined;
  }
}

// what byIndex passes a pair on to, set per runKvWanted call: one callback, not one per call
let wantedTable: KvKeys | undefined;
let wantedOut: ((key: number, value: string) => void) | undefined;
const byIndex = (key: string, value: string): void => wantedOut!(wantedTable!.index.get(key)!, value);

/**
 * runKvWanted for a one-char separator and delimiter (nearly every device): one scan per pair for
 * whichever comes first, instead of a search for each. The same pairs as runKv: a word without the
 * delimiter is passed over; once no delimiter follows, no pair can. Scans text[from, end).
 */
function runKvChars(text: string, from: number, sep: number, del: number, t: KvKeys, out: (key: number, value: string) => void): number {
  let pairs = 0;
  const n = text.length;
  let i = from;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === sep) i++;
    let d = i;
    let c = 0;
    while (d < n) {
      c = text.charCodeAt(d);
      if (c === del || c === sep) break;
      d++;
    }
    if (d >= n) return pairs;
    if (c !== del) { // a word without a delimiter
      i = d + 1;
      continue;
    }
    const key = keyAt(text, i, d, t);
    const counted = key >= 0 || !emptyKey(text, i, d);
    let j = d + 1;
    let value = '';
    if (text.charCodeAt(j) === 34 /* " */) {
      const k = closingQuote(text, j);
      if (key >= 0) value = quotedValue(text, j, k);
      j = k + 1;
    } else {
      let e = j;
      while (e < n && text.charCodeAt(e) !== sep) e++;
      if (key >= 0) value = text.slice(j, e);
      j = e;
    }
    if (counted) pairs++;
    if (key >= 0) out(key, value);
    i = j;
  }
  return pairs;
}

/** The closing quote of the value whose opening quote is at `open` (`\x` skipped), or past the text's end. */
function closingQuote(text: string, open: number): number {
  let k = open + 1;
  for (; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 92 /* \ */) k++;
    else if (c === 34 /* " */) break;
  }
  return k;
}

/** The text between the quotes at `open` and `close`, `\x` read as `x`. */
function quotedValue(text: string, open: number, close: number): string {
  const v = text.slice(open + 1, Math.min(close, text.length));
  return v.includes('\\') ? v.replace(/\\(.)/g, '$1') : v;
}

/** Whether text [from, to) is empty once trimmed (the common case, a plain first char, without slicing). */
function emptyKey(text: string, from: number, to: number): boolean {
  if (to > from && plain(text.charCodeAt(from))) return false;
  return text.slice(from, to).trim() === '';
}
