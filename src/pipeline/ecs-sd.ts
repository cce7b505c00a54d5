import { structuredDataOf } from '../parse/structured-data';
import type { Parsed, StructuredData } from '../parse';
import { unescapeSdValue } from '../parse/structured-data';
import { asciiBytesAt, commit, outputOffset, putAscii, putByte, putString, reserve, stringAt, stringRangeAt } from './json-out';

/**
 * `log.syslog.structured_data` as JSON, written straight from the wire text: the parser validated
 * it (src/parse/structured-data.ts has the grammar) and kept it as text (`sdText`), so the writers
 * here only delimit names and values and copy them, escaping where needed. Where plain copying
 * would not give the JSON of the decoded objects, what was written is dropped and the objects are
 * built (structuredDataOf) and written as toEcs would: a repeated SD-ID (merged), a repeated param
 * name (last wins, first position), an all-digit name (array-index keys enumerate first), more
 * than SD_MAX ids or params.
 *
 * Two walkers of the same grammar: over the raw message's bytes (the common case: an ASCII message
 * whose bytes are at hand; reading bytes costs much less than reading chars of a sliced string and
 * calling indexOf per token: 220 vs 400 ns for the peer-bench SD, walker alone), and over sdText
 * (any message; it also decodes values with backslashes).
 */

/**
 * The SD of `p` (p.sdText is set). `bytes` holds the raw text `raw` from `rawStart` on, one byte per
 * char (ASCII), or is undefined.
 */
export function writeStructuredData(p: Parsed, raw: string, bytes: Uint8Array | undefined, rawStart: number): void {
  if (p.structuredData !== undefined) {
    writeSd(p.structuredData);
    return;
  }
  const sd = p.sdText as string;
  if (bytes !== undefined) {
    const at = sdOffset(raw, sd, p.message);
    if (at >= 0 && writeSdBytes(bytes, rawStart + at, rawStart + at + sd.length)) return;
  }
  writeSdText(p);
}

/**
 * Where the SD text stands in the raw text, or -1. RFC 5424 puts it before SP and MSG (or a bare
 * SP when MSG is empty), or last; the candidate is checked (one native compare), not trusted.
 */
function sdOffset(raw: string, sd: string, message: string): number {
  let at = raw.length - message.length - 1 - sd.length;
  if (at >= 0 && raw.slice(at, at + sd.length) === sd) return at;
  at = raw.length - sd.length;
  if (at >= 0 && raw.slice(at) === sd) return at;
  return -1;
}

export function writeSd(sd: StructuredData): void {
  putByte(123);
  let first = true;
  for (const id in sd) {
    if (!first) putByte(44);
    putString(id);
    putByte(58);
    writeFlat(sd[id]);
    first = false;
  }
  putByte(125);
}

/** An object of strings (SD params, LEEF attributes), in its own key order, as JSON.stringify. */
export function writeFlat(o: Record<string, string>): void {
  putByte(123);
  let first = true;
  for (const k in o) {
    if (!first) putByte(44);
    putString(k);
    putByte(58);
    putString(o[k]);
    first = false;
  }
  putByte(125);
}

// Spans [start, end) of the SD-IDs seen so far and of the param names of the current element, to
// detect repeats (which the object form merges / overwrites). Module scratch: writing is synchronous.
const SD_MAX = 32;
const idSpans = new Int32Array(SD_MAX * 2);
const paramSpans = new Int32Array(SD_MAX * 2);

/** Room for the JSON of `n` chars of SD text: 6 bytes a char at most (a control char in a value),
 *  and the outer braces. */
function sdRoom(n: number): number {
  return 6 * n + 16;
}

/**
 * The SD from bytes [from, to) of src (ASCII). Returns false, having written nothing, where the
 * text walker must do it: a value with a backslash (to decode), or what takes the object path.
 */
function writeSdBytes(src: Uint8Array, from: number, to: number): boolean {
  const b = reserve(sdRoom(to - from));
  let o = outputOffset();
  b[o++] = 123;
  let nIds = 0;
  let i = from;
  while (i < to) {
    // src[i] is `[`; the SD-ID ends at SP or `]`
    i++;
    let j = i;
    let c = src[j];
    while (c !== 32 && c !== 93) c = src[++j];
    if (nIds === SD_MAX || isDigitBytes(src, i, j) || seenBytes(src, idSpans, nIds, i, j)) return false;
    idSpans[2 * nIds] = i;
    idSpans[2 * nIds + 1] = j;
    if (nIds > 0) b[o++] = 44;
    b[o++] = 34;
    o = asciiBytesAt(b, o, src, i, j); // a backslash is the one SD-NAME char JSON escapes
    b[o++] = 34;
    b[o++] = 58;
    b[o++] = 123;
    nIds++;
    let nParams = 0;
    i = j;
    for (;;) {
      if (src[i] === 93) {
        i++;
        break;
      }
      // SP+ then a param, or `]`
      i++;
      while (src[i] === 32) i++;
      if (src[i] === 93) continue;
      // PARAM-NAME SP* `=` SP* `"` value `"`
      j = i;
      c = src[j];
      while (c !== 61 && c !== 32) c = src[++j];
      if (nParams === SD_MAX || isDigitBytes(src, i, j) || seenBytes(src, paramSpans, nParams, i, j)) return false;
      paramSpans[2 * nParams] = i;
      paramSpans[2 * nParams + 1] = j;
      if (nParams > 0) b[o++] = 44;
      b[o++] = 34;
      o = asciiBytesAt(b, o, src, i, j);
      b[o++] = 34;
      b[o++] = 58;
      let k = j;
      while (src[k] !== 34) k++;
      const v = ++k;
      c = src[k];
      while (c !== 34) {
        if (c === 92) return false; // `\"` `\\` `\]` are decoded: the text walker does it
        c = src[++k];
      }
      b[o++] = 34;
      o = asciiBytesAt(b, o, src, v, k); // control chars are escaped
      b[o++] = 34;
      nParams++;
      i = k + 1;
    }
    b[o++] = 125;
  }
  b[o++] = 125;
  commit(o);
  return true;
}

