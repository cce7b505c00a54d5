import { internKey } from './intern-key';
import { setField } from './set-field';
import type { Parsed } from './types';

/**
 * `key=value` text, e.g. FortiGate `date=2019-05-10 time=11:37:47 devname="FG" ...`, SonicWall,
 * Sophos, iptables (`IN=eth0 OUT= ...`). Pairs are separated by spaces or tabs; a value is either
 * `"..."` (with `\"` and `\\` decoded; unterminated: to the end) or runs to the next whitespace
 * (may be empty: `OUT=`). Tokens that are not pairs (iptables flags such as `DF`, `SYN`) are skipped.
 *
 * Returns undefined unless the text is mostly kv: it must start (after spaces) with `key=`, hold
 * at least 2 pairs, and have no more stray tokens than pairs.
 */
export function parseKv(text: string, start = 0): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  return scanKv(text, start, out) ? out : undefined;
}

/**
 * Whether parseKv would read the text as kv, without building the pairs: detection asks this of
 * every message, and a mapping that takes what it wants from the payload itself (FortiGate: ~50
 * pairs, a quarter of mapping one) never needs them (fieldsOf builds them when something reads them).
 */
export function isKv(text: string, start = 0): boolean {
  return scanKv(text, start, undefined);
}

/** parseKv and isKv in one walk, so that they always decide alike; `out` undefined: nothing is built. */
function scanKv(text: string, start: number, out: Record<string, string> | undefined): boolean {
  const len = text.length;
  let i = start;
  while (i < len && isSpace(text.charCodeAt(i))) i++;
  // Cheap rejection, decided on the first token alone: it must be `key=` (no SP, TAB, CR, LF or
  // `"` before the `=`). Most non-kv text fails on its first word, so the token is walked up to
  // the first space (native) rather than searching the whole text for a `=` that may be far in.
  const sp0 = text.indexOf(' ', i);
  let eq0: number;
  if (sp0 < 0) {
    eq0 = text.indexOf('=', i);
    if (eq0 <= i) return false;
  } else {
    eq0 = i;
    while (eq0 < sp0 && text.charCodeAt(eq0) !== 61 /* = */) eq0++;
    if (eq0 === i || eq0 === sp0) return false;
  }
  for (let k = i; k < eq0; k++) {
    const c = text.charCodeAt(k);
    if (c === 34 || c === 9 || c === 10 || c === 13) return false;
  }

  let pairs = 0;
  let stray = 0;
  while (i < len) {
    // key
    let j = i;
    while (j < len) {
      const c = text.charCodeAt(j);
      if (c === 61 || isSpace(c) || c === 34) break;
      j++;
    }
    if (j > i && j < len && text.charCodeAt(j) === 61) {
      const keyEnd = j;
      j++;
      let value = '';
      if (j < len && text.charCodeAt(j) === 34 /* " */) {
        const vStart = j + 1;
        let e = vStart;
        let esc = false;
        while (e < len) {
          const c = text.charCodeAt(e);
          if (c === 34) break;
          if (c === 92) {
            esc = true;
            e += 2;
          } else {
            e++;
          }
        }
        if (e > len) e = len;
        if (out !== undefined) value = esc ? unescapeQuoted(text, vStart, e) : text.slice(vStart, e);
        j = e + 1;
      } else {
        const vStart = j;
        while (j < len && !isSpace(text.charCodeAt(j))) j++;
        if (out !== undefined) value = text.slice(vStart, j);
      }
      if (out !== undefined) setField(out, internKey(text, i, keyEnd), value);
      pairs++;
    } else {
      while (j < len && !isSpace(text.charCodeAt(j))) j++;
      if (j === i) j++;
      stray++;
    }
    i = j;
    while (i < len && isSpace(text.charCodeAt(i))) i++;
  }
  return pairs >= 2 && stray <= pairs;
}

/**
 * The payload's pairs (kv) or object (JSON), or undefined. A kv payload's pairs are built here, on
 * first use, and kept on the Parsed (detection only decides that the message is kv: isKv).
 */
export function fieldsOf(p: Parsed): Record<string, unknown> | undefined {
  if (p.fields === undefined && p.format === 'kv') p.fields = parseKv(p.message);
  return p.fields;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function unescapeQuoted(s: string, i: number, end: number): string {
  let out = '';
  let from = i;
  for (let j = i; j < end; j++) {
    if (s.charCodeAt(j) === 92) {
      const n = s.charCodeAt(j + 1);
      if (n === 34 || n === 92) {
        out += s.slice(from, j);
        from = j + 1;
      }
      j++;
    }
  }
  return out + s.slice(from, end);
}
