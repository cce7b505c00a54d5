import { parseCef } from './cef';
import { addTag, createParsed } from './create-parsed';
import { parseJson } from './json';
import { isKv, parseKv } from './kv';
import { parseLeef } from './leef';
import { parseRfc3164 } from './rfc3164';
import { parseRfc5424 } from './rfc5424';
import type { ParseContext, Parsed } from './types';

/**
 * Reads one message of any supported kind. Never throws and never drops: a message no parser
 * accepts comes back as `{ format: 'unknown', header: 'none', message: text, tags: ['parse_error'],
 * error }`.
 *
 * Order (cheapest test first, on the first char): `<` ⇒ RFC 5424 (`<PRI>VERSION SP`), else the
 * RFC 3164 forms; a month letter, digit, `*` or `.` ⇒ RFC 3164 without PRI; `C`/`L`/`{` ⇒ bare
 * CEF/LEEF/JSON. After a syslog header the payload (MSG) is checked for CEF, LEEF, JSON, then
 * key=value, then a `CEF:`/`LEEF:` further in; `format` names the payload, `header` the header,
 * and the header fields are kept.
 */
export function parseMessage(text: string, ctx: ParseContext): Parsed {
  // The one border where an unexpected failure is caught: the event is kept all the same.
  try {
    return detect(text, ctx);
  } catch (err) {
    const p = createParsed('unknown', 'none', typeof text === 'string' ? text : String(text));
    p.tags = ['parse_error'];
    p.error = `parser failure: ${err instanceof Error ? err.message : String(err)}`;
    return p;
  }
}

function detect(text: string, ctx: ParseContext): Parsed {
  const c = text.charCodeAt(0);
  if (c === 32 || c === 9) return leadingSpace(text, ctx);
  let p: Parsed | undefined;
  if (c === 60 /* < */) {
    // RFC 5424 needs a VERSION digit 1-9 right after `<PRI>`; most 3164 senders have a month
    // letter there, so that attempt is skipped on one char (a pure shortcut: parseRfc5424 would
    // return undefined for any text this skips)
    let k = 2;
    while (k < 5 && text.charCodeAt(k) !== 62 /* > */) k++;
    const v = text.charCodeAt(k + 1);
    if (v >= 49 && v <= 57) p = parseRfc5424(text, ctx);
    if (p === undefined) p = parseRfc3164(text, ctx);
  } else if (isStampStart(c)) {
    p = parseRfc3164(text, ctx);
  }
  if (p !== undefined) {
    readPayload(p, ctx.lazyKv === true, text);
    return p;
  }
  return readBare(text, ctx);
}

/** First char of a PRI-less 3164 stamp: a month's first letter (any case), a digit, `*` or `.`. */
function isStampStart(c: number): boolean {
  if (c >= 48 && c <= 57) return true;
  switch (c | 0x20) {
    case 0x6a: case 0x66: case 0x6d: case 0x61: case 0x73: case 0x6f: case 0x6e: case 0x64: // j f m a s o n d
      return true;
    default:
      return c === 42 || c === 46;
  }
}

/**
 * `text`: what the message was parsed from; p.message is always its tail (the parsers cut it with
 * text.slice), so a kv scan reads `text` from the message's offset. A slice is a V8 SlicedString,
 * and a char-by-char scan of one costs ~70 % more than of the flat text it points into (790 chars
 * of FortiGate kv: 2.7 vs 1.6 µs).
 */
function readPayload(p: Parsed, lazyKv: boolean, text: string): void {
  const m = p.message;
  const c = m.charCodeAt(0);
  if (c === 67 /* C */ && m.startsWith('CEF:')) {
    const cef = parseCef(m);
    if (cef !== undefined) {
      p.format = 'cef';
      p.cef = cef;
      return;
    }
  } else if (c === 76 /* L */ && m.startsWith('LEEF:')) {
    const leef = parseLeef(m);
    if (leef !== undefined) {
      p.format = 'leef';
      p.leef = leef;
      return;
    }
  } else if (c === 123 /* { */) {
    const json = parseJson(m);
    if (json !== undefined) {
      p.format = 'json';
      p.fields = json;
      return;
    }
  }
  const at = text.length - m.length;
  if (lazyKv ? isKv(text, at) : (p.fields = parseKv(text, at)) !== undefined) {
    p.format = 'kv'; // lazily: the pairs are built when read (fieldsOf)
    return;
  }
  // RFC 5424 senders put CEF/LEEF at the start of MSG; the search further in is for the others.
  if (p.header !== 'rfc5424') embedded(p, m);
}

/** `CEF:` / `LEEF:` after other text (e.g. `Syslogdate Sysloghost CEF:0|...`). */
function embedded(p: Parsed, m: string): boolean {
  // Both headers need `|` after the marker: text without any `|` (most syslog) is settled by a
  // one-char scan, cheaper than the 3-char search.
  if (m.indexOf('|') < 0) return false;
  const at = m.indexOf('EF:'); // one scan finds both `CEF:` and `LEEF:`
  if (at <= 0) return false;
  if (m.charCodeAt(at - 1) === 67 /* C */) {
    const cef = parseCef(m);
    if (cef !== undefined) {
      p.format = 'cef';
      p.cef = cef;
      return true;
    }
  }
  if (at > 1 && m.charCodeAt(at - 1) === 69 && m.charCodeAt(at - 2) === 76 /* LE */) {
    const leef = parseLeef(m);
    if (leef !== undefined) {
      p.format = 'leef';
      p.leef = leef;
      return true;
    }
  }
  return false;
}

function readBare(text: string, ctx: ParseContext): Parsed {
  const p = createParsed('unknown', 'none', text);
  if (text.length === 0) {
    p.tags = ['parse_error'];
    p.error = 'empty message';
    return p;
  }
  readPayload(p, ctx.lazyKv === true, text);
  if (p.format === 'unknown' && ctx.plainText !== true) {
    addTag(p, 'parse_error');
    p.error = 'no syslog header and no CEF, LEEF, JSON or key=value payload';
  }
  return p;
}

/** ` <158>…`: a relay or device that puts blanks before the PRI; read from the `<`, and tagged. */
function leadingSpace(text: string, ctx: ParseContext): Parsed {
  let i = 1;
  while (i < text.length && i < 16 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (text.charCodeAt(i) !== 60 /* < */) return readBare(text, ctx);
  const p = detect(text.slice(i), ctx);
  if (p.format === 'unknown') return readBare(text, ctx); // the whole text, as for any unknown message
  addTag(p, 'leading_space');
  return p;
}
