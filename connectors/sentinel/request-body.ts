/**
 * Rows → request bodies. The service refuses calls over 1 MB, "both compressed and uncompressed"
 * (protocols.md §6.2 limits); Microsoft's SDKs cut each call at 1,000,000 bytes of uncompressed
 * JSON before gzipping (.NET `SingleUploadThreshold`, Python `MAX_CHUNK_SIZE`). We do the same,
 * counting the array's brackets and commas.
 */
export const MAX_REQUEST_BYTES = 1_000_000;

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** The bytes of `[row,row,…]` for one row alone: what must fit MAX_REQUEST_BYTES. */
export function aloneBytes(row: Buffer): number {
  return row.length + 2;
}

/** Splits rows[idx] (in order) into runs whose JSON array is at most maxBytes; every row must fit alone. */
export function packRows(rows: readonly Buffer[], idx: readonly number[], maxBytes = MAX_REQUEST_BYTES): number[][] {
  const out: number[][] = [];
  let run: number[] = [];
  let size = 2; // [ and ]
  for (const i of idx) {
    if (run.length > 0 && size + 1 + rows[i].length > maxBytes) {
      out.push(run);
      run = [];
      size = 2;
    }
    size += rows[i].length + (run.length > 0 ? 1 : 0);
    run.push(i);
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** The JSON array of rows[idx], joined by `join` (the connector's reused body buffers). */
export function arrayBody(rows: readonly Buffer[], idx: readonly number[], join: (parts: Buffer[], bytes: number) => Buffer = Buffer.concat): Buffer {
  const parts: Buffer[] = [OPEN];
  let bytes = 2;
  for (let k = 0; k < idx.length; k++) {
    if (k > 0) parts.push(COMMA);
    parts.push(rows[idx[k]]);
    bytes += rows[idx[k]].length + (k > 0 ? 1 : 0);
  }
  parts.push(CLOSE);
  return join(parts, bytes);
}
