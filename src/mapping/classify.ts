import { BlockList, isIP } from 'node:net';
import type { CompiledSource, MatchSpec, Refine } from './compile';
import type { MapInput, MappingAssignment } from './types';

/**
 * Which product a message is: one lookup in the common cases. In order: a config assignment
 * (input, sender address, host), CEF/LEEF vendor+product, the syslog program (exact, then prefix
 * globs such as `%ASA-*`, then other globs), the MSGID, the host name, and last the message and
 * raw-line patterns, tried in priority order (each anchored pattern fails at its first bytes).
 */
export type Classifier = (ev: MapInput) => { source: CompiledSource; by: string } | undefined;

interface Hit {
  source: CompiledSource;
  by: string;
  refine?: Refine;
}

interface Keyed {
  exact: Map<string, Hit[]>;
  prefixes: Array<Hit & { prefix: string }>;
  /** prefixes by their first character (with '' for the empty prefix): a value is checked only
   *  against the prefixes that start as it does. Built by finishKeyed. */
  byFirst: Map<string, Array<Hit & { prefix: string }>>;
  globs: Array<Hit & { re: RegExp }>;
}

function finishKeyed(k: Keyed): void {
  k.prefixes.sort((a, b) => b.prefix.length - a.prefix.length || a.source.priority - b.source.priority);
  k.byFirst.clear();
  for (const p of k.prefixes) {
    const c = p.prefix.charAt(0);
    const list = k.byFirst.get(c) ?? [];
    list.push(p);
    k.byFirst.set(c, list);
  }
}

/** A keyed candidate holds when its refining pattern (if any) matches too. */
function holds(h: Hit, ev: MapInput): boolean {
  const r = h.refine;
  return r === undefined || r.re.test(r.kind === 'message' ? ev.parsed.message : ev.raw);
}

function keyed(): Keyed {
  return { exact: new Map(), prefixes: [], byFirst: new Map(), globs: [] };
}

function addGlob(k: Keyed, glob: string, source: CompiledSource, by: string, refine: Refine | undefined): void {
  const star = glob.indexOf('*');
  const by2 = refine === undefined ? by : `${by} and ${refine.kind} /${refine.re.source}/`;
  if (star < 0) {
    const list = k.exact.get(glob) ?? [];
    list.push({ source, by: by2, refine });
    k.exact.set(glob, list);
  } else if (star === glob.length - 1) k.prefixes.push({ prefix: glob.slice(0, -1), source, by: by2, refine });
  else k.globs.push({ re: globRe(glob), source, by: by2, refine });
}

export function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function lookup(k: Keyed, value: string | undefined, ev: MapInput): Hit | undefined {
  if (value === undefined) return undefined;
  const e = k.exact.get(value);
  if (e !== undefined) for (const h of e) if (holds(h, ev)) return h;
  const first = k.byFirst.get(value.charAt(0));
  if (first !== undefined) for (const p of first) if (value.startsWith(p.prefix) && holds(p, ev)) return p;
  const empty = k.byFirst.get('');
  if (empty !== undefined) for (const p of empty) if (holds(p, ev)) return p;
  for (const g of k.globs) if (g.re.test(value) && holds(g, ev)) return g;
  return undefined;
}

