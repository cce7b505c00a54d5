import { createParsed } from './create-parsed';
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
  if (d < 1 || d > 9) return undefined;
  let version = d;
  i++;
  for (let k = 0; k < 2; k++) {
    d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
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

  const p = createParsed('rfc5424', 'rfc5424', message);
  p.pri = pr & 255;
  p.version = version;
  p.timestamp = timestamp;
  p.timestampMicros = micros;
  p.hostname = hostname;
  p.appname = appname;
  p.procid = procid;
  p.msgid = msgid;
  p.structuredData = sd;
  return p;
}

/** End of a header token of PRINTUSASCII (33..126) starting at i, or -1 if empty, too long or bad. */
function tokenEnd(s: string, i: number, max: number): number {
  const len = s.length;
  let j = i;
  while (j < len) {
    const c = s.charCodeAt(j);
    if (c === 32) break;
    if (c < 33 || c > 126) return -1;
    j++;
  }
  if (j === i || j - i > max) return -1;
  return j;
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
 * or -1 when the structured data is malformed.
 */
function readSd(s: string, i: number, sd: StructuredData): number {
  const len = s.length;
  while (i < len && s.charCodeAt(i) === 91 /* [ */) {
    i++;
    let j = i;
    while (j < len && isSdNameChar(s.charCodeAt(j))) j++;
    if (j === i) return -1;
    const id = internKey(s, i, j);
    let params = sd[id];
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
      while (i < len && s.charCodeAt(i) === 32) i++;
      if (i >= len) return -1;
      if (s.charCodeAt(i) === 93) continue;
      j = i;
      while (j < len && isSdNameChar(s.charCodeAt(j))) j++;
      if (j === i) return -1;
      const name = internKey(s, i, j);
      i = j;
      while (i < len && s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) !== 61 /* = */) return -1;
      i++;
      while (i < len && s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) !== 34 /* " */) return -1;
      i++;
      j = i;
      let hasEscape = false;
      for (;;) {
        if (j >= len) return -1;
        c = s.charCodeAt(j);
        if (c === 34) break;
        if (c === 92 /* \ */) {
          hasEscape = true;
          j += 2;
        } else {
          j++;
        }
      }
      setField(params, name, hasEscape ? unescapeParam(s, i, j) : s.slice(i, j));
      i = j + 1;
    }
  }
  return i;
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
