/**
 * JSON text written straight into one growing output Buffer, as UTF-8 bytes, byte-for-byte what
 * `Buffer.from(JSON.stringify(x))` gives. The ECS writer (ecs-writer.ts) uses it to put each
 * document into the batch's output without building a JS string per document: constant parts are
 * prepared bytes, strings are escaped only where a char needs it, and the raw message is copied
 * from the batch's bytes. Measured against the string rope + `Buffer.write` it replaced:
 * bench/serialize.js, bench/results/serialize-latest.md.
 *
 * The output is module state (one per thread): writing is synchronous, one output at a time.
 * Hot code reserves room once for a run of parts (`reserve`), writes them with the `…At(b, o, …)`
 * functions, which take the buffer and offset as arguments and return the new offset, and then
 * `commit`s the end. Measured: a call per part that reads and writes the module's offset and checks
 * the room each time cost more (the SD walker alone, peer-bench message: 320 vs 220 ns).
 * The `put…` functions do reserve + write + commit in one call, for the parts that are rare.
 */
import { createBufferPool, roundUp } from '../buffer-pool';

let buf: Buffer = Buffer.alloc(0);
let off = 0;
// DataViews of the output and of the last source of asciiBytesAt, for reading and writing 4 bytes
// at a time (made when the buffer changes, not per call)
let bufView = new DataView(buf.buffer);
let srcOf: Uint8Array = buf;
let srcView = bufView;

/** Starts a new output of `size` bytes (it grows as needed). Unpooled and at offset 0, so a
 *  worker can transfer its ArrayBuffer: one given back (giveOutputBuffer) if one is large enough. */
export function startOutput(size: number): void {
  setBuffer(Buffer.from(spare.take(Math.max(64, size))));
  off = 0;
}

/**
 * Output buffers given back once nothing reads them any more (the journal says when: journal.ts,
 * onFree), to be written again. Transferring a fresh ArrayBuffer per batch to the main thread made
 * V8 collect garbage there for the external memory alone: 300 MB/s of it at 240k events/s, ~100
 * scavenges and ~40 full collections per million events. A buffer sent back and reused is not new
 * external memory to either thread (measured: 3000 transfers of 2 MB, 92 collections and 1.1 s
 * dropped, 7 and 0.11 s sent back).
 */
// a batch's output rounded up to 256 KiB, so that when given back it fits the next batches of
// about its size; a small one (siemgate parse, one line) as it is
const SPARE_STEP = 256 * 1024;
const spare = createBufferPool(8, (len) => (len < SPARE_STEP ? len : roundUp(SPARE_STEP)(len)));

export function giveOutputBuffer(ab: ArrayBuffer): void {
  spare.give(ab);
}

function setBuffer(b: Buffer): void {
  buf = b;
  bufView = new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The bytes written since startOutput (a view of the output, not a copy). */
export function finishOutput(): Buffer {
  const out = buf.subarray(0, off);
  setBuffer(Buffer.alloc(0));
  srcOf = buf; // keeps neither the output nor the batch's input alive
  srcView = bufView;
  off = 0;
  return out;
}

export function outputOffset(): number {
  return off;
}

/** Drops what was written after `at` (a writer that finds it must take another path). */
export function rewindOutput(at: number): void {
  off = at;
}

/**
 * Room for `n` more bytes at outputOffset(): gives the buffer to write them into (it may be a new
 * one after each reserve: write into the one returned). Then `commit` the offset after them.
 */
export function reserve(n: number): Buffer {
  if (off + n > buf.length) {
    const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, off + n + 4096));
    buf.copy(bigger, 0, 0, off);
    setBuffer(bigger);
  }
  return buf;
}

export function commit(end: number): void {
  off = end;
}

/** Room that stringAt and stringRangeAt need for `n` UTF-16 units (`\u001f` is the longest form
 *  of one, a surrogate pair takes 4 bytes for 2). */
export function stringRoom(n: number): number {
  return 6 * n + 2;
}

// ---- writers into a reserved buffer: (b, o, …) → the offset after what they wrote ----------------

/** Prepared constant bytes (see `ascii`). */
export function bytesAt(b: Buffer, o: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 16) {
    b.set(src, o);
    return o + n;
  }
  for (let i = 0; i < n; i++) b[o + i] = src[i]; // cheaper than a native call for a few bytes
  return o + n;
}

/** The output's own bytes [from, to) again (a part written before, e.g. a host name). */
export function repeatAt(b: Buffer, o: number, from: number, to: number): number {
  if (to - from > 32) {
    b.copyWithin(o, from, to);
    return o + to - from;
  }
  for (let i = from; i < to; i++) b[o++] = b[i];
  return o;
}

