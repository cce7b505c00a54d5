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
 * Syntax accepted (both functions below read exactly the same language): one or more
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

function isSdName(s: string, i: number, e: number): boolean {
  for (let k = i; k < e; k++) if (!isSdNameChar(s.charCodeAt(k))) return false;
  return true;
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
  const sd: StructuredData = {};
  if (decodeSd(t, 0, sd) < 0) return undefined; // cannot happen for a parser's sdText (validated)
  p.structuredData = sd;
  return sd;
}

/** Like scanSd, and fills `sd`. Off the hot path: only structuredDataOf calls it. */
function decodeSd(s: string, i: number, sd: StructuredData): number {
  const len = s.length;
  let bs = s.indexOf('\\', i);
  let first = true;
  while (i < len && s.charCodeAt(i) === 91 /* [ */) {
    i++;
    let j = i;
    while (j < len && isSdNameChar(s.charCodeAt(j))) j++;
    if (j === i) return -1;
    const id = internKey(s, i, j);
    // `first`: no lookup on an empty object (and `sd['__proto__']` would read the prototype)
    let params = first ? undefined : Object.prototype.hasOwnProperty.call(sd, id) ? sd[id] : undefined;
    first = false;
    if (params === undefined) {
      params = {};
      setField(sd, id, params);
    }
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
      const eq = s.indexOf('=', i);
      if (eq < 0) return -1;
      j = eq;
      while (j > i && s.charCodeAt(j - 1) === 32) j--;
      if (j === i || !isSdName(s, i, j)) return -1;
      const name = internKey(s, i, j);
      i = eq + 1;
      while (s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) !== 34 /* " */) return -1;
      i++;
      let q = s.indexOf('"', i);
      if (q < 0) return -1;
      if (bs >= 0 && bs < i) bs = s.indexOf('\\', i);
      if (bs >= 0 && bs < q) {
        q = i;
        for (;;) {
          if (q >= len) return -1;
          c = s.charCodeAt(q);
          if (c === 34) break;
          q += c === 92 ? 2 : 1;
        }
        setField(params, name, unescapeSdValue(s, i, q));
        bs = s.indexOf('\\', q);
      } else {
        setField(params, name, s.slice(i, q));
      }
      i = q + 1;
    }
  }
  return i;
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
