import { BlockList, isIP } from 'node:net';
import type { CompiledSource, MatchSpec } from './compile';
import type { MapInput, MappingAssignment } from './types';

/**
 * Which product a message is: one lookup in the common cases. In order: a config assignment
 * (input, sender address, host), CEF/LEEF vendor+product, the syslog program (exact, then prefix
 * globs such as `%ASA-*`, then other globs), the MSGID, the host name, and last the message and
 * raw-line patterns, tried in priority order (each anchored pattern fails at its first bytes).
 */
export type Classifier = (ev: MapInput) => { source: CompiledSource; by: string } | undefined;

interface Keyed {
  exact: Map<string, Array<{ source: CompiledSource; by: string }>>;
  prefixes: Array<{ prefix: string; source: CompiledSource; by: string }>;
  globs: Array<{ re: RegExp; source: CompiledSource; by: string }>;
}

function keyed(): Keyed {
  return { exact: new Map(), prefixes: [], globs: [] };
}

function addGlob(k: Keyed, glob: string, source: CompiledSource, by: string): void {
  const star = glob.indexOf('*');
  if (star < 0) {
    const list = k.exact.get(glob) ?? [];
    list.push({ source, by });
    k.exact.set(glob, list);
  } else if (star === glob.length - 1) k.prefixes.push({ prefix: glob.slice(0, -1), source, by });
  else k.globs.push({ re: globRe(glob), source, by });
}

export function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function lookup(k: Keyed, value: string | undefined): { source: CompiledSource; by: string } | undefined {
  if (value === undefined) return undefined;
  const e = k.exact.get(value);
  if (e !== undefined) return e[0];
  for (const p of k.prefixes) if (value.startsWith(p.prefix)) return p;
  for (const g of k.globs) if (g.re.test(value)) return g;
  return undefined;
}

export function buildClassifier(sources: CompiledSource[], assignments: MappingAssignment[]): Classifier {
  const ordered = [...sources].sort((a, b) => a.priority - b.priority || a.product.localeCompare(b.product));
  const byId = new Map(sources.map((s) => [s.product, s]));
  const program = keyed();
  const msgid = keyed();
  const hostname = keyed();
  const cef = new Map<string, { source: CompiledSource; by: string }>();
  const leef = new Map<string, { source: CompiledSource; by: string }>();
  const patterns: Array<{ kind: 'message' | 'raw'; re: RegExp; source: CompiledSource; by: string }> = [];
  for (const s of ordered) {
    for (const m of s.match) add(s, m);
  }
  for (const k of [program, msgid, hostname]) k.prefixes.sort((a, b) => b.prefix.length - a.prefix.length || a.source.priority - b.source.priority);

  function add(s: CompiledSource, m: MatchSpec): void {
    switch (m.kind) {
      case 'program': addGlob(program, m.glob, s, `program ${m.glob}`); break;
      case 'msgid': addGlob(msgid, m.glob, s, `msgid ${m.glob}`); break;
      case 'hostname': addGlob(hostname, m.glob, s, `hostname ${m.glob}`); break;
      case 'cef':
      case 'leef': {
        const map = m.kind === 'cef' ? cef : leef;
        const key = `${(m.vendor ?? '*').toLowerCase()}|${(m.product ?? '*').toLowerCase()}`;
        if (!map.has(key)) map.set(key, { source: s, by: `${m.kind} ${m.vendor ?? '*'}|${m.product ?? '*'}` });
        break;
      }
      default: patterns.push({ kind: m.kind, re: m.re, source: s, by: `${m.kind} /${m.re.source}/` });
    }
  }

  const byInput = new Map<string, { source: CompiledSource; by: string }>();
  const byAddress: Array<{ list: BlockList; source: CompiledSource; by: string }> = [];
  const byHost: Array<{ re: RegExp; source: CompiledSource; by: string }> = [];
  for (const a of assignments) {
    const s = byId.get(a.product);
    if (s === undefined) continue; // the config check reports it
    for (const i of a.inputs) byInput.set(i, { source: s, by: `config: input ${i}` });
    if (a.sources.length > 0) {
      const list = new BlockList();
      for (const cidr of a.sources) {
        const [addr, bits] = cidr.split('/');
        const fam = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
        if (bits === undefined) list.addAddress(addr, fam);
        else list.addSubnet(addr, Number(bits), fam);
      }
      byAddress.push({ list, source: s, by: `config: sources ${a.sources.join(',')}` });
    }
    for (const h of a.hosts) byHost.push({ re: globRe(h), source: s, by: `config: host ${h}` });
  }
  const assigned = byInput.size > 0 || byAddress.length > 0 || byHost.length > 0;

  function cefLike(map: Map<string, { source: CompiledSource; by: string }>, vendor: string, product: string) {
    if (map.size === 0) return undefined;
    const v = vendor.toLowerCase();
    return map.get(`${v}|${product.toLowerCase()}`) ?? map.get(`${v}|*`) ?? map.get('*|*');
  }

  return (ev) => {
    const p = ev.parsed;
    if (assigned) {
      const i = byInput.get(ev.input);
      if (i !== undefined) return i;
      if (ev.peerIp !== '') {
        const fam = ev.peerIp.includes(':') ? 'ipv6' : 'ipv4';
        for (const a of byAddress) if (a.list.check(ev.peerIp, fam)) return a;
      }
      if (p.hostname !== undefined) for (const h of byHost) if (h.re.test(p.hostname)) return h;
    }
    if (p.cef !== undefined) {
      const c = cefLike(cef, p.cef.deviceVendor, p.cef.deviceProduct);
      if (c !== undefined) return c;
    }
    if (p.leef !== undefined) {
      const l = cefLike(leef, p.leef.vendor, p.leef.product);
      if (l !== undefined) return l;
    }
    const r = lookup(program, p.appname) ?? lookup(msgid, p.msgid) ?? lookup(hostname, p.hostname);
    if (r !== undefined) return r;
    for (const m of patterns) if (m.re.test(m.kind === 'message' ? p.message : ev.raw)) return m;
    return undefined;
  };
}
