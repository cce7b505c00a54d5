import { internKey } from './intern-key';
import { readPri } from './pri';
import { setField } from './set-field';
import { localToUtc, readIso, ts } from './timestamp';
import type { ParseContext, Parsed, StructuredData } from './types';

/**
 * RFC 5424: `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`.
 *
 * Returns undefined when the text is not RFC 5424 (so detection can try RFC 3164 forms).
 * Lenient where real senders deviate: missing STRUCTURED-DATA/MSG at the end, trailing spaces,
 * spaces around `=` in SD params, an unescaped `]` inside a quoted param value, a repeated SD-ID
 * (its params are merged), SD names longer than 32 chars, up to 9 fraction digits (truncated to µs),
 * a timestamp without offset (read in ctx.timezone).
 */
export function parseRfc5424(text: string, ctx?: ParseContext): Parsed | undefined {
  const pr = readPri(text);
  if (pr < 0) return undefined;
  const len = text.length;
  let i = pr >>> 8;

  // VERSION: NONZERO-DIGIT 0*2DIGIT
  let d = text.charCodeAt(i) - 48;
  if (!(d >= 1 && d <= 9)) return undefined;
  let version = d;
  i++;
  for (let k = 0; k < 2; k++) {
    d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) break;
    version = version * 10 + d;
    i++;
  }
  if (text.charCodeAt(i) !== 32) return undefined;
  i++;

  // TIMESTAMP
  let timestamp: number | undefined;
  let micros: number | undefined;
  if (text.charCodeAt(i) === 45 /* - */) {
    i++;
  } else {
    if (!readIso(text, i, true)) return undefined;
    timestamp = ts.hasZone ? ts.ms : localToUtc(ts.ms, ctx === undefined ? 'UTC' : ctx.timezone);
    if (ts.micros >= 0) micros = ts.micros;
    i = ts.end;
  }
  if (text.charCodeAt(i) !== 32) return undefined;
  i++;

  // HOSTNAME, APP-NAME, PROCID, MSGID
  let e = tokenEnd(text, i, 255);
  if (e < 0) return undefined;
  const hostname = nilOrSlice(text, i, e);
  if (text.charCodeAt(e) !== 32) return undefined;
  i = e + 1;
  e = tokenEnd(text, i, 48);
  if (e < 0) return undefined;
  const appname = nilOrSlice(text, i, e);
  if (text.charCodeAt(e) !== 32) return undefined;
  i = e + 1;
  e = tokenEnd(text, i, 128);
  if (e < 0) return undefined;
  const procid = nilOrSlice(text, i, e);
  if (text.charCodeAt(e) !== 32) return undefined;
  i = e + 1;
  e = tokenEnd(text, i, 32);
  if (e < 0) return undefined;
  const msgid = nilOrSlice(text, i, e);
  i = e;

  // STRUCTURED-DATA (tolerated missing at the very end)
  let sd: StructuredData | undefined;
  let message = '';
  if (i < len) {
    i++; // the SP after MSGID
    const c = text.charCodeAt(i);
    if (c === 45 /* - */) {
      i++;
    } else if (c === 91 /* [ */) {
      sd = {};
      i = readSd(text, i, sd);
      if (i < 0) return undefined;
    } else if (i < len) {
      return undefined;
    }
    if (i < len) {
      if (text.charCodeAt(i) !== 32) return undefined;
      i++;
      if (i < len) {
        if (text.charCodeAt(i) === 0xfeff) i++;
        message = i === 0 ? text : text.slice(i);
      }
    }
  }

  // one literal with the final values (same key order as createParsed: one shape for all)
  const p: Parsed = {
    format: 'rfc5424',
    header: 'rfc5424',
    pri: pr & 255,
    version,
    timestamp,
    timestampMicros: micros,
    hostname,
    appname,
    procid,
    msgid,
    structuredData: sd,
    message,
    cef: undefined,
    leef: undefined,
    fields: undefined,
    tags: undefined,
    error: undefined,
  };
  return p;
}

/**
 * End of a header token starting at i (up to the next SP or the end), or -1 when it is empty,
 * longer than `max`, or does not start with a PRINTUSASCII char. Only the first char is checked
 * (found with indexOf, native): a control char or non-ASCII byte inside a token is tolerated.
 */
function tokenEnd(s: string, i: number, max: number): number {
  const c = s.charCodeAt(i);
  if (c < 33 || c > 126) return -1;
  let j = s.indexOf(' ', i);
  if (j < 0) j = s.length;
  return j - i > max ? -1 : j;
}

function nilOrSlice(s: string, i: number, e: number): string | undefined {
  return e - i === 1 && s.charCodeAt(i) === 45 ? undefined : s.slice(i, e);
}

/** SD-NAME char: PRINTUSASCII except `=`, SP, `]`, `"`. */
function isSdNameChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 61 && c !== 93 && c !== 34;
}

/**
 * One or more SD-ELEMENTs starting at `[`; fills `sd`. Returns the index past the last `]`,
 * or -1 when the structured data is malformed. Scans with indexOf (native) rather than per char.
 */
function readSd(s: string, i: number, sd: StructuredData): number {
  const len = s.length;
  // the next backslash at or after the current value (found once, moved forward lazily)
  let bs = s.indexOf('\\', i);
  let first = true;
  while (i < len && s.charCodeAt(i) === 91 /* [ */) {
    i++;
    let j = i;
    while (j < len && isSdNameChar(s.charCodeAt(j))) j++;
    if (j === i) return -1;
    const id = internKey(s, i, j);
    let params = first ? undefined : sd[id];
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
      // PARAM-NAME up to `=`
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
      // PARAM-VALUE up to the first `"` not escaped
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
        setField(params, name, unescapeParam(s, i, q));
        bs = s.indexOf('\\', q);
      } else {
        if (name === '__proto__') setField(params, name, s.slice(i, q));
        else params[name] = s.slice(i, q);
      }
      i = q + 1;
    }
  }
  return i;
}

function isSdName(s: string, i: number, e: number): boolean {
  for (let k = i; k < e; k++) if (!isSdNameChar(s.charCodeAt(k))) return false;
  return true;
}

/** PARAM-VALUE decoding: `\"` `\\` `\]` lose the backslash; any other `\x` is kept as both chars. */
function unescapeParam(s: string, i: number, end: number): string {
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
