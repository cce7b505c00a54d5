import { internalize } from './intern-key';
import { setField } from './set-field';
import type { CefRecord } from './types';

/**
 * ArcSight CEF: `CEF:Version|Vendor|Product|Version|EventClassId|Name|Severity|Extension`.
 *
 * Finds `CEF:` at the start or after any prefix (a syslog header, `Syslogdate Sysloghost `).
 * Header fields: `\|` → `|`, `\\` → `\`, any other `\x` kept as both chars; a missing last `|`
 * after Severity is tolerated. Extension: `key=value` pairs; a value runs to the next ` key=`
 * (key = letters, digits, `_ . , [ ] -`), so spaces and unescaped `=` inside values survive;
 * the spaces before the next key (and at the very end) are not part of the value, as
 * logstash-codec-cef reads them. Values: `\=` → `=`, `\\` → `\`, `\n` → LF, `\r` → CR; any other
 * `\x` (including `\|`) is kept as both chars. Keys are kept as on the wire; a repeated key keeps
 * the last value. Text in the extension before the first `key=` is dropped.
 */
export function parseCef(text: string): CefRecord | undefined {
  let i = text.startsWith('CEF:') ? 0 : text.indexOf('CEF:');
  if (i < 0) return undefined;
  const len = text.length;
  i += 4;
  while (text.charCodeAt(i) === 32) i++; // `CEF: 0|` (some senders put a space there)
  // Version: digits (possibly `0.1`), then `|`
  const vStart = i;
  while (i < len) {
    const c = text.charCodeAt(i);
    if ((c < 48 || c > 57) && c !== 46) break;
    i++;
  }
  if (i === vStart || text.charCodeAt(i) !== 124 /* | */) return undefined;
  const version = parseInt(text.slice(vStart, i), 10);
  i++;

  // Header fields end at the next `|` (indexOf, native); only a field with a backslash before
  // that `|` is walked char by char. `bs`: the next backslash at or after i (-1: none).
  let bs = text.indexOf('\\', i);
  const fields: string[] = ['', '', '', '', '', ''];
  for (let f = 0; f < 6; f++) {
    let j = text.indexOf('|', i);
    if (j < 0) j = len;
    if (bs >= 0 && bs < i) bs = text.indexOf('\\', i);
    if (bs >= 0 && bs < j) {
      j = i;
      for (;;) {
        if (j >= len) break;
        const c = text.charCodeAt(j);
        if (c === 124) break;
        if (c === 92 /* \ */) {
          j += 2;
          if (j > len) j = len;
        } else {
          j++;
        }
      }
      fields[f] = unescapeHeader(text, i, j);
    } else {
      fields[f] = text.slice(i, j);
    }
    // a missing closing `|` is tolerated only for the last header field (Severity)
    if (j >= len && f < 5) return undefined;
    i = j + 1;
  }

  const ext: Record<string, string> = {};
  if (i < len) readExtensions(text, i, ext, bs);
  return {
    version,
    deviceVendor: fields[0],
    deviceProduct: fields[1],
    deviceVersion: fields[2],
    deviceEventClassId: fields[3],
    name: fields[4],
    severity: fields[5],
    extensions: ext,
  };
}

function unescapeHeader(s: string, i: number, end: number): string {
  let out = '';
  let from = i;
  for (let j = i; j < end; j++) {
    if (s.charCodeAt(j) === 92) {
      const n = s.charCodeAt(j + 1);
      if (n === 124 || n === 92) {
        out += s.slice(from, j);
        from = j + 1;
      }
      j++;
    }
  }
  return out + s.slice(from, end);
}

/** Extension key chars (letters, digits, `_ . , [ ] -`) as a table: one load per char. */
const KEY_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  KEY_CHAR[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    || c === 95 || c === 46 || c === 44 || c === 91 || c === 93 || c === 45 ? 1 : 0;
}

function isKeyChar(c: number): boolean {
  return c < 128 && KEY_CHAR[c] === 1;
}

/** If a `key=` starts at i, the index of its `=`; else -1. */
function keyAt(s: string, i: number): number {
  const len = s.length;
  let j = i;
  while (j < len && isKeyChar(s.charCodeAt(j))) j++;
  return j > i && j < len && s.charCodeAt(j) === 61 ? j : -1;
}

/*
 * Extension keys, interned. Same idea as intern-key.ts (a stored `obj[key]` is much cheaper with
 * an internalized key), but the hash is taken over the key's chars from last to first: the value
 * scan below already walks back over every key char from its `=` to find where the key starts, so
 * it computes the hash in that same walk and the key is not read a second time just to hash it.
 * A hit is checked char by char in JS: keys are short, and that is cheaper than a call to the
 * startsWith builtin. 2-way like intern-key.ts; a key longer than KEY_MAX is sliced, not cached.
 */
const KEY_SLOTS = 2048;
const KEY_MASK = KEY_SLOTS - 2;
const KEY_MAX = 64;
const HASH_SEED = 0x811c9dc5 | 0;
const keyTable: string[] = new Array<string>(KEY_SLOTS).fill('');