function isDigitBytes(src: Uint8Array, i: number, j: number): boolean {
  for (let k = i; k < j; k++) {
    if (src[k] < 48 || src[k] > 57) return false;
  }
  return true;
}

/** Whether src[i, j) equals one of the first n spans recorded in `spans`. */
function seenBytes(src: Uint8Array, spans: Int32Array, n: number, i: number, j: number): boolean {
  const len = j - i;
  for (let m = 0; m < n; m++) {
    const a = spans[2 * m];
    if (spans[2 * m + 1] - a !== len) continue;
    let k = 0;
    while (k < len && src[a + k] === src[i + k]) k++;
    if (k === len) return true;
  }
  return false;
}

/**
 * The SD from p.sdText (any text). A value with a backslash is decoded first (rare).
 */
function writeSdText(p: Parsed): void {
  const t = p.sdText as string;
  const end = t.length;
  const b = reserve(sdRoom(end)); // decoded values are no longer than as written
  let o = outputOffset();
  b[o++] = 123;
  let nIds = 0;
  let i = 0;
  let bs = t.indexOf('\\'); // the next backslash (moved forward as values pass it)
  while (i < end) {
    // t[i] is `[`
    i++;
    let j = i;
    for (;;) {
      const c = t.charCodeAt(j);
      if (c === 32 || c === 93 /* ] */) break;
      j++;
    }
    if (nIds === SD_MAX || seenSpan(t, idSpans, nIds, i, j) || isDigitRun(t, i, j)) {
      writeSdObjects(p);
      return;
    }
    idSpans[2 * nIds] = i;
    idSpans[2 * nIds + 1] = j;
    if (nIds > 0) b[o++] = 44;
    o = stringRangeAt(b, o, t, i, j);
    b[o++] = 58;
    b[o++] = 123;
    nIds++;
    let nParams = 0;
    i = j;
    for (;;) {
      let c = t.charCodeAt(i);
      if (c === 93) {
        i++;
        break;
      }
      // SP+ then a param, or `]`
      i++;
      while (t.charCodeAt(i) === 32) i++;
      if (t.charCodeAt(i) === 93) continue;
      const eq = t.indexOf('=', i);
      j = eq;
      while (t.charCodeAt(j - 1) === 32) j--;
      if (nParams === SD_MAX || seenSpan(t, paramSpans, nParams, i, j) || isDigitRun(t, i, j)) {
        writeSdObjects(p);
        return;
      }
      paramSpans[2 * nParams] = i;
      paramSpans[2 * nParams + 1] = j;
      if (nParams > 0) b[o++] = 44;
      o = stringRangeAt(b, o, t, i, j);
      b[o++] = 58;
      i = eq + 1;
      while (t.charCodeAt(i) === 32) i++;
      i++; // the opening quote
      // the value ends at the first `"` not escaped: found natively unless a backslash comes first
      let k = t.indexOf('"', i);
      if (bs >= 0 && bs < i) bs = t.indexOf('\\', i);
      if (bs >= 0 && bs < k) {
        k = i;
        for (;;) {
          c = t.charCodeAt(k);
          if (c === 34 /* " */) break;
          k += c === 92 /* \ */ ? 2 : 1;
        }
        o = stringAt(b, o, unescapeSdValue(t, i, k));
        bs = t.indexOf('\\', k);
      } else {
        o = stringRangeAt(b, o, t, i, k); // nothing to decode; control chars are escaped
      }
      nParams++;
      i = k + 1;
    }
    b[o++] = 125;
  }
  b[o++] = 125;
  commit(o);
}

/** Whether t[i, j) equals one of the first n spans recorded in `spans`. */
function seenSpan(t: string, spans: Int32Array, n: number, i: number, j: number): boolean {
  const len = j - i;
  for (let m = 0; m < n; m++) {
    const a = spans[2 * m];
    if (spans[2 * m + 1] - a !== len) continue;
    let k = 0;
    while (k < len && t.charCodeAt(a + k) === t.charCodeAt(i + k)) k++;
    if (k === len) return true;
  }
  return false;
}

/** An all-digit SD-NAME is an array-index key, which object enumeration would move to the front. */
function isDigitRun(t: string, i: number, j: number): boolean {
  for (let k = i; k < j; k++) {
    const c = t.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The fallback (what was written is not committed): the decoded objects, as toEcs writes them. */
function writeSdObjects(p: Parsed): void {
  const sd = structuredDataOf(p);
  if (sd === undefined) putAscii('{}');
  else writeSd(sd);
}
