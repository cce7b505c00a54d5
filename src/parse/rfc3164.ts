import { addTag, createParsed } from './create-parsed';
import { readPri } from './pri';
import {
  daysInMonth, digits2, digits4, epochMs, flatCopy, inferYearMs, localToUtc, monthAt, readClock, readFraction, readIso,
  ts,
} from './timestamp';
import type { ParseContext, Parsed } from './types';

/**
 * RFC 3164 as devices really send it:
 *
 *   [<PRI>][1 ]STAMP[:] [HOST[ :]] [SEQ: [*|.]STAMP:] [TAG[[PID]]:] MSG
 *
 * STAMP is `Mmm [d]d [yyyy ]hh:mm:ss[.fff][Z| UTC| GMT| ZZZ]`, ISO 8601 / RFC 3339 (no VERSION),
 * or NX-OS `yyyy Mmm dd hh:mm:ss[ ZONE]`; the `*`/`.` prefix of Cisco IOS (clock not in sync) is
 * skipped. HOST is omitted by many devices: a first token that is a tag (`prog:`, `prog[pid]:`,
 * `%ASA-6-302013:`) or that cannot be a host name (contains `=`, `|`, `"`, ...) is not taken as host.
 * Cisco IOS `SEQ: *STAMP:` after the host: the device stamp replaces the relay's header stamp;
 * with no header stamp, `SEQ: [HOST: ]*STAMP[ ZONE]:` (ZONE any case when `: %TAG` follows).
 * TAG needs a `:` or a `[pid]` (`host Use the BFG!` has no tag, as go-syslog reads it); appname
 * is the tag without `[pid]` and `:`, so Cisco's is `%ASA-6-302013` / `%SYS-5-CONFIG_I`.
 *
 * No year ⇒ inferred from ctx.now (previous year when the date would be > 31 days ahead).
 * No zone ⇒ ctx.timezone. No PRI ⇒ `pri` stays undefined (none is invented).
 * Returns undefined when there is neither a valid PRI nor a recognisable timestamp.
 */
