import { ascii, bytesAt, uintAt } from './json-out';

/**
 * `isoTime` (ecs.ts) written as bytes: the same text, without building a string per event. Events
 * of one batch mostly share their minute, so the `YYYY-MM-DDTHH:MM:` prefix is prepared once per
 * minute, as isoTime does. test/unit/pipeline/ecs-writer.test.ts checks both give the same text.
 */

const MAX_DATE_MS = 8.64e15;
let cachedMinute = NaN;
let cachedLead: Uint8Array | undefined;
let cachedPrefix: Uint8Array = new Uint8Array(0);

/** Room isoTimeAt needs after its lead (`+275760-09-13T00:00:00.000999Z` is the longest). */
export const ISO_TIME_ROOM = 32;

/**
 * `lead` (constant bytes, e.g. the key before the time), then the time, at b[o]. Returns -1, having
 * written nothing, when `micros` is not one isoTime pads to 3 digits (never from the parsers): the
 * caller writes isoTime's string instead.
 */
export function isoTimeAt(b: Buffer, o: number, lead: Uint8Array, ms: number, micros: number | undefined): number {
  if (micros !== undefined && !(micros >= 0 && micros < 1000 && Number.isInteger(micros))) return -1;
  let whole = Math.floor(ms);
  if (!(whole >= -MAX_DATE_MS && whole <= MAX_DATE_MS)) whole = 0;
  const minute = Math.floor(whole / 60_000);
  if (minute !== cachedMinute || lead !== cachedLead) {
    // the lead and `YYYY-MM-DDTHH:MM:` in one piece: one copy fewer per event
    cachedPrefix = new Uint8Array(Buffer.concat([lead, ascii(new Date(minute * 60_000).toISOString().slice(0, -7))])); // drop `SS.sssZ`
    cachedMinute = minute;
    cachedLead = lead;
  }
  const inMinute = whole - minute * 60_000;
  const sec = Math.floor(inMinute / 1000);
  o = bytesAt(b, o, cachedPrefix);
  o = padAt(b, o, sec, 2);
  b[o++] = 46; // .
  o = padAt(b, o, inMinute - sec * 1000, 3);
  if (micros !== undefined) o = padAt(b, o, micros, 3);
  b[o++] = 90; // Z
  return o;
}

/** n (< 10^width) with leading zeros to `width` digits. */
function padAt(b: Buffer, o: number, n: number, width: number): number {
  if (width === 3 && n < 100) b[o++] = 48;
  if (n < 10) b[o++] = 48;
  return uintAt(b, o, n);
}
