import { isIP } from 'node:net';

/**
 * Converters (`convert:` in a mapping) and the ECS types of the fields mappings usually set, so
 * that a document always indexes: Elasticsearch rejects a whole document whose `source.ip` is not
 * an IP or whose `source.port` is not a number (a dead letter at the destination), so a value that
 * does not convert is left out and the event tagged, here, where the operator can see why.
 */
export type Converter = 'int' | 'long' | 'float' | 'ip' | 'lowercase' | 'uppercase' | 'string' | 'bool' | 'array';
export const CONVERTERS: readonly Converter[] = ['int', 'long', 'float', 'ip', 'lowercase', 'uppercase', 'string', 'bool', 'array'];

const LONG = [
  'source.port', 'destination.port', 'client.port', 'server.port', 'source.nat.port', 'destination.nat.port',
  'source.bytes', 'destination.bytes', 'source.packets', 'destination.packets', 'client.bytes', 'server.bytes',
  'network.bytes', 'network.packets', 'event.duration', 'event.severity', 'process.pid', 'process.parent.pid',
  'http.response.status_code', 'http.request.bytes', 'http.response.bytes', 'observer.ingress.vlan.id',
];
const IP = [
  'source.ip', 'destination.ip', 'client.ip', 'server.ip', 'source.nat.ip', 'destination.nat.ip', 'host.ip',
  'observer.ip', 'client.nat.ip', 'server.nat.ip',
];
const ARRAY = ['event.category', 'event.type', 'related.ip', 'related.user', 'related.hosts', 'related.hash', 'tags', 'user.roles', 'threat.technique.id'];
const LOWER = ['network.transport', 'network.direction', 'network.protocol', 'event.outcome'];

/** The converter a field gets when the mapping names none (its ECS type). */
export const IMPLIED: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ...LONG.map((f) => [f, 'long'] as const), ...IP.map((f) => [f, 'ip'] as const), ...ARRAY.map((f) => [f, 'array'] as const), ...LOWER.map((f) => [f, 'lowercase'] as const),
]);

const NOPE = Symbol('not converted');

/** The converted value, or NOPE when it does not convert. */
export function convertValue(v: unknown, c: Converter): unknown {
  switch (c) {
    case 'int':
    case 'long': {
      if (typeof v === 'number') return Number.isInteger(v) ? v : Math.trunc(v);
      const n = typeof v === 'string' ? digitsValue(v) : undefined;
      if (n !== undefined) return n;
      const t = String(v).trim();
      if (!/^[+-]?\d{1,16}$/.test(t)) return NOPE;
      return Number(t);
    }
    case 'float': {
      if (typeof v === 'number') return v;
      const s = String(v).trim();
      const n = Number(s);
      return s === '' || !Number.isFinite(n) ? NOPE : n;
    }
    case 'ip': {
      if (typeof v === 'string' && isPlainIpv4(v)) return v; // the common case, without a regex
      let t = String(v).trim();
      if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
      const pct = t.indexOf('%'); // IPv6 zone: not part of the address ECS stores
      if (pct > 0 && t.includes(':')) t = t.slice(0, pct);
      return isIP(t) === 0 ? NOPE : t;
    }
    case 'lowercase': return typeof v === 'string' ? v.toLowerCase() : v;
    case 'uppercase': return typeof v === 'string' ? v.toUpperCase() : v;
    case 'string': return typeof v === 'string' ? v : String(v);
    case 'bool': {
      const s = String(v).toLowerCase();
      if (s === 'true' || s === '1' || s === 'yes') return true;
      if (s === 'false' || s === '0' || s === 'no') return false;
      return NOPE;
    }
    case 'array': return Array.isArray(v) ? v : [v];
    default: return v;
  }
}

export function converted(v: unknown): boolean {
  return v !== NOPE;
}

/** A string of 1 to 15 ASCII digits as a number, else undefined (a scan, no regex). */
function digitsValue(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 15) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return v;
}

/** Dotted-quad IPv4 without leading zeros or spaces (what devices write); anything else: isIP. */
function isPlainIpv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return false;
    if (digits > 0 && value === 0) return false; // a leading zero (isIP refuses it too)
    value = value * 10 + d;
    digits++;
  }
  return parts === 4;
}
