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
      const s = String(v).trim();
      if (!/^[+-]?\d{1,16}$/.test(s)) return NOPE;
      return Number(s);
    }
    case 'float': {
      if (typeof v === 'number') return v;
      const s = String(v).trim();
      const n = Number(s);
      return s === '' || !Number.isFinite(n) ? NOPE : n;
    }
    case 'ip': {
      let s = String(v).trim();
      if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
      const pct = s.indexOf('%'); // IPv6 zone: not part of the address ECS stores
      if (pct > 0 && s.includes(':')) s = s.slice(0, pct);
      return isIP(s) === 0 ? NOPE : s;
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
