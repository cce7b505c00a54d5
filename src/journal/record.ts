import { crc32c } from './crc32c';

/**
 * A journal record on disk: u32 LE body length, u32 LE CRC-32C of the body, the body. The length
 * comes first so a reader can skip without decoding; the CRC covers only the body, so a torn
 * header shows as an impossible length or a CRC mismatch, never as a plausible record.
 */
export const RECORD_HEADER_BYTES = 8;
/** No event body is near this; a larger length means the header is garbage. */
export const MAX_RECORD_BYTES = 64 << 20;

/** Fill in the header of a record whose body was written at buf[at + 8, at + 8 + bodyLen). */
export function sealRecord(buf: Uint8Array, at: number, bodyLen: number): void {
  // byte by byte: no DataView per record (the worker seals one per event)
  putU32(buf, at, bodyLen);
  putU32(buf, at + 4, crc32c(buf, at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + bodyLen));
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}

/** A whole record around `body`: for tests and small writers (the pipeline frames in place). */
export function frameRecord(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + body.length);
  out.set(body, RECORD_HEADER_BYTES);
  sealRecord(out, 0, body.length);
  return out;
}

export type ScanStop = 'end' | 'partial' | 'bad_length' | 'bad_crc';

export interface ScanResult {
  /** Offset just past the last good record. */
  end: number;
  records: number;
  /** Why scanning stopped: the end of the data, a record cut short, or a damaged one. */
  stop: ScanStop;
}

/**
 * Walk the records in buf[start, end). `onRecord` gets each good body's bounds; scanning stops at
 * the first record that is cut short or damaged. `verify: false` skips the CRC (lengths are still
 * checked): for records this process wrote itself and reads back from the page cache.
 */
export function scanRecords(buf: Uint8Array, start: number, end: number,
  onRecord?: (bodyStart: number, bodyEnd: number) => void, verify = true): ScanResult {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = start;
  let records = 0;
  for (;;) {
    if (off === end) return { end: off, records, stop: 'end' };
    if (end - off < RECORD_HEADER_BYTES) return { end: off, records, stop: 'partial' };
    const len = v.getUint32(off, true);
    if (len === 0 || len > MAX_RECORD_BYTES) return { end: off, records, stop: 'bad_length' };
    const bodyStart = off + RECORD_HEADER_BYTES;
    if (end - bodyStart < len) return { end: off, records, stop: 'partial' };
    if (verify && crc32c(buf, bodyStart, bodyStart + len) !== v.getUint32(off + 4, true)) return { end: off, records, stop: 'bad_crc' };
    onRecord?.(bodyStart, bodyStart + len);
    off = bodyStart + len;
    records++;
  }
}
