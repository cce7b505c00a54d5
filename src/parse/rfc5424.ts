import { addTag, createParsed } from './create-parsed';
import { readPri } from './pri';
import { scanSd } from './structured-data';
import { localToUtc, readIso, ts } from './timestamp';
import type { ParseContext, Parsed } from './types';

/**
 * RFC 5424: `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`.
 *
 * Returns undefined when the text is not RFC 5424 (so detection can try RFC 3164 forms).
 * Lenient where real senders deviate: missing STRUCTURED-DATA/MSG at the end, trailing spaces,
 * spaces around `=` in SD params, an unescaped `]` inside a quoted param value, a repeated SD-ID
 * (its params are merged), SD names longer than 32 chars, up to 9 fraction digits (truncated to µs),
 * a timestamp without offset (read in ctx.timezone).
 * STRUCTURED-DATA is validated here but kept as text (`sdText`); `structuredDataOf` decodes it.
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
  let lenientStamp = false;
  let timestamp: number | undefined;
  let micros: number | undefined;
  if (text.charCodeAt(i) === 45 /* - */) {
    i++;
  } else {
    // a space for the T (SONiC and others): read leniently, and said so in the tags
    if (!readIso(text, i, true)) {
      if (text.charCodeAt(i + 10) !== 32 || !readIso(text, i, false, true)) return undefined;
      lenientStamp = true;
    }
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
  // Only validated and delimited here: the objects are built on demand (structured-data.ts).
  let sdText: string | undefined;
  let message = '';
  if (i < len) {
    i++; // the SP after MSGID
    const c = text.charCodeAt(i);
    if (c === 45 /* - */) {
      i++;
    } else if (c === 91 /* [ */) {
      const sdEnd = scanSd(text, i);
      if (sdEnd < 0) return undefined;
      sdText = text.slice(i, sdEnd);
      i = sdEnd;
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

  // createParsed keeps the one object shape every parser returns; the fields are then filled in
  const p = createParsed('rfc5424', 'rfc5424', message);
  p.pri = pr & 255;
  p.version = version;
  p.timestamp = timestamp;
  p.timestampMicros = micros;
  p.hostname = hostname;
  p.appname = appname;
  p.procid = procid;
  p.msgid = msgid;
  p.sdText = sdText;
  if (lenientStamp) addTag(p, 'timestamp_lenient');
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