/** One step of the backward key hash (FNV-1a style); must match `cefKey`'s callers' loops. */
function hashStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

/** The key in s[start, end) (end = its `=`), `h` its backward hash (`hashStep` from end-1 to start). */
function cefKey(s: string, start: number, end: number, h: number): string {
  const n = end - start;
  if (n > KEY_MAX) return s.slice(start, end);
  const slot = (h ^ (h >>> 15)) & KEY_MASK;
  const a = keyTable[slot];
  if (a.length === n && sameChars(s, start, a, n)) return a;
  const b = keyTable[slot + 1];
  if (b.length === n && sameChars(s, start, b, n)) return b;
  const key = internalize(s.slice(start, end));
  keyTable[slot + 1] = a;
  keyTable[slot] = key;
  return key;
}

function sameChars(s: string, start: number, k: string, n: number): boolean {
  for (let j = 0; j < n; j++) if (s.charCodeAt(start + j) !== k.charCodeAt(j)) return false;
  return true;
}

/**
 * Fills `out` from the extension starting at i. Exported for LEEF's whitespace fallback.
 * `bs`: the index of a backslash at or before the next one after i, or -2 when not known.
 */
export function readExtensions(s: string, i: number, out: Record<string, string>, bs = -2): void {
  const len = s.length;
  // The next backslash, found once and moved forward only when a value reaches it: searching
  // per value would rescan the rest of the text for every pair.
  if (bs === -2 || (bs >= 0 && bs < i)) bs = s.indexOf('\\', i);
  // first key: skip leading spaces, then text up to the first ` key=` that is not a pair
  while (i < len && s.charCodeAt(i) === 32) i++;
  let eq = keyAt(s, i);
  while (eq < 0) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) return;
    i = sp + 1;
    while (i < len && s.charCodeAt(i) === 32) i++;
    eq = keyAt(s, i);
  }
  // the first key's hash; the later keys' hashes come out of the value scan
  let h = HASH_SEED;
  for (let k = eq - 1; k >= i; k--) h = hashStep(h, s.charCodeAt(k));
  for (;;) {
    const key = cefKey(s, i, eq, h);
    const vStart = eq + 1;
    // The value runs to the next ` key=`. Found from the `=` side: each `=` (indexOf, native) is
    // checked by walking back over key chars to a space, so only keys and the chars before an
    // in-value `=` are walked, not every word of every value. (`\=` never ends a value: `\` is no
    // key char.) The first `=` that passes is the first ` key=`: keys hold no space. The walk
    // hashes the chars it passes, so a key that passes has its hash ready for cefKey.
    let nextKey = -1;
    let nextEq = s.indexOf('=', vStart);
    while (nextEq >= 0) {
      let k = nextEq;
      h = HASH_SEED;
      for (;;) {
        if (k <= vStart) break;
        const c = s.charCodeAt(k - 1);
        if (c >= 128 || KEY_CHAR[c] === 0) break;
        h = hashStep(h, c);
        k--;
      }
      if (k < nextEq && k > vStart && s.charCodeAt(k - 1) === 32) {
        nextKey = k;
        break;
      }
      nextEq = s.indexOf('=', nextEq + 1);
    }
    let vEnd = nextKey >= 0 ? nextKey - 1 : len;
    while (vEnd > vStart && s.charCodeAt(vEnd - 1) === 32) vEnd--;
    if (bs >= 0 && bs < vStart) bs = s.indexOf('\\', vStart);
    const value = bs >= 0 && bs < vEnd ? unescapeValue(s, bs, vStart, vEnd) : s.slice(vStart, vEnd);
    // `__proto__` is the one key a plain store would misread (it would set the prototype); the
    // check is inlined here rather than calling setField: this store runs once per pair.
    if (key.length === 9 && key === '__proto__') setField(out, key, value);
    else out[key] = value;
    if (nextKey < 0) return;
    i = nextKey;
    eq = nextEq;
  }
}

/**
 * Extension value: `\=` `\\` `\n` `\r` decoded; any other `\x` kept as both chars.
 * `b` is the first backslash in [i, end). From one backslash to the next is a native indexOf,
 * not a char loop: values such as `reason\=tcp-fin bytes\=123` hold few backslashes.
 */
function unescapeValue(s: string, b: number, i: number, end: number): string {
  let out = '';
  let from = i;
  while (b >= 0 && b < end) {
    const n = s.charCodeAt(b + 1);
    if (b + 1 < end && (n === 61 || n === 92 || n === 110 || n === 114)) {
      out += s.slice(from, b) + (n === 110 ? '\n' : n === 114 ? '\r' : n === 61 ? '=' : '\\');
      from = b + 2;
    }
    // the char after a backslash is never the start of another escape
    b = s.indexOf('\\', b + 2);
  }
  return out + s.slice(from, end);
}
