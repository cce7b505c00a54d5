/**
 * Column values as the Logs Ingestion API wants them in a row (protocols.md §6.3, §6.4): strings
 * as JSON strings no longer than the service keeps, int/long/real as JSON numbers, datetime as
 * ISO 8601 strings. Each helper returns the JSON text of the value, or undefined when the input
 * cannot be that type (the caller then leaves the column out, or keeps the raw text elsewhere).
 */

/** Column types a DCR stream declaration accepts (and that the row builders use). */
export type ColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

/** A table's columns in the order rows write them: the single source for rows and DCR templates. */
export type ColumnSpec = readonly [name: string, type: ColumnType];

/**
 * Longest string value we send, in UTF-8 bytes. The service truncates field values above 64 KB
 * (azure-monitor-docs `logs/includes/azure-monitor-limits-custom-logs.md`: "Fields longer than
 * 64 KB are truncated"), but the docs do not say whether it counts bytes or characters, nor that
 * it cuts on a character boundary. Cutting ourselves, a little under 65,536 bytes and on a UTF-8
 * boundary, keeps the stored text valid and the cut predictable; the full event stays in the
 * journal, and ECS rows say `Truncated: true`.
 */
export const MAX_FIELD_BYTES = 65_000;

/** The JSON string of s, cut to at most MAX_FIELD_BYTES UTF-8 bytes at a character boundary. */
export function jsonText(s: string): string {
  // 3 bytes per UTF-16 unit is the most UTF-8 needs, so short strings skip the count
  if (s.length * 3 > MAX_FIELD_BYTES && Buffer.byteLength(s, 'utf8') > MAX_FIELD_BYTES) s = cutUtf8(s, MAX_FIELD_BYTES);
  return JSON.stringify(s);
}

/** Whether jsonText would cut s. */
export function isOverlong(s: string): boolean {
  return s.length * 3 > MAX_FIELD_BYTES && Buffer.byteLength(s, 'utf8') > MAX_FIELD_BYTES;
}

/** The longest prefix of s whose UTF-8 encoding fits in max bytes, never splitting a surrogate pair. */
export function cutUtf8(s: string, max: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let n = 1;
    let units = 1;
    if (c >= 0x800) {
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      n = pair ? 4 : 3; // a lone surrogate is written as U+FFFD, 3 bytes
      units = pair ? 2 : 1;
    } else if (c >= 0x80) n = 2;
    if (bytes + n > max) break;
    bytes += n;
    i += units;
  }
  return s.slice(0, i);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Decimal digits with an optional leading minus, at most maxDigits of them. */
function isInteger(s: string, maxDigits: number): boolean {
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  const digits = s.length - start;
  if (digits === 0 || digits > maxDigits) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** An `int` column (32-bit): the number's text, or undefined. */
export function intText(s: string): string | undefined {
  if (!isInteger(s, 10)) return undefined;
  const n = Number(s);
  return n >= INT32_MIN && n <= INT32_MAX ? String(n) : undefined;
}

/** A `long` column (64-bit): the digits as they are (a double would round above 2^53), or undefined. */
export function longText(s: string): string | undefined {
  if (!isInteger(s, 19)) return undefined;
  const neg = s.charCodeAt(0) === 45;
  let digits = neg ? s.slice(1) : s;
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 48) z++;
  if (z > 0) digits = digits.slice(z); // JSON numbers have no leading zeros
  if (digits.length === 19 && digits > (neg ? '9223372036854775808' : '9223372036854775807')) return undefined;
  return neg && digits !== '0' ? `-${digits}` : digits;
}

/** A `real` column: a finite number's text, or undefined. */
export function realText(s: string): string | undefined {
  if (s.length === 0 || s.trim() !== s) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? JSON.stringify(n) : undefined;
}

/** What every row of one destination shares, prepared once. */
export interface RowContext {
  /** `,"SourceSystem":"siemgate","CollectorHostName":<this host>`: the end of Syslog and CommonSecurityLog rows. */
  collectorJson: string;
  /** `,"CollectorHostName":<this host>` */
  collectorHostJson: string;
}

/**
 * SourceSystem says which collector wrote the row (the agent writes `Linux`); we write
 * `siemgate` so that rows from the gateway can be told apart from the agent's.
 */
export function rowContext(collectorHost: string): RowContext {
  const host = jsonText(collectorHost);
  return { collectorJson: `,"SourceSystem":"siemgate","CollectorHostName":${host}`, collectorHostJson: `,"CollectorHostName":${host}` };
}

/** The document's `@timestamp` as a `datetime` column, when it is a readable time. */
export function eventTimeText(doc: Record<string, unknown>): string | undefined {
  const ts = doc['@timestamp'];
  if (typeof ts !== 'string') return undefined;
  // the pipeline writes `YYYY-MM-DDTHH:MM:SS.sss[sss]Z`: kept as written (microseconds too), unparsed
  if ((ts.length === 24 || ts.length === 27) && ts.charCodeAt(10) === 84 /* T */ && ts.charCodeAt(ts.length - 1) === 90 /* Z */) return `"${ts}"`;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : isoText(ms);
}

let lastMs = NaN;
let lastIso = '';

/** A `datetime` column from epoch milliseconds (the events of a batch mostly share their receive time: one Date for them). */
export function isoText(ms: number): string {
  if (ms !== lastMs) {
    lastIso = `"${new Date(ms).toISOString()}"`;
    lastMs = ms;
  }
  return lastIso;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const MAX_DATE_MS = 8.64e15;

/**
 * A `datetime` column from a CEF time value (protocols.md §2.1: epoch milliseconds, or
 * `MMM dd[ yyyy] HH:mm:ss[.SSS][ zzz]`), also ISO 8601. A stamp without a year takes the year
 * of `receivedAt`; one without a zone is read as UTC; zones other than UTC, GMT, Z or a numeric
 * offset are ambiguous abbreviations and give undefined (the raw text is kept by the caller).
 */
export function cefTimeText(s: string, receivedAt: number): string | undefined {
  const ms = cefTimeMs(s, receivedAt);
  return ms === undefined ? undefined : isoText(ms);
}

function cefTimeMs(s: string, receivedAt: number): number | undefined {
  if (isInteger(s, 15)) {
    const n = Number(s);
    return Math.abs(n) <= MAX_DATE_MS ? n : undefined;
  }
  const c0 = s.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) { // ISO 8601; Date.parse takes local time without a zone, so one is required
    if (!ISO_ZONE.test(s)) return undefined;
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  const m = CEF_TIME.exec(s);
  if (m === null) return undefined;
  const month = MONTHS[m[1]];
  if (month === undefined) return undefined;
  const year = m[3] !== undefined ? Number(m[3]) : new Date(receivedAt).getUTCFullYear();
  const frac = m[7] !== undefined ? Number((m[7] + '00').slice(0, 3)) : 0;
  let t = Date.UTC(year, month, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), frac);
  const zone = m[8];
  if (zone !== undefined && zone !== 'UTC' && zone !== 'GMT' && zone !== 'Z') {
    const z = OFFSET.exec(zone);
    if (z === null) return undefined;
    t -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return Number.isNaN(t) ? undefined : t;
}

const ISO_ZONE = /(Z|[+-]\d\d:?\d\d)$/;
const OFFSET = /^([+-])(\d\d):?(\d\d)$/;
// MMM dd[ yyyy] HH:mm:ss[.SSS][ zzz]
const CEF_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?(?: (\S+))?$/;
