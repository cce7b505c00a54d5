/**
 * Finding where JSON values end in a byte buffer without parsing them, so each value of a
 * batch can be handed on as its own bytes (and JSON.parse runs on one value at a time).
 * Structural characters are ASCII, so UTF-8 multibyte sequences (all bytes >= 0x80) never
 * confuse the scan. Validation is JSON.parse's job; this only delimits.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(buf: Buffer, pos: number, end = buf.length): number {
  while (pos < end && isJsonSpace(buf[pos])) pos++;
  return pos;
}

/** End (exclusive) of the JSON value starting at `pos`, or -1 if it does not end before `end`. */
export function scanValueEnd(buf: Buffer, pos: number, end = buf.length): number {
  if (pos >= end) return -1;
  const first = buf[pos];
  if (first === QUOTE) return stringEnd(buf, pos, end);
  if (first === LBRACE || first === LBRACKET) {
    let depth = 0;
    for (let i = pos; i < end; i++) {
      const c = buf[i];
      if (c === QUOTE) {
        const e = stringEnd(buf, i, end);
        if (e < 0) return -1;
        i = e - 1;
      } else if (c === LBRACE || c === LBRACKET) {
        depth++;
      } else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = pos;
  while (i < end) {
    const c = buf[i];
    if (isJsonSpace(c) || c === COMMA || c === RBRACE || c === RBRACKET || c === LBRACE || c === LBRACKET || c === QUOTE) break;
    i++;
  }
  return i === pos ? -1 : i;
}

/** The first bytes of a string are scanned in JS; past them a native indexOf's call overhead pays off. */
const SHORT_SCAN = 64;

/** End (exclusive) of the string whose opening quote is at `pos`, or -1 if it does not end before `end`. */
export function stringEnd(buf: Buffer, pos: number, end = buf.length): number {
  const stop = Math.min(end, pos + 1 + SHORT_SCAN);
  for (let i = pos + 1; i < stop; i++) {
    const c = buf[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  if (stop === end) return -1;
  // a quote ends the string unless an odd run of backslashes escapes it
  for (let q = buf.indexOf(QUOTE, stop); q >= 0 && q < end; q = buf.indexOf(QUOTE, q + 1)) {
    let bs = 0;
    while (buf[q - 1 - bs] === BACKSLASH) bs++;
    if ((bs & 1) === 0) return q + 1;
  }
  return -1;
}

/**
 * Where the value of member `key` (the key as its JSON token, quotes included) of the object that
 * starts at `obj` begins, or -1. Only that object's own members are looked at; nested values are
 * skipped whole, so a look-alike key deeper down never matches.
 */
export function memberAt(buf: Buffer, obj: number, key: Buffer): number {
  let i = skipSpace(buf, obj + 1);
  while (i < buf.length && buf[i] === QUOTE) {
    const keyEnd = stringEnd(buf, i);
    if (keyEnd < 0) return -1;
    const isKey = keyEnd - i === key.length && sameBytes(buf, i, key);
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== COLON) return -1;
    i = skipSpace(buf, i + 1);
    if (isKey) return i;
    i = scanValueEnd(buf, i);
    if (i < 0) return -1;
    i = skipSpace(buf, i);
    if (buf[i] !== COMMA) return -1;
    i = skipSpace(buf, i + 1);
  }
  return -1;
}

/** Whether buf holds `key`'s bytes at `at`. */
export function sameBytes(buf: Buffer, at: number, key: Buffer): boolean {
  for (let k = 0; k < key.length; k++) if (buf[at + k] !== key[k]) return false;
  return true;
}

/**
 * The elements of the JSON array starting at `pos` (`[`), as [start, end) byte ranges, by
 * structure only. Stops at the first place the structure breaks; `complete` says whether the
 * closing `]` was reached.
 */
export function scanArrayElements(buf: Buffer, pos: number): { ranges: Array<[number, number]>; complete: boolean } {
  const ranges: Array<[number, number]> = [];
  let i = skipSpace(buf, pos + 1);
  if (buf[i] === RBRACKET) return { ranges, complete: true };
  while (i < buf.length) {
    const e = scanValueEnd(buf, i);
    if (e < 0) return { ranges, complete: false };
    ranges.push([i, e]);
    i = skipSpace(buf, e);
    if (buf[i] === RBRACKET) return { ranges, complete: true };
    if (buf[i] !== COMMA) return { ranges, complete: false };
    i = skipSpace(buf, i + 1);
  }
  return { ranges, complete: false };
}

/**
 * Where and why `text` is not valid JSON, for error replies only (V8's JSON.parse messages do
 * not always give a position, and some echo the input). undefined when it is valid (or nested
 * too deep to check).
 */
export function findJsonError(text: string): { pos: number; reason: string } | undefined {
  const n = text.length;
  let i = 0;
  const fail = (reason: string): never => { throw new JsonSyntaxError(i, reason); };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const str = (): void => {
    i++;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return; }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i++; fail('bad \\u escape in string'); }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          i++;
          fail('bad escape in string');
        }
        continue;
      }
      if (c < 0x20) fail('control character in string (escape it)');
      i++;
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === undefined) fail('unexpected end of input');
    if (ch === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(i >= n ? 'unexpected end of input' : 'expected a double-quoted property name');
        str(); ws();
        if (text[i] !== ':') fail("expected ':' after the property name");
        i++;
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail(i >= n ? 'unexpected end of input' : "expected ',' or '}'");
      }
    }
    if (ch === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail(i >= n ? 'unexpected end of input' : "expected ',' or ']'");
      }
    }
    if (ch === '"') { str(); return; }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) { i += lit.length; return; }
    }
    const num = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    num.lastIndex = i;
    if (num.test(text)) { i = num.lastIndex; return; }
    fail(`unexpected character ${JSON.stringify(ch)}`);
  };
  try {
    value();
    ws();
    if (i < n) fail('unexpected data after the JSON value');
    return undefined;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { pos: err.pos, reason: err.reason };
    return undefined; // stack overflow on absurd nesting: no location
  }
}

class JsonSyntaxError {
  constructor(readonly pos: number, readonly reason: string) {}
}

/** 1-based line and column of char index `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: pos - lineStart + 1 };
}

/** JSON.parse's complaint without any echo of the input (bodies are never logged or echoed). */
export function jsonErrorReason(message: string): string {
  const cut = message.search(/[,:]? *(\.\.\.)?"|\bin JSON\b/);
  return (cut < 0 ? message : message.slice(0, cut)).trim() || 'not valid JSON';
}
