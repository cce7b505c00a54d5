/**
 * Timestamp helpers shared by the parsers: month table, epoch arithmetic (no `new Date(string)`),
 * an RFC 3339 reader and a cached zone-offset lookup. All readers work on a string + index and
 * report through the module-level `ts` scratch record, so the hot path allocates nothing.
 */

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Epoch ms of a wall-clock time taken as UTC. Fields are not range-checked here. */
export function epochMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * 60_000 + s * 1000 + ms;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m];
}

/** Civil year of an epoch ms (UTC). */
export function yearOf(ms: number): number {
  const z = Math.floor(ms / MS_PER_DAY) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/**
 * English month abbreviation at `pos` (any case: `Jan`, `JAN`, `jan`) → 1..12, or 0.
 * Packs the three lower-cased chars into one int and switches on it.
 */
export function monthAt(s: string, pos: number): number {
  if (pos + 3 > s.length) return 0;
  const k = ((s.charCodeAt(pos) | 0x20) << 16) | ((s.charCodeAt(pos + 1) | 0x20) << 8) | (s.charCodeAt(pos + 2) | 0x20);
  switch (k) {
    case 0x6a616e: return 1; // jan
    case 0x666562: return 2; // feb
    case 0x6d6172: return 3; // mar
    case 0x617072: return 4; // apr
    case 0x6d6179: return 5; // may
    case 0x6a756e: return 6; // jun
    case 0x6a756c: return 7; // jul
    case 0x617567: return 8; // aug
    case 0x736570: return 9; // sep
    case 0x6f6374: return 10; // oct
    case 0x6e6f76: return 11; // nov
    case 0x646563: return 12; // dec
    default: return 0;
  }
}

/** Value of 2 ASCII digits at pos, or -1. */
export function digits2(s: string, pos: number): number {
  const a = s.charCodeAt(pos) - 48;
  const b = s.charCodeAt(pos + 1) - 48;
  if (!(a >= 0 && a <= 9) || !(b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

/** Value of 4 ASCII digits at pos, or -1. */
export function digits4(s: string, pos: number): number {
  const a = digits2(s, pos);
  if (a < 0) return -1;
  const b = digits2(s, pos + 2);
  if (b < 0) return -1;
  return a * 100 + b;
}

/** Scratch result of the readers below (one per module: the parsers are synchronous). */
export interface TsScratch {
  /** Epoch ms (UTC when `hasZone`, else wall-clock ms taken as UTC). */
  ms: number;
  /** Sub-millisecond microseconds 0..999, or -1 when the text had no sub-ms digits. */
  micros: number;
  /** Index just past the timestamp. */
  end: number;
  /** Whether the text carried a zone (`Z`, `±hh:mm`, `±hhmm`, `UTC`, `GMT`). */
  hasZone: boolean;
  /** Whether the text carried a year. */
  hasYear: boolean;
  /** Month/day/time parts of a year-less BSD stamp (for year inference). */
  month: number;
  day: number;
  msOfDay: number;
}

export const ts: TsScratch = {
  ms: 0, micros: -1, end: 0, hasZone: false, hasYear: false, month: 0, day: 0, msOfDay: 0,
};

/**
 * Reads `.f{1,9}` at pos (pos points at the `.` or `,`). Sets ts.micros and returns the ms part,
 * or -1 when there is no digit after the separator. ts.end is set past the digits.
 */
export function readFraction(s: string, pos: number): number {
  let i = pos + 1;
  let n = 0;
  let count = 0;
  const len = s.length;
  while (i < len) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) break;
    if (count < 6) n = n * 10 + c;
    count++;
    i++;
  }
  if (count === 0 || count > 9) return -1;
  for (let k = count; k < 6; k++) n *= 10;
  ts.end = i;
  ts.micros = count > 3 ? n % 1000 : -1;
  return Math.floor(n / 1000);
}

/**
 * RFC 3339 / ISO 8601 date-time at pos: `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|±hh:mm|±hhmm]`.
 * `strictT` requires an upper-case `T` and (when present) upper-case `Z`, as RFC 5424 does.
 * Returns false when the text is not such a stamp (ts is then undefined).
 */
export function readIso(s: string, pos: number, strictT: boolean, spaceT = false): boolean {
  const len = s.length;
  if (pos + 19 > len) return false;
  let minuteMs: number;
  // Consecutive messages mostly share the minute: one native compare replaces reading and
  // validating date, hour and minute (16 chars) and the day arithmetic.
  if (isoPrefix !== '' && s.startsWith(isoPrefix, pos)) {
    minuteMs = isoPrefixMs;
  } else {
    const y = digits4(s, pos);
    if (y < 0 || s.charCodeAt(pos + 4) !== 45 /* - */) return false;
    const mo = digits2(s, pos + 5);
    if (mo < 1 || mo > 12 || s.charCodeAt(pos + 7) !== 45) return false;
    const d = digits2(s, pos + 8);
    if (d < 1 || d > daysInMonth(y, mo)) return false;
    const t = s.charCodeAt(pos + 10);
    // RFC 3339 §5.6 lets a space stand for the T (spaceT: RFC 5424's lenient retry only; in an
    // RFC 3164 header a date and a time are also how tab-separated payloads begin, e.g. Zscaler NSS)
    if (t !== 84 /* T */ && (strictT || (t !== 116 /* t */ && !(spaceT && t === 32)))) return false;
    const h = digits2(s, pos + 11);
    if (h < 0 || h > 23 || s.charCodeAt(pos + 13) !== 58 /* : */) return false;
    const mi = digits2(s, pos + 14);
    if (mi < 0 || mi > 59 || s.charCodeAt(pos + 16) !== 58) return false;
    minuteMs = epochMs(y, mo, d, h, mi, 0, 0);
    // cached only with an upper-case `T`, so a hit is valid for strictT callers too; the copy
    // is flattened so that it does not keep the message alive and compares fast
    if (t === 84) {
      isoPrefix = flatCopy(s.slice(pos, pos + 16));
      isoPrefixMs = minuteMs;
    }
  }
  const sec = digits2(s, pos + 17);
  if (sec < 0 || sec > 59) return false;
  let i = pos + 19;
  let ms = 0;
  ts.micros = -1;
  const f = i < len ? s.charCodeAt(i) : 0;
  if (f === 46 /* . */ || (!strictT && f === 44 /* , (log4j, Java) */)) {
    ms = readFraction(s, i);
    if (ms < 0) return false;
    i = ts.end;
  }
  let off = 0;
  let hasZone = false;
  // `… 12:34:56.789 +0100` (a space before the offset), only when a whole ±hhmm follows
  if (!strictT && s.charCodeAt(i) === 32 && (s.charCodeAt(i + 1) === 43 || s.charCodeAt(i + 1) === 45) &&
    digits2(s, i + 2) >= 0 && (s.charCodeAt(i + 4) === 58 ? digits2(s, i + 5) >= 0 : digits2(s, i + 4) >= 0)) i++;
  if (i < len) {
    const z = s.charCodeAt(i);
    if (z === 90 /* Z */ || (!strictT && z === 122 /* z */)) {
      hasZone = true;
      i++;
    } else if (z === 43 /* + */ || z === 45 /* - */) {
      const oh = digits2(s, i + 1);
      if (oh < 0 || oh > 23) return false;
      let om: number;
      if (s.charCodeAt(i + 3) === 58 /* : */) {
        om = digits2(s, i + 4);
        if (om < 0 || om > 59) return false;
        i += 6;
      } else if (strictT) {
        return false;
      } else {
        om = digits2(s, i + 3);
        if (om < 0) {
          om = 0;
          i += 3;
        } else {
          if (om > 59) return false;
          i += 5;
        }
      }
      off = (oh * 60 + om) * 60_000;
      if (z === 43) off = -off;
      hasZone = true;
    }
  }
  ts.ms = minuteMs + sec * 1000 + ms + off;
  ts.end = i;
  ts.hasZone = hasZone;
  ts.hasYear = true;
  return true;
}

/** `YYYY-MM-DDTHH:MM` of the last stamp readIso read with an upper-case T ('' = none yet). */
let isoPrefix = '';
/** Its epoch ms (wall clock taken as UTC, seconds 0). */
let isoPrefixMs = 0;

/** A sequential (flat) copy of a short string: not a slice that keeps its parent alive. */
export function flatCopy(k: string): string {
  const o: Record<string, number> = {};
  o[k] = 0; // property keys are internalized: a flat copy
  for (const x in o) return x;
  return k;
}

/** `hh:mm:ss[.fff]` at pos → ms of day, or -1. Sets ts.end and ts.micros. */
export function readClock(s: string, pos: number): number {
  if (pos + 8 > s.length) return -1;
  const h = digits2(s, pos);
  if (h < 0 || h > 23 || s.charCodeAt(pos + 2) !== 58) return -1;
  const mi = digits2(s, pos + 3);
  if (mi < 0 || mi > 59 || s.charCodeAt(pos + 5) !== 58) return -1;
  const sec = digits2(s, pos + 6);
  if (sec < 0 || sec > 60) return -1;
  let ms = 0;
  ts.micros = -1;
  ts.end = pos + 8;
  const c = s.charCodeAt(pos + 8);
  if (c === 46 /* . */ || c === 44 /* , */) {
    const f = readFraction(s, pos + 8);
    if (f >= 0) ms = f;
    else ts.end = pos + 8;
  }
  return ((h * 60 + mi) * 60 + (sec > 59 ? 59 : sec)) * 1000 + ms;
}

// ---- zone offsets -------------------------------------------------------------------------

interface ZoneCache {
  fmt: Intl.DateTimeFormat | undefined; // undefined = UTC (or an unknown zone, read as UTC)
  byHour: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();
let lastZoneName = '';
let lastZone: ZoneCache | undefined;

function isUtcName(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Etc/GMT' || zone === 'Z' || zone === '';
}

function zoneFor(zone: string): ZoneCache {
  if (zone === lastZoneName && lastZone !== undefined) return lastZone;
  let z = zones.get(zone);
  if (z === undefined) {
    let fmt: Intl.DateTimeFormat | undefined;
    if (!isUtcName(zone)) {
      // Built once per zone name; an unknown zone is read as UTC rather than failing every message.
      try {
        fmt = new Intl.DateTimeFormat('en-US', {
          timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
          hour: 'numeric', minute: 'numeric', second: 'numeric',
        });
      } catch {
        fmt = undefined;
      }
    }
    z = { fmt, byHour: new Map() };
    zones.set(zone, z);
  }
  lastZoneName = zone;
  lastZone = z;
  return z;
}

/** Whether `zone` is a zone name Intl knows (or a UTC alias). */
export function isKnownZone(zone: string): boolean {
  return isUtcName(zone) || zoneFor(zone).fmt !== undefined;
}

function computeOffset(fmt: Intl.DateTimeFormat, utcMs: number): number {
  const parts = fmt.formatToParts(utcMs);
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = +p.value; break;
      case 'month': mo = +p.value; break;
      case 'day': d = +p.value; break;
      case 'hour': h = +p.value; break;
      case 'minute': mi = +p.value; break;
      case 'second': s = +p.value; break;
      default: break;
    }
  }
  const wall = epochMs(y, mo, d, h === 24 ? 0 : h, mi, s, 0);
  return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/** Offset (ms, local − UTC) of `zone` at the UTC instant `utcMs`, cached per zone per hour. */
export function zoneOffsetAt(zone: string, utcMs: number): number {
  const z = zoneFor(zone);
  const fmt = z.fmt;
  if (fmt === undefined) return 0;
  const hour = Math.floor(utcMs / MS_PER_HOUR);
  let off = z.byHour.get(hour);
  if (off === undefined) {
    if (z.byHour.size > 50_000) z.byHour.clear();
    off = computeOffset(fmt, hour * MS_PER_HOUR);
    z.byHour.set(hour, off);
  }
  return off;
}

/** UTC epoch ms of a wall-clock time (given as ms-taken-as-UTC) in `zone`. */
export function localToUtc(wallMs: number, zone: string): number {
  if (isUtcName(zone)) return wallMs;
  const o1 = zoneOffsetAt(zone, wallMs);
  const guess = wallMs - o1;
  const o2 = zoneOffsetAt(zone, guess);
  return o2 === o1 ? guess : wallMs - o2;
}

let yearCacheDay = NaN;
let yearCacheYear = 0;

/**
 * Year for a year-less stamp (month/day/ms-of-day wall clock in `zone`), inferred from `now`:
 * the year of `now` in that zone, or the previous one when that would put the stamp more than
 * ~31 days in the future (New Year rollover). Returns the UTC epoch ms.
 */
export function inferYearMs(month: number, day: number, msOfDay: number, zone: string, now: number): number {
  const nowLocal = now + zoneOffsetAt(zone, now);
  // `now` is the receive time, shared by a whole batch: the civil year is cached per local day
  const nowDay = Math.floor(nowLocal / MS_PER_DAY);
  if (nowDay !== yearCacheDay) {
    yearCacheYear = yearOf(nowLocal);
    yearCacheDay = nowDay;
  }
  let y = yearCacheYear;
  // Feb 29 in a non-leap year: keep the day valid by looking back to the last leap year.
  if (month === 2 && day === 29) while (!isLeapYear(y)) y--;
  let wall = daysFromCivil(y, month, day) * MS_PER_DAY + msOfDay;
  if (wall > nowLocal + 31 * MS_PER_DAY) {
    y--;
    if (month === 2 && day === 29) while (!isLeapYear(y)) y--;
    wall = daysFromCivil(y, month, day) * MS_PER_DAY + msOfDay;
  }
  return localToUtc(wall, zone);
}