export function parseRfc3164(text: string, ctx: ParseContext): Parsed | undefined {
  const len = text.length;
  const pr = readPri(text);
  let i = pr < 0 ? 0 : pr >>> 8;
  let fromBad5424 = false;
  while (i < len && text.charCodeAt(i) === 32) i++;

  // `<PRI>1 2026-...`: a 5424 VERSION before an ISO stamp, in a message 5424 could not read.
  if (pr >= 0) {
    const v = text.charCodeAt(i) - 48;
    if (v >= 1 && v <= 9 && text.charCodeAt(i + 1) === 32 && digits4(text, i + 2) >= 0) {
      i += 2;
      fromBad5424 = true;
    }
  }

  let hostname: string | undefined;
  let hostKnown = false;
  let e = readStamp(text, i, ctx);
  if (e < 0) {
    // NX-OS `host: 2017 Jul 28 ...` or Cisco IOS `123: *Mar  1 ...` before the stamp.
    const c = colonTokenEnd(text, i);
    if (c > 0) {
      let k = c + 1;
      while (k < len && text.charCodeAt(k) === 32) k++;
      const e2 = readStamp(text, k, ctx);
      if (e2 >= 0) {
        if (!isAllDigits(text, i, c)) {
          hostname = text.slice(i, c);
          hostKnown = true;
        }
        e = e2;
      } else if (isAllDigits(text, i, c)) {
        // Cisco IOS with `logging origin-id`: `123: host: *Mar  1 ...`
        const c2 = colonTokenEnd(text, k);
        if (c2 > 0) {
          let k2 = c2 + 1;
          while (k2 < len && text.charCodeAt(k2) === 32) k2++;
          const e3 = readStamp(text, k2, ctx);
          if (e3 >= 0) {
            hostname = text.slice(k, c2);
            hostKnown = true;
            e = e3;
          }
        }
      }
    }
  }
  if (e < 0 && pr < 0) return undefined;

  const p = createParsed('rfc3164', 'rfc3164', '');
  if (pr >= 0) p.pri = pr & 255;
  if (fromBad5424) addTag(p, 'rfc5424_malformed');
  if (e >= 0) {
    p.timestamp = stampMs;
    if (stampMicros >= 0) p.timestampMicros = stampMicros;
    let yearInferred = stampYearInferred;
    i = e;
    while (i < len && text.charCodeAt(i) === 32) i++;

    // HOST, unless the first token is already the tag (or cannot be a host name).
    if (!hostKnown) {
      const h = hostTokenEnd(text, i);
      if (h > i) {
        hostname = text.slice(i, h);
        i = h;
        while (i < len && text.charCodeAt(i) === 32) i++;
        // ASA `asa : %ASA-...`
        if (text.charCodeAt(i) === 58 && text.charCodeAt(i + 1) === 32) {
          i += 2;
          while (i < len && text.charCodeAt(i) === 32) i++;
        }
      }
    }

    // Cisco IOS after the host: `157475316: *Oct 16 2024 07:39:09.425 UTC: %TAG: ...`
    // (a sequence number starts with a digit: checked first, so a tag is not walked twice)
    const d0 = text.charCodeAt(i);
    const c = d0 >= 48 && d0 <= 57 ? colonTokenEnd(text, i) : -1;
    if (c > 0 && isAllDigits(text, i, c)) {
      let k = c + 1;
      while (k < len && text.charCodeAt(k) === 32) k++;
      const e2 = readStamp(text, k, ctx);
      if (e2 >= 0 && stampColon) {
        p.timestamp = stampMs;
        p.timestampMicros = stampMicros >= 0 ? stampMicros : undefined;
        yearInferred = stampYearInferred;
        i = e2;
        while (i < len && text.charCodeAt(i) === 32) i++;
      } else if (e2 < 0 && text.charCodeAt(k) === 37 /* % */) {
        i = k; // `seq: %TAG:` without a device stamp
      }
    }
    if (yearInferred) addTag(p, 'year_inferred');
  } else {
    addTag(p, 'no_timestamp');
  }
  p.hostname = hostname;
  if (hostname === undefined) addTag(p, 'no_hostname');

  // TAG[[PID]][:]
  let j = i;
  while (j < len) {
    const c = text.charCodeAt(j);
    if (c < 128 && TAG_STOP[c] === 1) break;
    j++;
  }
  if (j > i && j < len) {
    const c = text.charCodeAt(j);
    if (c === 91 /* [ */) {
      const close = text.indexOf(']', j + 1);
      if (close > j + 1 && noSpace(text, j + 1, close)) {
        let k = close + 1;
        if (text.charCodeAt(k) === 58) k++;
        if (k === len || text.charCodeAt(k) === 32) {
          p.appname = text.slice(i, j);
          p.procid = text.slice(j + 1, close);
          i = k;
        }
      }
    } else if (c === 58 /* : */) {
      const n = j + 1 === len ? 32 : text.charCodeAt(j + 1);
      if (n === 32 || n === 9) {
        p.appname = text.slice(i, j);
        i = j + 1;
      }
    }
  }
  while (i < len && text.charCodeAt(i) === 32) i++;
  p.message = i === 0 ? text : text.slice(i);
  return p;
}

// ---- stamp reader ---------------------------------------------------------------------------

let stampMs = 0;
let stampMicros = -1;
let stampYearInferred = false;
let stampColon = false;

/**
 * A 3164-style timestamp at i; sets stampMs (UTC), stampMicros, stampYearInferred, stampColon.
 * Returns the index past the stamp (and past a directly following `:`), or -1.
 */