export function buildClassifier(sources: CompiledSource[], assignments: MappingAssignment[]): Classifier {
  const ordered = [...sources].sort((a, b) => a.priority - b.priority || a.product.localeCompare(b.product));
  const byId = new Map(sources.map((s) => [s.product, s]));
  const program = keyed();
  const msgid = keyed();
  const hostname = keyed();
  const sdid = keyed();
  const cef = new Map<string, Hit[]>();
  const leef = new Map<string, Hit[]>();
  const patterns: Array<{ kind: 'message' | 'raw'; re: RegExp; pooled: boolean; source: CompiledSource; by: string }> = [];
  for (const s of ordered) {
    for (const m of s.match) add(s, m);
  }
  for (const k of [program, msgid, hostname, sdid]) finishKeyed(k);

  function add(s: CompiledSource, m: MatchSpec): void {
    switch (m.kind) {
      case 'program': addGlob(program, m.glob, s, `program ${m.glob}`, m.refine); break;
      case 'msgid': addGlob(msgid, m.glob, s, `msgid ${m.glob}`, m.refine); break;
      case 'hostname': addGlob(hostname, m.glob, s, `hostname ${m.glob}`, m.refine); break;
      case 'sdid': addGlob(sdid, m.glob, s, `sdid ${m.glob}`, m.refine); break;
      case 'cef':
      case 'leef': {
        const map = m.kind === 'cef' ? cef : leef;
        const key = `${(m.vendor ?? '*').toLowerCase()}|${(m.product ?? '*').toLowerCase()}`;
        const list = map.get(key) ?? [];
        const by = `${m.kind} ${m.vendor ?? '*'}|${m.product ?? '*'}`;
        list.push({ source: s, by: m.refine === undefined ? by : `${by} and ${m.refine.kind} /${m.refine.re.source}/`, refine: m.refine });
        map.set(key, list);
        break;
      }
      default: patterns.push({ kind: m.kind, re: m.re, pooled: poolable(m.re), source: s, by: `${m.kind} /${m.re.source}/` });
    }
  }

  // Most messages match none of the patterns (a Linux host's own lines, any application), and
  // trying ~130 regexes one by one cost them ~3 us each. The anchored ones of each kind are also
  // joined into one `^(?:a|b|…)`: one test says whether any of them can match, and only then
  // are they tried in priority order, as before.
  const anyMessage = joined(patterns.filter((m) => m.kind === 'message' && m.pooled).map((m) => m.re));
  const anyRaw = joined(patterns.filter((m) => m.kind === 'raw' && m.pooled).map((m) => m.re));
  const unpooled = patterns.filter((m) => !m.pooled); // in priority order, as patterns

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
  const hasSdid = sdid.exact.size > 0 || sdid.prefixes.length > 0 || sdid.globs.length > 0;
  const assigned = byInput.size > 0 || byAddress.length > 0 || byHost.length > 0;

  function cefLike(map: Map<string, Hit[]>, vendor: string, product: string, ev: MapInput): Hit | undefined {
    if (map.size === 0) return undefined;
    const v = vendor.toLowerCase();
    for (const key of [`${v}|${product.toLowerCase()}`, `${v}|*`, '*|*']) {
      const list = map.get(key);
      if (list !== undefined) for (const h of list) if (holds(h, ev)) return h;
    }
    return undefined;
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
      const c = cefLike(cef, p.cef.deviceVendor, p.cef.deviceProduct, ev);
      if (c !== undefined) return c;
    }
    if (p.leef !== undefined) {
      const l = cefLike(leef, p.leef.vendor, p.leef.product, ev);
      if (l !== undefined) return l;
    }
    const r = lookup(program, p.appname, ev) ?? lookup(msgid, p.msgid, ev) ?? lookup(hostname, p.hostname, ev) ??
      (p.sdText !== undefined && hasSdid ? sdLookup(sdid, p.sdText, ev) : undefined);
    if (r !== undefined) return r;
    if (patterns.length === 0) return undefined;
    const message = anyMessage === undefined || anyMessage.test(p.message);
    const raw = anyRaw === undefined || anyRaw.test(ev.raw);
    // the common case, no joined pattern can match: only the few that are not joined are left
    // (walking all ~130 entries to skip them was a quarter of classifying such a message)
    if (!message && !raw) {
      for (const m of unpooled) if (m.re.test(m.kind === 'message' ? p.message : ev.raw)) return m;
      return undefined;
    }
    for (const m of patterns) {
      if (m.pooled && !(m.kind === 'message' ? message : raw)) continue;
      if (m.re.test(m.kind === 'message' ? p.message : ev.raw)) return m;
    }
    return undefined;
  };
}

/** The SD-IDs of RFC 5424 structured data (`[id k="v"][id2 ...]`), each looked up in turn. */
function sdLookup(k: Keyed, sd: string, ev: MapInput): Hit | undefined {
  let i = 0;
  while (i < sd.length && sd.charCodeAt(i) === 91 /* [ */) {
    let e = i + 1;
    while (e < sd.length) {
      const c = sd.charCodeAt(e);
      if (c === 32 || c === 93) break;
      e++;
    }
    const hit = lookup(k, sd.slice(i + 1, e), ev);
    if (hit !== undefined) return hit;
    // skip to the end of this element: a `]` not escaped inside a quoted value
    let inQuote = false;
    for (; e < sd.length; e++) {
      const c = sd.charCodeAt(e);
      if (c === 92) { e++; continue; }
      if (c === 34) inQuote = !inQuote;
      else if (c === 93 && !inQuote) break;
    }
    i = e + 1;
  }
  return undefined;
}

/**
 * Whether a pattern can join the others in one `^(?:…|…)`: anchored as a whole (a leading `^` and
 * no `|` outside groups), no flags, no back-references (their numbers would change).
 */
export function poolable(re: RegExp): boolean {
  const src = re.source;
  if (re.flags !== '' || !src.startsWith('^') || /\\[1-9k]/.test(src)) return false;
  let depth = 0;
  let inClass = false;
  for (let i = 1; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return false;
  }
  return true;
}

/** One anchored regex that matches where any of `list` (poolable) does; undefined for none. */
export function joined(list: RegExp[]): RegExp | undefined {
  if (list.length === 0) return undefined;
  // group names become plain groups: two patterns may use the same name
  const body = list.map((re) => `(?:${re.source.slice(1).replace(/\(\?<(?![=!])[^>]*>/g, '(?:')})`).join('|');
  return new RegExp(`^(?:${body})`);
}
