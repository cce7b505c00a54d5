import { randomBytes } from 'node:crypto';

/**
 * Sortable event ids in the UUIDv7 layout: 48 bits of milliseconds, then a per-thread counter and
 * a per-thread random part, so ids are unique across workers and restarts without a syscall or a
 * random draw per event. The time part is formatted once per batch (`idTimePrefix`).
 */
const threadRandom = randomBytes(5).toString('hex'); // 40 random bits per thread
let counter = randomBytes(4).readUInt32BE(0) >>> 6;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `tttttttt-tttt-` for a time in ms. */
export function idTimePrefix(nowMs: number): string {
  const t = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-`;
}

const hex3 = (n: number) => HEX[n >>> 4] + (n & 0xf).toString(16); // n < 4096

export function nextEventId(prefix: string): string {
  const c = (counter = (counter + 1) >>> 0);
  // 7ccc-Vccc-cc + 10 random hex: version 7, variant 10xx, the 32 counter bits spread over them
  return `${prefix}7${hex3((c >>> 20) & 0xfff)}-${(8 | ((c >>> 18) & 3)).toString(16)}${hex3((c >>> 6) & 0xfff)}-${HEX[c & 0x3f]}${threadRandom}`;
}