function readStamp(s: string, i: number, ctx: ParseContext): number {
  const len = s.length;
  let c = s.charCodeAt(i);
  if (c === 42 /* * */ || c === 46 /* . */) {
    i++;
    c = s.charCodeAt(i);
  }
  stampYearInferred = false;
  stampColon = false;
  let j: number;
  if (c >= 48 && c <= 57) {
    if (readIso(s, i, false)) {
      stampMs = ts.hasZone ? ts.ms : localToUtc(ts.ms, ctx.timezone);
      stampMicros = ts.micros;
      j = ts.end;
    } else {
      // NX-OS: yyyy Mmm dd hh:mm:ss
      const y = digits4(s, i);
      if (y < 0 || s.charCodeAt(i + 4) !== 32) return -1;
      const m = monthAt(s, i + 5);
      if (m === 0 || s.charCodeAt(i + 8) !== 32) return -1;
      j = readDayClock(s, i + 9, y, m, ctx, true);
      if (j < 0) return -1;
    }
  } else if (bsdPrefix !== '' && s.startsWith(bsdPrefix, i)) {
    // Same `Mmm dd hh:` as the last year-less stamp (consecutive messages mostly share the
    // hour): the text up to the hour is the same, so month, day and hour are too; only
    // `mm:ss[.fff]` and the zone are read.
    j = readMinSec(s, i + bsdPrefix.length, ctx);
    if (j < 0) return -1;
  } else {
    const m = monthAt(s, i);
    if (m === 0 || s.charCodeAt(i + 3) !== 32) return -1;
    j = readDayClock(s, i + 4, -1, m, ctx, false);
    if (j < 0) return -1;
  }
  if (j < len && s.charCodeAt(j) === 58 /* : */) {
    stampColon = true;
    j++;
  }
  return j;
}

/**
 * `[ ]d[d] [yyyy ]hh:mm:ss[.fff][zone]` after the month; `year` -1 when not yet known.
 * Sets stampMs/stampMicros/stampYearInferred; returns the index past the stamp or -1.
 */
function readDayClock(s: string, i0: number, year: number, month: number, ctx: ParseContext, yearGiven: boolean): number {
  let i = i0;
  while (s.charCodeAt(i) === 32) i++;
  let day = s.charCodeAt(i) - 48;
  if (!(day >= 0 && day <= 9)) return -1;
  i++;
  const d2 = s.charCodeAt(i) - 48;
  if (d2 >= 0 && d2 <= 9) {
    day = day * 10 + d2;
    i++;
  }
  if (day < 1 || day > 31 || s.charCodeAt(i) !== 32) return -1;
  while (s.charCodeAt(i) === 32) i++;
  let y = year;
  if (!yearGiven) {
    const yy = digits4(s, i);
    if (yy >= 0 && s.charCodeAt(i + 4) === 32) {
      y = yy;
      i += 5;
      while (s.charCodeAt(i) === 32) i++;
    }
  }
  const msOfDay = readClock(s, i);
  if (msOfDay < 0) return -1;
  const end = ts.end;
  if (y < 0) {
    const yy = yearAfterClock(s, end);
    if (yy > 0) return readZone(s, end + 5, yy, month, day, msOfDay, ts.micros, ctx);
  }
  if (y < 0) {
    // Remember the `Mmm dd hh:` text (month at i0 - 4 .. the hour's `:`) for readMinSec. Up to
    // 12 chars: slice makes a flat copy (V8 shares the parent only from 13 chars on), so it
    // does not keep the message alive; a longer (oddly spaced) one is flattened explicitly.
    const k = s.slice(i0 - 4, i + 3);
    bsdPrefix = k.length > 12 ? flatCopy(k) : k;
    bsdMonth = month;
    bsdDay = day;
    bsdHourMs = msOfDay - (msOfDay % 3_600_000);
  }
  return readZone(s, end, y, month, day, msOfDay, ts.micros, ctx);
}

/**
 * After a bsdPrefix match: `mm:ss[.fff]` at i, then the zone, as readClock and readDayClock
 * read them. Returns the index past the stamp or -1.
 */
