/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every journal record.
 * Castagnoli rather than zlib's CRC-32 because it detects more error patterns at record sizes
 * (RFC 3720 §B.4 chose it for the same reason) and it is what LevelDB, Kafka and ext4 use.
 *
 * The native one (@node-rs/crc32: the CPU's CRC32 instruction) is used where it loads: measured in
 * the parse workers, sealing a 1.3 KB record cost ~1 µs in JavaScript (slicing-by-8), a quarter of
 * the whole per-event path, and ~0.25 µs natively (mostly the call). The JavaScript version
 * (slicing-by-8: eight table lookups per 8 bytes instead of one per byte) is the fallback for
 * platforms without a prebuilt binary.
 */
import { Buffer } from 'node:buffer';

type NativeCrc = (input: Buffer, initial?: number) => number;
const native: NativeCrc | undefined = loadNative();

function loadNative(): NativeCrc | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@node-rs/crc32') as { crc32c: NativeCrc }).crc32c;
  } catch {
    return undefined;
  }
}

/** Which implementation is in use (for the start-up log and the benchmarks). */
export const CRC32C_IMPL = native ? 'native' : 'javascript';

/** CRC-32C of buf[start, end), as an unsigned 32-bit integer. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (native === undefined) return crc32cJs(buf, start, end);
  return native(Buffer.from(buf.buffer, buf.byteOffset + start, end - start)) >>> 0;
}
const T = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
}

/** CRC-32C of buf[start, end) in JavaScript: the fallback, and the reference the tests hold the native one to. */
export function crc32cJs(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = ~0;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const a = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    c = T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^
      T[768 + buf[i + 4]] ^ T[512 + buf[i + 5]] ^ T[256 + buf[i + 6]] ^ T[buf[i + 7]];
    i += 8;
  }
  while (i < end) c = T[(c ^ buf[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
