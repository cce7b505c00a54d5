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
  const patterns: Array<{ kind: 'message' | 'raw'; re: RegExp; literal: string | undefined; source: CompiledSource; by: string }> = [];
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
      default: patterns.push({ kind: m.kind, re: m.re, literal: requiredLiteral(m.re), source: s, by: `${m.kind} /${m.re.source}/` });
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
    for (const m of patterns) {
      const text = m.kind === 'message' ? p.message : ev.raw;
      // a text without the pattern's literal part cannot match: one native search, no regex run
      if (m.literal !== undefined && !text.includes(m.literal)) continue;
      if (m.re.test(text)) return m;
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
 * The longest run of literal text every match must contain (outside groups, classes and
 * quantified atoms; none when the pattern has a top-level alternative), or undefined when it is
 * shorter than 3 characters. A cheap includes() before the regex.
 */
export function requiredLiteral(re: RegExp): string | undefined {
  if (re.flags.includes('i')) return undefined;
  const src = re.source;
  let depth = 0;
  let inClass = false;
  let run = '';
  let best = '';
  const endRun = () => { if (run.length > best.length) best = run; run = ''; };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inClass) { if (c === '\\') i++; else if (c === ']') inClass = false; continue; }
    let lit: string | undefined;
    let next = i + 1;
    if (c === '\\') {
      const e = src[i + 1];
      next = i + 2;
      if (e !== undefined && /[.*+?^${}()|[\]\\/\-]/.test(e)) lit = e;
      else {
        // \d \S \b ..., and escapes with a payload: \uXXXX \u{..} \xXX \cX \k<name> \p{..} \1
        if (depth === 0) endRun();
        let j = i + 2;
        if (e === 'u') j = src[j] === '{' ? src.indexOf('}', j) + 1 : j + 4;
        else if (e === 'x') j += 2;
        else if (e === 'c') j += 1;
        else if (e === 'k') j = src.indexOf('>', j) + 1;
        else if (e === 'p' || e === 'P') j = src.indexOf('}', j) + 1;
        else if (e !== undefined && e >= '0' && e <= '9') while (j < src.length && src[j] >= '0' && src[j] <= '9') j++;
        i = j - 1;
        continue;
      }
    } else if (c === '[') { inClass = true; if (depth === 0) endRun(); continue; }
    else if (c === '(') { depth++; if (depth === 1) endRun(); continue; }
    else if (c === ')') { depth--; continue; }
    else if (c === '|') { if (depth === 0) return undefined; continue; }
    else if (c === '{') { if (depth === 0) endRun(); const close = src.indexOf('}', i); if (close > i) i = close; continue; }
    else if ('.^$*+?}'.includes(c)) { if (depth === 0) endRun(); continue; }
    else lit = c;
    if (depth > 0) { i = next - 1; continue; }
    const q = src[next];
    if (q === '*' || q === '?' || (q === '{' && /^\{0[,}]/.test(src.slice(next)))) { endRun(); i = next - 1; continue; }
    if (q === '+' || q === '{') { run += lit; endRun(); i = next - 1; continue; }
    run += lit;
    i = next - 1;
  }
  endRun();
  return best.length >= 3 ? best : undefined;
}