function readMinSec(s: string, i: number, ctx: ParseContext): number {
  // readClock wants the whole `hh:mm:ss` in the text
  if (i + 5 > s.length) return -1;
  const mi = digits2(s, i);
  if (mi < 0 || mi > 59 || s.charCodeAt(i + 2) !== 58 /* : */) return -1;
  const sec = digits2(s, i + 3);
  if (sec < 0 || sec > 60) return -1;
  let ms = 0;
  let micros = -1;
  let end = i + 5;
  const c = s.charCodeAt(end);
  if (c === 46 /* . */ || c === 44 /* , */) {
    ts.micros = -1;
    const f = readFraction(s, end);
    if (f >= 0) {
      ms = f;
      micros = ts.micros;
      end = ts.end;
    }
  }
  const msOfDay = bsdHourMs + (mi * 60 + (sec > 59 ? 59 : sec)) * 1000 + ms;
  const yy = yearAfterClock(s, end);
  if (yy > 0) return readZone(s, end + 5, yy, bsdMonth, bsdDay, msOfDay, micros, ctx);
  return readZone(s, end, -1, bsdMonth, bsdDay, msOfDay, micros, ctx);
}

/** `Mmm dd hh:mm:ss yyyy host` (Aruba, HPE, Silver Peak): a year right after the clock at i, or -1. */
function yearAfterClock(s: string, i: number): number {
  if (s.charCodeAt(i) !== 32 || s.charCodeAt(i + 5) !== 32) return -1;
  const yy = digits4(s, i + 1);
  return yy >= 1970 && yy <= 2099 ? yy : -1;
}

/**
 * The zone after the clock (at i) and the epoch of the stamp; sets stampMs/stampMicros/
 * stampYearInferred and returns the index past the stamp.
 */
function readZone(
  s: string, i: number, y: number, month: number, day: number, msOfDay: number, micros: number, ctx: ParseContext,
): number {
  // zone: `Z`, ` UTC`, ` GMT` (any case), or another abbreviation (ignored: read in ctx.timezone)
  let utc = false;
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */ && !isLetter(s.charCodeAt(i + 1))) {
    utc = true;
    i++;
  } else if (c === 32 && isLetter(s.charCodeAt(i + 1))) {
    let k = i + 1;
    let upper = true;
    while (k < s.length && k - i <= 6 && isLetter(s.charCodeAt(k))) {
      if (!isUpper(s.charCodeAt(k))) upper = false;
      k++;
    }
    const n = k - i - 1;
    // a lower-case name is a zone only where Cisco puts one (`clock timezone utc`, `gmt`, `mng`):
    // `: %TAG` follows; elsewhere it is the host name of a device that sent no zone
    const ciscoTagNext = s.charCodeAt(k) === 58 && s.charCodeAt(k + 1) === 32 && s.charCodeAt(k + 2) === 37;
    if (n >= 3 && n <= 5 && (upper ? (k === s.length || s.charCodeAt(k) === 58 || s.charCodeAt(k) === 32) : ciscoTagNext)) {
      if (n === 3) {
        const a = s.charCodeAt(i + 1) | 32;
        const b = s.charCodeAt(i + 2) | 32;
        const z = s.charCodeAt(i + 3) | 32;
        if ((a === 117 && b === 116 && z === 99) || (a === 103 && b === 109 && z === 116)) utc = true; // utc, gmt
      }
      // other abbreviations are consumed only when a `:` ends the stamp (Cisco `show-timezone`)
      if (utc || s.charCodeAt(k) === 58) i = k;
    }
  }
  const zone = utc ? 'UTC' : ctx.timezone;
  if (y >= 0) {
    if (day > daysInMonth(y, month)) return -1;
    stampMs = localToUtc(epochMs(y, month, day, 0, 0, 0, 0) + msOfDay, zone);
  } else {
    stampMs = inferredMs(month, day, msOfDay, zone, ctx.now);
    stampYearInferred = true;
  }
  stampMicros = micros;
  return i;
}

/** `Mmm dd hh:` of the last year-less stamp readDayClock read ('' = none yet), and its parts. */
let bsdPrefix = '';
let bsdMonth = 0;
let bsdDay = 0;
let bsdHourMs = 0;