/** The bytes of a constant, prepared once: for text written per event. */
export function ascii(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

/** Text known to be ASCII and to need no escaping (ids, numbers, timestamps): its chars as bytes. */
export function asciiAt(b: Buffer, o: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) b[o++] = s.charCodeAt(i);
  return o;
}

/** A JSON string literal: what JSON.stringify(s) gives, as UTF-8. Needs stringRoom(s.length). */
export function stringAt(b: Buffer, o: number, s: string): number {
  const n = s.length;
  // plain ASCII (the common case) in one pass; anything else from the start again, char by char
  let p = o + 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || ESCAPE[c] !== 0) return stringRangeAt(b, o, s, 0, n);
    b[p++] = c;
  }
  b[o] = 34;
  b[p] = 34;
  return p + 1;
}

/** The chars [from, to) of s as a JSON string literal (JSON.stringify(s.slice(from, to)) as UTF-8),
 *  without slicing. Needs stringRoom(to - from). */
export function stringRangeAt(b: Buffer, o: number, s: string, from: number, to: number): number {
  b[o++] = 34;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (ESCAPE[c] === 0) {
        b[o++] = c;
      } else {
        o = escapeAt(b, o, c);
      }
    } else if (c < 0x800) {
      b[o++] = 0xc0 | (c >> 6);
      b[o++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c < 0xe000) {
      const d = i + 1 < to ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        b[o++] = 0xf0 | (cp >> 18);
        b[o++] = 0x80 | ((cp >> 12) & 63);
        b[o++] = 0x80 | ((cp >> 6) & 63);
        b[o++] = 0x80 | (cp & 63);
        i++;
      } else {
        o = unitEscapeAt(b, o, c); // a lone surrogate: JSON.stringify writes it as \udXXX
      }
    } else {
      b[o++] = 0xe0 | (c >> 12);
      b[o++] = 0x80 | ((c >> 6) & 63);
      b[o++] = 0x80 | (c & 63);
    }
  }
  b[o++] = 34;
  return o;
}

/**
 * The bytes [from, to) of `src`, escaped for inside a JSON string literal (no quotes), copied
 * without decoding when they are all ASCII (then bytes and chars are the same). Returns -1 at the
 * first byte of 0x80 or above: the caller writes the decoded string instead (stringAt), which is
 * exact for any input, invalid UTF-8 included. Needs 6 bytes of room per byte. `b` must be the
 * buffer reserve() gave.
 */
export function asciiBytesAt(b: Buffer, o: number, src: Uint8Array, from: number, to: number): number {
  // two functions, so that this one and the short one stay small enough to be inlined (SD names
  // and values are short: the SD walker alone took 220 vs 260 ns)
  return to - from < 16 ? asciiBytesShortAt(b, o, src, from, to) : asciiBytesLongAt(b, o, src, from, to);
}

function asciiBytesShortAt(b: Buffer, o: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = src[i];
    if (ESCAPE[c] === 0) b[o++] = c;
    else if (c < 0x80) o = escapeAt(b, o, c);
    else return -1;
  }
  return o;
}

function asciiBytesLongAt(b: Buffer, o: number, src: Uint8Array, from: number, to: number): number {
  // Four bytes at a time: one test tells whether any of them needs care (wordNeedsCare); if none,
  // the word is copied as it is. Measured for the raw peer-bench messages: 385 vs 500 ns (RFC 5424,
  // 309 bytes), 200 vs 300 (RFC 3164, 214 bytes). Eight at a time (two words) did not do better
  // inside processBatch.
  if (src !== srcOf) {
    srcOf = src;
    srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
  }
  const sv = srcView;
  const bv = b === buf ? bufView : new DataView(b.buffer, b.byteOffset, b.byteLength);
  const last = to - 4;
  let i = from;
  while (i <= last) {
    const x = sv.getUint32(i, true);
    if (wordNeedsCare(x) === 0) {
      bv.setUint32(o, x, true);
      o += 4;
      i += 4;
    } else {
      o = asciiBytesShortAt(b, o, src, i, i + 4);
      if (o < 0) return -1;
      i += 4;
    }
  }
  return asciiBytesShortAt(b, o, src, i, to);
}

/**
 * Non-zero when one of the 4 bytes of x is below 0x20, `"` (0x22), `\\` (0x5c) or 0x80 and above.
 * Exact, with the classic word tests: (v - 0x01…) & ~v & 0x80… is non-zero iff a byte of v is
 * zero (v = x ^ 0x22… for `"`), and (x - 0x20…) & ~x & 0x80… iff a byte is below 0x20 (for bytes
 * below 0x80; those above are caught by x & 0x80… itself). The bitwise operators take the
 * differences modulo 2^32, as the tests need.
 */
