import { epochMs, inferYearMs, localToUtc } from '../../parse/timestamp';

/**
 * Timestamps in a device's own layout (`MMM dd yyyy HH:mm:ss`, `yyyy/MM/dd HH:mm:ss`), or
 * ISO8601 / UNIX (seconds, fractions allowed) / UNIX_MS. Tokens: yyyy yy MM MMM M dd d HH H mm ss
 * SSS (any number of fraction digits) Z (Z, +hh:mm, +hhmm); anything else is literal. No year:
 * inferred from the receive time as for RFC 3164; no offset: the input's zone (or the mapping's).
 * Returns epoch ms, or undefined when the text does not fit.
 */
export type TimeParser = (text: string, zone: string, now: number) => number | undefined;

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const TOKENS: Array<[string, string, string]> = [
  ['yyyy', '(\\d{4})', 'y'], ['yy', '(\\d{2})', 'yy'], ['MMM', '([A-Za-z]{3})', 'mon'], ['MM', '(\\d{2})', 'M'],
  ['M', '(\\d{1,2})', 'M'], ['dd', '(\\d{2})', 'd'], ['d', '(\\d{1,2})', 'd'], ['HH', '(\\d{2})', 'h'], ['H', '(\\d{1,2})', 'h'],
  ['mm', '(\\d{2})', 'mi'], ['ss', '(\\d{2})', 's'], ['SSS', '(\\d{1,9})', 'f'], ['Z', '(Z|[+-]\\d{2}:?\\d{2})', 'z'],
];

export function compileTimeFormat(format: string): TimeParser {
  switch (format.toUpperCase()) {
    case 'ISO8601': return (t) => { const ms = Date.parse(t.trim()); return Number.isNaN(ms) ? undefined : ms; };
    case 'UNIX': return (t) => { const n = Number(t.trim()); return t.trim() === '' || !Number.isFinite(n) ? undefined : Math.round(n * 1000); };
    case 'UNIX_MS': return (t) => { const n = Number(t.trim()); return t.trim() === '' || !Number.isFinite(n) ? undefined : Math.round(n); };
    default: break;
  }
  let src = '^';
  const roles: string[] = [];
  let i = 0;
  outer: while (i < format.length) {
    for (const [tok, re, role] of TOKENS) {
      if (format.startsWith(tok, i)) {
        src += re;
        roles.push(role);
        i += tok.length;
        continue outer;
      }
    }
    const ch = format[i++];
    src += ch === ' ' ? '\\s+' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  if (!roles.includes('d') || !roles.includes('h')) throw new Error(`the format ${JSON.stringify(format)} needs at least a day (d/dd) and an hour (H/HH)`);
  const re = new RegExp(src + '$');
  return (text, zone, now) => {
    const m = re.exec(text.trim());
    if (m === null) return undefined;
    let y: number | undefined, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0;
    let offset: number | undefined;
    for (let k = 0; k < roles.length; k++) {
      const v = m[k + 1];
      switch (roles[k]) {
        case 'y': y = Number(v); break;
        case 'yy': y = 2000 + Number(v); break;
        case 'mon': { const n = MONTHS[v.toLowerCase()]; if (n === undefined) return undefined; mo = n; break; }
        case 'M': mo = Number(v); break;
        case 'd': d = Number(v); break;
        case 'h': h = Number(v); break;
        case 'mi': mi = Number(v); break;
        case 's': s = Number(v); break;
        case 'f': ms = Number((v + '00').slice(0, 3)); break;
        case 'z': offset = v === 'Z' ? 0 : (v[0] === '-' ? -1 : 1) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(-2))) * 60_000; break;
        default: break;
      }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
    const msOfDay = ((h * 60 + mi) * 60 + s) * 1000 + ms;
    if (y === undefined) {
      if (offset !== undefined) return inferYearMs(mo, d, msOfDay, 'UTC', now) - offset;
      return inferYearMs(mo, d, msOfDay, zone, now);
    }
    const wall = epochMs(y, mo, d, h, mi, s, ms);
    return offset !== undefined ? wall - offset : localToUtc(wall, zone);
  };
}
