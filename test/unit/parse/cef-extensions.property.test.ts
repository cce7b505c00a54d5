import fc from 'fast-check';
import { parseCef } from '../../../src/parse';

/*
 * The extension reader (src/parse/cef.ts readExtensions) finds key boundaries from the `=` side,
 * hashes keys while walking back and interns them; this checks it against a plain char-by-char
 * reading of the same rules over random extensions with escapes, spaces and odd keys.
 */

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    || c === 95 || c === 46 || c === 44 || c === 91 || c === 93 || c === 45;
}

/** The index of the `=` of a `key=` starting at i, else -1. */
function keyAt(s: string, i: number): number {
  let j = i;
  while (j < s.length && isKeyChar(s.charCodeAt(j))) j++;
  return j > i && j < s.length && s[j] === '=' ? j : -1;
}

function unescape(v: string): string {
  let out = '';
  for (let j = 0; j < v.length; j++) {
    const n = v[j + 1];
    if (v[j] === '\\' && j + 1 < v.length) {
      if (n === '=' || n === '\\') out += n;
      else if (n === 'n') out += '\n';
      else if (n === 'r') out += '\r';
      else out += `\\${n}`;
      j++;
    } else {
      out += v[j];
    }
  }
  return out;
}

/** Reference reader: pairs in wire order (keys, unescaped values). */
function referencePairs(ext: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  while (i < ext.length && ext[i] === ' ') i++;
  let eq = keyAt(ext, i);
  while (eq < 0) {
    const sp = ext.indexOf(' ', i);
    if (sp < 0) return pairs;
    i = sp + 1;
    while (i < ext.length && ext[i] === ' ') i++;
    eq = keyAt(ext, i);
  }
  for (;;) {
    const vStart = eq + 1;
    let next = -1;
    for (let k = vStart + 1; k < ext.length; k++) {
      if (ext[k - 1] === ' ' && keyAt(ext, k) >= 0) { next = k; break; }
    }
    let vEnd = next >= 0 ? next - 1 : ext.length;
    while (vEnd > vStart && ext[vEnd - 1] === ' ') vEnd--;
    pairs.push([ext.slice(i, eq), unescape(ext.slice(vStart, vEnd))]);
    if (next < 0) return pairs;
    i = next;
    eq = keyAt(ext, next);
  }
}

function referenceObject(ext: string): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of referencePairs(ext)) {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

const token = fc.constantFrom('a', 'src', 'cs1', 'cs1Label', 'cs3Label', 'cn1Label', 'K', '_', '.', ',', '[', ']', '-', '0', '1',
  ' ', ' ', '  ', '=', '=', ' x=', '\\', '\\=', '\\\\', '\\n', '\\r', '\\|', '|', 'n', 'r', 'é', '\u00ff', '\u20ac', '__proto__',
  'constructor', 'toString', 'a b', 'https://h/p?q=1&r=2');
const extension = fc.array(token, { maxLength: 40 }).map((a) => a.join(''));
const headers = ['CEF:0|v|p|1|id|name|5|', 'CEF:0|v\\|x|p|1|id|na\\\\me|5|', '<13>May 14 12:00:00 host CEF:1|v|p|1|id|n|Low|'];

describe('parseCef extensions equal a simple reference reader', () => {
  it.each(headers)('after %s', (header) => {
    fc.assert(fc.property(extension, (ext) => {
      const got = parseCef(header + ext)!.extensions;
      const want = referenceObject(ext);
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.entries(got)).toEqual(Object.entries(want));
    }), { numRuns: 3000 });
  });

  it('agrees while many distinct keys churn the key cache', () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_.,[\]-]{1,70}$/);
    const pair = fc.tuple(key, fc.array(token, { maxLength: 6 }).map((a) => a.join('')));
    fc.assert(fc.property(fc.array(pair, { maxLength: 20 }), (pairs) => {
      const ext = pairs.map(([k, v]) => `${k}=${v}`).join(' ');
      const got = parseCef(`CEF:0|v|p|1|id|n|5|${ext}`)!.extensions;
      expect(Object.entries(got)).toEqual(Object.entries(referenceObject(ext)));
    }), { numRuns: 3000 });
  });
});
