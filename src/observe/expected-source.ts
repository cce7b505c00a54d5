import { BlockList, isIP } from 'node:net';
import type { ExpectedSource } from '../config/types';

/** How an expected source is recognised: by the sender's address, or by the host name messages carry. */
export interface SourceMatcher {
  address?: (ip: string) => boolean;
  host?: (name: string) => boolean;
}

export function sourceMatcher(e: ExpectedSource): SourceMatcher {
  if (e.hostname !== undefined) {
    const re = new RegExp(`^${e.hostname.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    return { host: (h) => re.test(h) };
  }
  const [addr, bits] = e.address!.split('/');
  const fam = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  if (bits === undefined) list.addAddress(addr, fam);
  else list.addSubnet(addr, Number(bits), fam);
  return {
    address: (ip) => {
      // an IPv4 sender on a dual-stack socket shows as ::ffff:a.b.c.d
      const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
      const f = isIP(plain);
      return f !== 0 && list.check(plain, f === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** The same test on a stats-store key: `source\tINPUT\tADDRESS` or `host\tNAME`. */
export function matchesStatsKey(m: SourceMatcher, key: string): boolean {
  if (key.startsWith('host\t')) return m.host?.(key.slice(5)) ?? false;
  if (key.startsWith('source\t')) return m.address?.(key.slice(key.lastIndexOf('\t') + 1)) ?? false;
  return false;
}
