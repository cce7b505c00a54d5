import { randomBytes } from 'node:crypto';

/**
 * Sortable event ids in the UUIDv7 layout: 48 bits of milliseconds, then a per-thread counter and
 * a per-thread random part, so ids are unique across workers and restarts without a syscall or a
 * random draw per event.
 */
const threadRandom = randomBytes(4).toString('hex').slice(0, 7); // 28 bits
let counter = randomBytes(4).readUInt32BE(0) >>> 6;

export function nextEventId(nowMs: number): string {
  counter = (counter + 1) >>> 0;
  const t = nowMs.toString(16).padStart(12, '0');
  const c = counter.toString(16).padStart(8, '0');
  // version nibble 7; variant bits 10xx
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${c.slice(0, 3)}-${(8 | (counter & 3)).toString(16)}${c.slice(3, 6)}-${c.slice(6, 8)}${threadRandom}000`.slice(0, 36);
}
