import { readExtensions } from './cef';
import { internKey } from './intern-key';
import { setField } from './set-field';
import type { LeefRecord } from './types';

/**
 * IBM QRadar LEEF, found at the start or after any prefix (a syslog header).
 *
 * LEEF 1.0: `LEEF:1.0|Vendor|Product|Version|EventID|attrs` with TAB between attributes.
 * LEEF 2.0: `LEEF:2.0|Vendor|Product|Version|EventID|Delim|attrs`; Delim is one char, or hex
 * `0x5E` / `x5E` (1–4 hex digits); an empty Delim means TAB.
 * Tolerated, as the corpus shows: a 2.0 message without the Delim field (attrs right after
 * EventID: then the field holds a `=`), a 1.0 message whose attributes are separated by `|`
 * (PAN-OS LEEF 1.0 template) and, when neither TAB nor `|` separates them, by spaces (value runs
 * to the next ` key=`, read like CEF extensions; `delimiter` is then reported as ' ').
 * Attribute values are split at the first `=`; a repeated key keeps the last value.
 */
export function parseLeef(text: string): LeefRecord | undefined {
  let i = text.startsWith('LEEF:') ? 0 : text.indexOf('LEEF:');
  if (i < 0) return undefined;
  const len = text.length;
  i += 5;
  const h: string[] = ['', '', '', '', ''];
  for (let f = 0; f < 5; f++) {
    const j = text.indexOf('|', i);
    if (j < 0) {
      if (f < 4) return undefined;
      h[f] = text.slice(i);
      i = len;
      break;
    }
    h[f] = text.slice(i, j);
    i = j + 1;
  }
  const version = h[0];
  if (version.length === 0 || version.charCodeAt(0) < 48 || version.charCodeAt(0) > 57) return undefined;

  let delimiter = '';
  if (version.charCodeAt(0) >= 50 /* 2.x */ && i < len) {
    const j = text.indexOf('|', i);
    const field = j < 0 ? text.slice(i) : text.slice(i, j);
    if (field.indexOf('=') < 0 || field.length === 1) {
      delimiter = field.length === 0 ? '\t' : decodeDelimiter(field);
      i = j < 0 ? len : j + 1;
    }
  }
  const attrs: Record<string, string> = {};
  if (delimiter === '') {
    if (text.indexOf('\t', i) >= 0) delimiter = '\t';
    else if (text.indexOf('|', i) >= 0) delimiter = '|';
    else if (text.indexOf(' ', i) >= 0) delimiter = ' ';
    else delimiter = '\t';
  }
  if (delimiter === ' ') readExtensions(text, i, attrs);
  else readAttributes(text, i, delimiter, attrs);
  return {
    version,
    vendor: h[1],
    product: h[2],
    productVersion: h[3],
    eventId: h[4],
    delimiter,
    attributes: attrs,
  };
}

/** `^` → `^`; `0x5E` / `x5E` / `0X5e` → `^`; anything else longer than one char is kept as is. */
function decodeDelimiter(field: string): string {
  if (field.length === 1) return field;
  let k = 0;
  if (field.charCodeAt(0) === 48 /* 0 */ && (field.charCodeAt(1) | 0x20) === 120 /* x */) k = 2;
  else if ((field.charCodeAt(0) | 0x20) === 120) k = 1;
  else return field;
  const hex = field.slice(k);
  if (hex.length < 1 || hex.length > 4) return field;
  let v = 0;
  for (let n = 0; n < hex.length; n++) {
    const c = hex.charCodeAt(n) | 0x20;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return field;
    v = v * 16 + d;
  }
  return String.fromCharCode(v);
}

function readAttributes(s: string, i: number, delim: string, out: Record<string, string>): void {
  const len = s.length;
  let eq = s.indexOf('=', i);
  while (i < len && eq >= 0) {
    let j = s.indexOf(delim, i);
    if (j < 0) j = len;
    if (eq < i) eq = s.indexOf('=', i);
    if (eq < 0) return;
    if (eq > i && eq < j) setField(out, internKey(s, i, eq), s.slice(eq + 1, j));
    i = j + delim.length;
  }
}
