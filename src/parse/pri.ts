/**
 * `<PRI>` at the start of `s`: 1..3 digits, value 0..191. Returns `(end << 8) | value` where `end`
 * is the index just past `>`, or -1 when there is no valid PRI. (Leading zeros are tolerated.)
 */
export function readPri(s: string): number {
  if (s.charCodeAt(0) !== 60 /* < */) return -1;
  let v = 0;
  let i = 1;
  const len = s.length < 5 ? s.length : 5;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 62 /* > */) break;
    const d = c - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  if (i === 1 || i >= s.length || s.charCodeAt(i) !== 62 || v > 191) return -1;
  return ((i + 1) << 8) | v;
}