function wordNeedsCare(x: number): number {
  const q = x ^ 0x22222222;
  const s = x ^ 0x5c5c5c5c;
  return (((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s) | x) & 0x80808080;
}

/** A non-negative integer below 2^53 (ports, pids, codes), as JSON.stringify writes it (≤ 16 bytes). */
export function uintAt(b: Buffer, o: number, n: number): number {
  if (n < 10) {
    b[o] = 48 + n;
    return o + 1;
  }
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  const end = o + digits;
  let i = end;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    b[--i] = 48 + (n - q * 10);
    n = q;
  }
  b[--i] = 48 + n;
  return end;
}

/** A decimal digit string (≤ 15 digits, so exact as a double) as the JSON number it denotes:
 *  `Number(s)` written out is the digits without leading zeros. Needs s.length bytes. */
export function digitsAsNumberAt(b: Buffer, o: number, s: string): number {
  const len = s.length;
  let i = 0;
  while (i < len - 1 && s.charCodeAt(i) === 48) i++;
  for (; i < len; i++) b[o++] = s.charCodeAt(i);
  return o;
}

// ---- one part at a time, for code that is not hot ------------------------------------------------

export function putByte(c: number): void {
  reserve(1)[off++] = c;
}

export function putBytes(src: Uint8Array): void {
  off = bytesAt(reserve(src.length), off, src);
}

export function putAscii(s: string): void {
  off = asciiAt(reserve(s.length), off, s);
}

export function putString(s: string): void {
  off = stringAt(reserve(stringRoom(s.length)), off, s);
}

/** Text that is JSON as it stands (the output of JSON.stringify): written as UTF-8. */
export function putRawJson(s: string): void {
  const b = reserve(s.length * 3);
  off += b.write(s, off, 'utf8');
}

// ---- escaping -------------------------------------------------------------------------------------

// 0: copied as is; 1: escaped (ASCII); 2: not ASCII (a byte of 0x80+: see asciiBytesAt)
const ESCAPE = new Uint8Array(256);
for (let c = 0; c < 32; c++) ESCAPE[c] = 1;
ESCAPE[34] = 1;
ESCAPE[92] = 1;
for (let c = 128; c < 256; c++) ESCAPE[c] = 2;

// JSON.stringify's short forms; every other control char is \u00XX (lower-case hex)
const SHORT_ESCAPE = new Uint8Array(128);
SHORT_ESCAPE[8] = 98; // \b
SHORT_ESCAPE[9] = 116; // \t
SHORT_ESCAPE[10] = 110; // \n
SHORT_ESCAPE[12] = 102; // \f
SHORT_ESCAPE[13] = 114; // \r
SHORT_ESCAPE[34] = 34; // \"
SHORT_ESCAPE[92] = 92; // \\
const HEX = new Uint8Array(Buffer.from('0123456789abcdef', 'latin1'));

/** An ASCII char that needs escaping. */
function escapeAt(b: Buffer, o: number, c: number): number {
  const short = SHORT_ESCAPE[c];
  if (short === 0) return unitEscapeAt(b, o, c);
  b[o++] = 92;
  b[o++] = short;
  return o;
}

function unitEscapeAt(b: Buffer, o: number, c: number): number {
  b[o++] = 92;
  b[o++] = 117; // u
  b[o++] = HEX[c >> 12];
  b[o++] = HEX[(c >> 8) & 15];
  b[o++] = HEX[(c >> 4) & 15];
  b[o++] = HEX[c & 15];
  return o;
}

/** One value as JSON (what JSON.stringify writes), at o in b (room checked by the caller through valueRoom). */
export function valueAt(b: Buffer, o: number, v: unknown): number {
  if (typeof v === 'string') return stringAt(b, o, v);
  if (typeof v === 'number') {
    // ports, byte counts, codes: digits written as they are, no string made per number
    if (Number.isSafeInteger(v)) {
      if (v >= 0) return uintAt(b, o, v); // -0 too: JSON writes it as 0
      b[o] = 45;
      return uintAt(b, o + 1, -v);
    }
    return Number.isFinite(v) ? asciiAt(b, o, String(v)) : asciiAt(b, o, 'null');
  }
  if (typeof v === 'boolean') return asciiAt(b, o, v ? 'true' : 'false');
  if (Array.isArray(v)) {
    b[o++] = 91; // [
    for (let i = 0; i < v.length; i++) {
      if (i > 0) b[o++] = 44;
      o = valueAt(b, o, v[i]);
    }
    b[o++] = 93;
    return o;
  }
  return o + b.write(JSON.stringify(v) ?? 'null', o, 'utf8');
}

export function valueRoom(v: unknown): number {
  if (typeof v === 'string') return 6 * v.length + 2; // stringRoom, inline: once per value
  if (typeof v === 'number' || typeof v === 'boolean') return 32;
  if (Array.isArray(v)) { let n = 2; for (const x of v) n += valueRoom(x) + 1; return n; }
  return 3 * Buffer.byteLength(JSON.stringify(v) ?? 'null') + 8;
}