// The last year inference: inputs (month, day, hour, zone, now) → UTC ms of that hour's start.
let infMonth = 0;
let infDay = 0;
let infHourMs = -1;
let infZone = '';
let infNow = NaN;
let infUtcMs = 0;

/**
 * inferYearMs, cached per hour: a batch shares `now` and mostly the hour, and the inference
 * (year of now in the zone, rollover check, zone offsets, themselves cached per hour) is the
 * same for every ms of it. An hour is cached only when its first and last ms map 3 599 999 ms
 * apart, i.e. the same year and offset hold for the whole hour (not across a rollover or a DST
 * edge): then any ms of it maps to the cached start + its offset into the hour, exactly as
 * inferYearMs computes it (the year check is monotonic in the time, and the offset is a step
 * function over whole UTC hours, so equal ends mean equal throughout).
 */
function inferredMs(month: number, day: number, msOfDay: number, zone: string, now: number): number {
  const hour = msOfDay - (msOfDay % 3_600_000);
  if (hour === infHourMs && day === infDay && month === infMonth && now === infNow && zone === infZone) {
    return infUtcMs + (msOfDay - hour);
  }
  const start = inferYearMs(month, day, hour, zone, now);
  if (inferYearMs(month, day, hour + 3_599_999, zone, now) - start === 3_599_999) {
    infMonth = month;
    infDay = day;
    infHourMs = hour;
    infZone = zone;
    infNow = now;
    infUtcMs = start;
    return start + (msOfDay - hour);
  }
  infHourMs = -1;
  return inferYearMs(month, day, msOfDay, zone, now);
}

// ---- token helpers --------------------------------------------------------------------------

// Char classes as tables (one load per char instead of a chain of compares in the token loops).
/** Ends a TAG: SP, `:`, `[`, TAB. */
const TAG_STOP = new Uint8Array(128);
TAG_STOP[32] = 1;
TAG_STOP[58] = 1;
TAG_STOP[91] = 1;
TAG_STOP[9] = 1;
/** In a host token: 1 = SP (end), 2 = a char no host name has but payloads and tags do. */
const HOST_STOP = new Uint8Array(128);
for (let c = 0; c < 32; c++) HOST_STOP[c] = 2;
for (const c of [61, 124, 34, 123, 91, 93, 44, 39]) HOST_STOP[c] = 2; // = | " { [ ] , '
HOST_STOP[32] = 1;

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAllDigits(s: string, i: number, e: number): boolean {
  if (e <= i) return false;
  for (let k = i; k < e; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function noSpace(s: string, i: number, e: number): boolean {
  for (let k = i; k < e; k++) if (s.charCodeAt(k) <= 32) return false;
  return true;
}

/** For a token `xxx: ` at i (no spaces inside), the index of its `:`; else -1. */
function colonTokenEnd(s: string, i: number): number {
  const len = s.length;
  let j = i;
  while (j < len) {
    const c = s.charCodeAt(j);
    if (c === 58) break;
    if (c <= 32 || c === 61 || c === 124 || c === 34) return -1;
    j++;
  }
  if (j === i || j >= len - 1 || s.charCodeAt(j + 1) !== 32) return -1;
  return j;
}

/**
 * End of a host-name token at i, or i when the token is not a host: it is a tag (`x:`, `x[n]:`),
 * a Cisco sequence number (`123:`), a CEF/LEEF/JSON/kv payload start, or the last word.
 */
function hostTokenEnd(s: string, i: number): number {
  const len = s.length;
  let j = i;
  while (j < len) {
    const c = s.charCodeAt(j);
    if (c < 128) {
      const k = HOST_STOP[c];
      if (k === 1) break; // SP
      if (k === 2) return i;
    }
    j++;
  }
  if (j === i) return i;
  const last = s.charCodeAt(j - 1);
  if (last === 58 /* : */) return i;
  return j;
}
