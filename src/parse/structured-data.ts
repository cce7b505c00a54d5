import { internKey } from './intern-key';
import { setField } from './set-field';
import type { Parsed, StructuredData } from './types';

/**
 * RFC 5424 STRUCTURED-DATA, decoded lazily.
 *
 * The parser only validates and delimits the SD (scanSd) and keeps its text in `Parsed.sdText`:
 * building `{ sdId: { param: value } }` per message cost about a third of an RFC 5424 parse, and
 * the per-event consumer (the ECS writer) turns it straight back into JSON text, which it can do
 * from the text itself. Whoever needs the objects calls structuredDataOf, which decodes once and
 * caches the result in `Parsed.structuredData`.
 *
 * Syntax accepted (scanSd checks it; decodeSd only walks text scanSd accepted): one or more
 * `[SD-ID *(SP+ PARAM-NAME SP* = SP* "PARAM-VALUE") SP*]`; SD-ID and PARAM-NAME are SD-NAME chars
 * (PRINTUSASCII except `=`, SP, `]`, `"`; no length limit); a value ends at the first `"` not
 * escaped by `\` (so an unescaped `]` inside quotes is part of the value). Decoding: `\"` `\\`
 * `\]` lose the backslash, any other `\x` is kept as both chars; a repeated SD-ID merges its
 * params into the first element; a repeated param keeps the last value; `__proto__` is an
 * ordinary key.
 */

/** SD-NAME char: PRINTUSASCII except `=`, SP, `]`, `"`. */
function isSdNameChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 61 && c !== 93 && c !== 34;
}

/**
 * Validates the SD-ELEMENTs starting at the `[` at i. Returns the index past the last `]`, or -1
 * when the structured data is malformed. Builds nothing. Names are read char by char (they must
 * be checked anyway); values are found with indexOf (native), and only a value with a backslash
 * before its first `"` is walked char by char.
 */
export function scanSd(s: string, i: number): number {
  const len = s.length;
  // the next backslash at or after the current value: -2 = not searched yet (most SD has none;
  // searched once, then moved forward only when a value reaches it)
  let bs = -2;
  while (i < len && s.charCodeAt(i) === 91 /* [ */) {
    i++;
    let j = i;
    while (j < len && isSdNameChar(s.charCodeAt(j))) j++;
    if (j === i) return -1;
    i = j;
    for (;;) {
      if (i >= len) return -1;
      let c = s.charCodeAt(i);
      if (c === 93 /* ] */) {
        i++;
        break;
      }
      if (c !== 32) return -1;
      i++;
      while (s.charCodeAt(i) === 32) i++;
      if (i >= len) return -1;
      if (s.charCodeAt(i) === 93) continue;
      // PARAM-NAME, then SP* `=` SP* `"`
      j = i;
      while (j < len && isSdNameChar(s.charCodeAt(j))) j++;
      if (j === i) return -1;
      while (s.charCodeAt(j) === 32) j++;
      if (s.charCodeAt(j) !== 61 /* = */) return -1;
      i = j + 1;
      while (s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) !== 34 /* " */) return -1;
      i++;
      // PARAM-VALUE up to the first `"` not escaped
      let q = s.indexOf('"', i);
      if (q < 0) return -1;
      if (bs === -2 || (bs >= 0 && bs < i)) bs = s.indexOf('\\', i);
      if (bs >= 0 && bs < q) {
        q = i;
        for (;;) {
          if (q >= len) return -1;
          c = s.charCodeAt(q);
          if (c === 34) break;
          q += c === 92 ? 2 : 1;
        }
        bs = s.indexOf('\\', q);
      }
      i = q + 1;
    }
  }
  return i;
}

/**
 * The SD objects of a parsed message: decoded from `p.sdText` on the first call and cached in
 * `p.structuredData` (so later calls, and code that reads the field, see the same objects).
 * Undefined when the message had no structured data (`-`, or not RFC 5424).
 */
export function structuredDataOf(p: Parsed): StructuredData | undefined {
  const cached = p.structuredData;
  if (cached !== undefined) return cached;
  const t = p.sdText;
  if (t === undefined) return undefined;
  p.structuredData = decodeSd(t);
  return p.structuredData;
}

/**
 * The objects of SD text that scanSd accepted: the grammar is known to hold, so this only walks it
 * (no checks, no error returns). Off the hot path: only structuredDataOf calls it.
 */
function decodeSd(s: string): StructuredData {
  const sd: StructuredData = {};
  const len = s.length;
  let i = 0;
  while (i < len && s.charCodeAt(i) === 91 /* [ */) {
    let j = ++i;
    while (isSdNameChar(s.charCodeAt(j))) j++;
    const id = internKey(s, i, j);
    let params = Object.prototype.hasOwnProperty.call(sd, id) ? sd[id] : undefined;
    if (params === undefined) {
      params = {};
      setField(sd, id, params);
    }
    i = j;
    for (;;) {
      while (s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) === 93 /* ] */) {
        i++;
        break;
      }
      // PARAM-NAME SP* = SP* "PARAM-VALUE"
      const eq = s.indexOf('=', i);
      j = eq;
      while (s.charCodeAt(j - 1) === 32) j--;
      const name = internKey(s, i, j);
      i = s.indexOf('"', eq) + 1;
      const end = valueEnd(s, i);
      setField(params, name, unescapeSdValue(s, i, end));
      i = end + 1;
    }
  }
  return sd;
}

/** Index of the `"` that closes the value starting at i (a `\` escapes the char after it). */
function valueEnd(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    i += c === 92 ? 2 : 1;
  }
}

/** PARAM-VALUE decoding: `\"` `\\` `\]` lose the backslash; any other `\x` is kept as both chars. */
export function unescapeSdValue(s: string, i: number, end: number): string {
  let out = '';
  let from = i;
  for (let j = i; j < end; j++) {
    if (s.charCodeAt(j) === 92) {
      const n = s.charCodeAt(j + 1);
      if (n === 34 || n === 92 || n === 93) {
        out += s.slice(from, j);
        from = j + 1;
      }
      j++;
    }
  }
  return out + s.slice(from, end);
}
