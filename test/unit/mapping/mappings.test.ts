import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { duplicateKeys } from '../../helpers/duplicate-keys';
import { createMapper, describeFailure, runExamples } from '../../../src/mapping';
import { batchContext, processOne } from '../../../src/pipeline';

function userDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-map-'));
  mkdirSync(join(dir, 'sources'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'sources', name), text);
  return dir;
}

function loadError(files: Record<string, string>): string {
  try {
    createMapper({ dirs: [userDir(files)], withoutShipped: true });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the mappings to be refused');
}

const MINIMAL = `product: acme_fw
vendor: Acme
name: fw
sourcetype: acme:fw
match:
  - program: acmefw
rules:
  - name: deny
    steps:
      - dissect: 'DENY %{source.ip}:%{source.port} -> %{destination.ip}:%{destination.port} %{_rest}'
    set: { event.action: deny, event.outcome: failure, event.category: network }
examples:
  - raw: '<134>Jan 15 12:34:56 fw1 acmefw: DENY 10.0.0.1:1234 -> 192.0.2.9:443 tcp'
    rule: deny
    sourcetype: acme:fw
    fields: { source.ip: 10.0.0.1, source.port: 1234, event.category: [network], related.ip: [10.0.0.1, 192.0.2.9] }
`;

describe('shipped mappings', () => {
  const mapper = createMapper();
  it('loads at least one product per shipped file, each with examples', () => {
    expect(mapper.sources.length).toBeGreaterThan(0);
    for (const s of mapper.sources) expect(mapper.examples.some((e) => e.file === s.file)).toBe(true);
  });
  it('every example gives the fields, rule and sourcetype it lists', () => {
    const failures = runExamples(mapper);
    expect(failures.map(describeFailure)).toEqual([]);
  });
});

describe('mapping files', () => {
  it('a user mapping is compiled, recognised, and its example passes', () => {
    const mapper = createMapper({ dirs: [userDir({ 'acme.yaml': MINIMAL })], withoutShipped: true });
    expect(mapper.sources.map((s) => s.product)).toEqual(['acme_fw']);
    expect(runExamples(mapper)).toEqual([]);
  });

  it('an example that does not hold is reported with the field, what was expected and what came', () => {
    const mapper = createMapper({ dirs: [userDir({ 'acme.yaml': MINIMAL.replace('source.port: 1234', 'source.port: 999') })], withoutShipped: true });
    const failures = runExamples(mapper);
    expect(failures).toHaveLength(1);
    expect(describeFailure(failures[0])).toMatch(/acme\.yaml:13: example .*\n\s+source\.port: expected 999, got 1234/);
  });

  it('a user file replaces the shipped product with the same id', () => {
    const shipped = createMapper().sources.find((s) => s.product === 'cisco_asa')!;
    const mine = MINIMAL.replace('product: acme_fw', 'product: cisco_asa');
    const mapper = createMapper({ dirs: [userDir({ 'asa.yaml': mine })] });
    const asa = mapper.sources.find((s) => s.product === 'cisco_asa')!;
    expect(asa.replaces).toBe(shipped.file);
    expect(asa.vendor).toBe('Acme');
  });

  it('broken YAML names file and line', () => {
    expect(loadError({ 'bad.yaml': 'product: x\nmatch: [\n' })).toMatch(/bad\.yaml:\d+: not valid YAML/);
    expect(loadError({ 'dup.yaml': 'product: x\nvendor: v\nproduct: y\n' })).toMatch(/dup\.yaml:3: not valid YAML: Map keys must be unique/);
  });

  it('a bad regex, an unknown step and an unknown converter each name their line and key', () => {
    const text = MINIMAL
      .replace("      - dissect: 'DENY", "      - regex: '(?<source.ip>[0-9'\n      - frobnicate: 1\n      - dissect: 'DENY")
      .replace('set: { event.action: deny', 'convert: { source.port: number }\n    set: { event.action: deny');
    const msg = loadError({ 'acme.yaml': text });
    expect(msg).toMatch(/acme\.yaml:10: rules\[0\]\.steps\[0\]\.regex: not a valid regular expression/);
    expect(msg).toMatch(/acme\.yaml:11: rules\[0\]\.steps\[1\]\.frobnicate: unknown key/);
    expect(msg).toMatch(/acme\.yaml:13: rules\[0\]\.convert\.source\.port: unknown converter "number"/);
  });

  it('event.id is the gateway\'s (the Elasticsearch _id): a mapping that sets it is refused, saying why', () => {
    expect(loadError({ 'acme.yaml': MINIMAL.replace('set: { event.action: deny', 'set: { event.id: x, event.action: deny') }))
      .toMatch(/acme\.yaml:1: event\.id is the gateway's own \(the Elasticsearch _id/);
  });

  it('structured data with dots in the SD-ID, and when on a list field', () => {
    const text = `product: sd_test
vendor: V
name: n
match: [{ program: sdtest }]
set: { event.category: [network, session] }
steps:
  - set: { source.ip: '{{sd.junos@2636.1.1.1.2.129.source-address}}' }
rules:
  - name: net
    when: { event.category: session }
    set: { event.action: seen }
examples:
  - raw: '<14>1 2024-01-15T12:34:56Z h sdtest - RT_FLOW [junos@2636.1.1.1.2.129 source-address="10.1.2.3"] x'
    rule: net
    fields: { source.ip: 10.1.2.3, event.action: seen }
`;
    const mapper = createMapper({ dirs: [userDir({ 'sd.yaml': text })], withoutShipped: true });
    expect(runExamples(mapper).map(describeFailure)).toEqual([]);
  });

  it('a file without examples is refused', () => {
    expect(loadError({ 'acme.yaml': MINIMAL.slice(0, MINIMAL.indexOf('examples:')) })).toMatch(/acme\.yaml:\d+: examples: every mapping carries examples/);
  });

  it('an invalid IP is left out and the event says why (Elasticsearch would reject the document)', () => {
    const mapper = createMapper({ dirs: [userDir({ 'acme.yaml': MINIMAL })], withoutShipped: true });
    const now = Date.now();
    const r = processOne('<134>Jan 15 12:34:56 fw1 acmefw: DENY 10.0.0.300:12 -> 192.0.2.9:443 tcp', 0,
      { input: 'x', transport: 'tcp', ip: '', port: 0 }, undefined, batchContext(now), { timezone: 'UTC', now }, mapper);
    const doc = JSON.parse(r.line);
    expect(doc.source.ip).toBeUndefined();
    expect(doc.source.port).toBe(12);
    expect(doc.tags).toContain('mapping_warning');
    expect(doc.siemgate.mapping_warnings).toEqual(['source.ip: "10.0.0.300" is not an IP address']);
  });

  it('an assignment by input recognises messages no pattern would', () => {
    const mapper = createMapper({ dirs: [userDir({ 'acme.yaml': MINIMAL })], withoutShipped: true, assign: [{ product: 'acme_fw', inputs: ['acme'], sources: [], hosts: [] }] });
    const now = Date.now();
    const line = '<134>Jan 15 12:34:56 fw1 other: DENY 10.0.0.1:1 -> 192.0.2.9:2 x';
    const as = (input: string) => processOne(line, 0, { input, transport: 'udp', ip: '192.0.2.1', port: 514 }, undefined, batchContext(now), { timezone: 'UTC', now }, mapper);
    expect(as('acme').mapped?.product).toBe('acme_fw');
    expect(as('other').mapped).toBeUndefined();
  });
});

describe('the spliced document (byte writer + mapped fields) equals the object path', () => {
  const { toEcs } = require('../../../src/pipeline/ecs') as typeof import('../../../src/pipeline/ecs');
  const { mergeMapped } = require('../../../src/pipeline/mapped-doc') as typeof import('../../../src/pipeline/mapped-doc');
  const { parseMessage } = require('../../../src/parse') as typeof import('../../../src/parse');
  const mapper = createMapper();
  const now = Date.UTC(2024, 5, 1);
  const peer = { input: 'fw', transport: 'udp' as const, ip: '192.0.2.1', port: 514 };
  const lines = [...mapper.examples.map((e) => e.raw), '<13>1 2024-05-01T00:00:00Z h app - - - plain, not mapped'];
  it.each(lines)('%s', (raw) => {
    const r = processOne(raw, 0, peer, undefined, batchContext(now), { timezone: 'UTC', now }, mapper);
    const spliced = JSON.parse(r.line);
    const expected = toEcs(parseMessage(raw, { timezone: 'UTC', now }), { id: spliced.event.id, receivedAt: now, peer, raw, truncated: false });
    if (r.mapped) mergeMapped(expected, r.mapped);
    expect(spliced).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(duplicateKeys(r.line)).toEqual([]);
    expect(r.line.match(/"kind":/g)).toHaveLength(1);
  });
});

describe('every corpus line: the spliced document equals the object path, without a key twice', () => {
  const { toEcs } = require('../../../src/pipeline/ecs') as typeof import('../../../src/pipeline/ecs');
  const { mergeMapped } = require('../../../src/pipeline/mapped-doc') as typeof import('../../../src/pipeline/mapped-doc');
  const { parseMessage } = require('../../../src/parse') as typeof import('../../../src/parse');
  const { readdirSync, readFileSync, statSync } = require('node:fs') as typeof import('node:fs');
  it('over ../shared/corpus (FortiGate log.level, CEF observer.*, IOS @timestamp: patched into the writer\'s members)', () => {
    const corpus = join(__dirname, '../../../../shared/corpus');
    const mapper = createMapper();
    const now = Date.UTC(2024, 5, 1);
    const peer = { input: 'fw', transport: 'udp' as const, ip: '192.0.2.1', port: 514 };
    const bad: string[] = [];
    let lines = 0;
    for (const d of readdirSync(corpus)) {
      const dir = join(corpus, d);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
        for (const raw of readFileSync(join(dir, f), 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter(Boolean)) {
          lines++;
          const r = processOne(raw, 0, peer, undefined, batchContext(now), { timezone: 'UTC', now }, mapper);
          const spliced = JSON.parse(r.line);
          const expected = toEcs(parseMessage(raw, { timezone: 'UTC', now }), { id: spliced.event.id, receivedAt: now, peer, raw, truncated: false });
          if (r.mapped) mergeMapped(expected, r.mapped);
          const dups = duplicateKeys(r.line);
          if (dups.length > 0 || !isDeepStrictEqual(spliced, JSON.parse(JSON.stringify(expected)))) bad.push(`${d}/${f}: ${raw.slice(0, 100)} ${dups.join(',')}`);
        }
      }
    }
    expect(lines).toBeGreaterThan(1000);
    expect(bad).toEqual([]);
  });
});

describe('any mapped field set, spliced into any kind of document, equals the object path (fast-check)', () => {
  const { toEcs } = require('../../../src/pipeline/ecs') as typeof import('../../../src/pipeline/ecs');
  const { mergeMapped } = require('../../../src/pipeline/mapped-doc') as typeof import('../../../src/pipeline/mapped-doc');
  const { parseMessage } = require('../../../src/parse') as typeof import('../../../src/parse');
  const now = Date.UTC(2024, 5, 1);
  const peer = { input: 'fw', transport: 'udp' as const, ip: '192.0.2.1', port: 514 };
  // one line per writer shape: CEF and LEEF (observer, event.code/severity), RFC 5424 with SD,
  // 3164 with a pid, kv (the generic object), JSON, no header at all, and a tagged unknown
  const lines = [
    '<134>Feb  1 10:00:00 gw1 CEF:0|Acme|FW|1.0|100|Blocked|7|src=10.0.0.1 dst=10.0.0.2 act=drop',
    '<134>1 2024-02-01T10:00:00Z gw1 app - - - LEEF:2.0|Acme|IDS|2.1|42|^|src=10.0.0.1^dst=10.0.0.2',
    '<165>1 2024-02-01T10:00:00.123+01:00 host1 app 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App"] hello "there"',
    '<13>Feb  1 10:00:00 host2 sshd[42]: Accepted password for bob from 10.0.0.9 port 22 ssh2',
    '<13>Feb  1 10:00:00 fw3 date=2024-02-01 devname="FG 1" srcip=10.0.0.1 action=deny',
    '<13>Feb  1 10:00:00 app1 {"a":1,"b":{"c":"d"}}',
    'no header, just text with é and a "quote"',
    '',
  ];
  // field names over every top the writer may own, at several depths, and some it never writes
  const name = fc.constantFrom(
    '@timestamp', 'message', 'log.level', 'log.logger', 'log.syslog.appname', 'log.syslog.facility.name', 'log.origin.file.name',
    'host.hostname', 'host.name', 'host.os.full', 'host.ip', 'process.pid', 'process.name', 'process.parent.pid',
    'observer.type', 'observer.vendor', 'observer.product', 'observer.ingress.zone', 'event.code', 'event.severity',
    'event.action', 'event.kind', 'event.outcome', 'error.message', 'labels.env', 'tags', 'kv.extra', 'json.extra',
    'cef.name', 'ecs.version', 'source.ip', 'destination.port', 'network.transport', 'user.name', 'related.ip',
  );
  const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }));
  it('the same document, no key twice', () => {
    fc.assert(fc.property(fc.constantFrom(...lines), fc.uniqueArray(name, { minLength: 1, maxLength: 10 }), fc.infiniteStream(value), fc.boolean(), (raw, names, vals, keep) => {
      // a path and a path under it (tags and tags.x) is not a key set a mapping makes (its fields are ECS leaves)
      if (names.some((a) => names.some((b) => b.startsWith(`${a}.`)))) return;
      const values = names.map(() => vals.next().value as unknown);
      const m = {
        product: 'acme_fw', vendor: 'Acme', name: 'FW', file: 'x.yaml', matchedBy: 'test', rule: 'r', dataset: 'acme.log',
        streamDataset: 'siemgate.acme_fw', keepParsedFields: keep, names, values, ruleKey: {},
      };
      const mapper = { map: () => m, sources: [], examples: [], prepared: [] };
      const r = processOne(raw, 0, peer, undefined, batchContext(now), { timezone: 'UTC', now }, mapper);
      const spliced = JSON.parse(r.line);
      const expected = toEcs(parseMessage(raw, { timezone: 'UTC', now }), { id: spliced.event.id, receivedAt: now, peer, raw, truncated: false });
      mergeMapped(expected, m);
      expect(spliced).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(duplicateKeys(r.line)).toEqual([]);
    }), { numRuns: 3000 });
  });
});

describe('a rule\'s repeating values rendered once into its plan (baked-parts.ts): the document is the object path\'s, before, while and after they change', () => {
  const { toEcs } = require('../../../src/pipeline/ecs') as typeof import('../../../src/pipeline/ecs');
  const { mergeMapped } = require('../../../src/pipeline/mapped-doc') as typeof import('../../../src/pipeline/mapped-doc');
  const { parseMessage } = require('../../../src/parse') as typeof import('../../../src/parse');
  const now = Date.UTC(2024, 5, 1);
  const peer = { input: 'fw', transport: 'udp' as const, ip: '192.0.2.1', port: 514 };
  const names = ['event.action', 'event.category', 'observer.vendor', 'observer.ingress.interface.name', 'source.ip', 'source.port', 'network.transport', 'log.level', 'observer.type'];
  it('300 events of one rule: constants, a constant that changes now and then, and one that changes for good', () => {
    const ruleKey = {};
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 255 })), { minLength: 300, maxLength: 300 }), (draws) => {
      draws.forEach(([dice, n], i) => {
        const values: unknown[] = [
          'flow-creation', ['network', 'session'], 'Cisco',
          dice === 0 ? `if-${n}` : 'inside', // mostly the same, sometimes not
          `10.0.0.${n}`, 1024 + n,
          i < 150 ? 'tcp' : 'udp', // changes for good half way
          'informational', dice === 1 ? 'switch' : 'firewall',
        ];
        const raw = `<166>1 2024-05-14T12:34:00Z fw01 asa - - - event ${i}`;
        const m = { product: 'cisco_asa', vendor: 'Cisco', name: 'asa', file: 'x.yaml', matchedBy: 'test', rule: 'r', dataset: 'cisco_asa.log',
          streamDataset: 'siemgate.cisco_asa', keepParsedFields: false, names, values, ruleKey };
        const mapper = { map: () => m, sources: [], examples: [], prepared: [] };
        const r = processOne(raw, 0, peer, undefined, batchContext(now), { timezone: 'UTC', now }, mapper);
        const spliced = JSON.parse(r.line);
        const expected = toEcs(parseMessage(raw, { timezone: 'UTC', now }), { id: spliced.event.id, receivedAt: now, peer, raw, truncated: false });
        mergeMapped(expected, m);
        expect([i, spliced]).toEqual([i, JSON.parse(JSON.stringify(expected))]);
        expect(duplicateKeys(r.line)).toEqual([]);
      });
    }), { numRuns: 5 });
  });
});

describe('duplicateKeys (the test helper) finds a key twice at any depth', () => {
  it('reports each, with its path; none in a clean document', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":"x\\"}","c":2},"l":[{"k":1,"k":2}],"a":3}')).toEqual(['b.c', 'l.[].k', 'a']);
    expect(duplicateKeys('{"a":{"b":1},"b":{"a":1},"s":"\\"a\\":1"}')).toEqual([]);
  });
});

describe('the joined anchored patterns say "none" only when none of them matches', () => {
  const { joined, poolable } = require('../../../src/mapping/classify') as typeof import('../../../src/mapping/classify');
  const { loadSources, shippedMappingsDir } = require('../../../src/mapping/load') as typeof import('../../../src/mapping/load');
  const { parseMessage } = require('../../../src/parse') as typeof import('../../../src/parse');
  const { readdirSync, readFileSync, statSync } = require('node:fs') as typeof import('node:fs');
  const corpus = join(__dirname, '../../../../shared/corpus');
  it('over every corpus line and every shipped pattern, on the raw line and on the parsed message', () => {
    const lines: string[] = [];
    for (const d of readdirSync(corpus)) {
      const dir = join(corpus, d);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) lines.push(...readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    }
    const specs = loadSources([shippedMappingsDir()]).sources.flatMap((s) => s.match).filter((m) => m.kind === 'message' || m.kind === 'raw') as Array<{ kind: string; re: RegExp }>;
    let matched = 0;
    for (const kind of ['message', 'raw']) {
      const list = specs.filter((m) => m.kind === kind && poolable(m.re)).map((m) => m.re);
      expect(list.length).toBeGreaterThan(kind === 'raw' ? 30 : 80);
      const any = joined(list)!;
      for (const l of lines) {
        const text = kind === 'raw' ? l : parseMessage(l, { timezone: 'UTC', now: Date.parse('2026-01-01T00:00:00Z') }).message;
        const one = list.some((re) => re.test(text));
        if (one) matched++;
        expect([l, any.test(text)]).toEqual([l, one]);
      }
    }
    expect(matched).toBeGreaterThan(100); // the corpus does exercise the patterns
  });
  it.each([
    [/^abc/, true], [/^(?:a|b)c/, true], [/^[|]x/, true], [/^a\|b/, true], [/^(?<ip>\d+)/, true],
    [/^a|b/, false], [/abc/, false], [/^abc/i, false], [/^(a)\1/, false], [/^(?<x>a)\k<x>/, false],
  ])('%s poolable: %s', (re, want) => {
    expect(poolable(re as RegExp)).toBe(want);
  });
  it('joins anchored patterns, named groups (even the same name twice) included', () => {
    const any = joined([/^(?<n>a)b/, /^(?<n>c)d/, /^x(?<=x)y/])!;
    expect(['ab', 'cd', 'xy'].map((t) => any.test(t))).toEqual([true, true, true]);
    expect(['ba', 'zab', 'x'].map((t) => any.test(t))).toEqual([false, false, false]);
    expect(joined([])).toBeUndefined();
  });
});

describe('spliceMapped', () => {
  const jo = require('../../../src/pipeline/json-out') as typeof import('../../../src/pipeline/json-out');
  const md = require('../../../src/pipeline/mapped-doc') as typeof import('../../../src/pipeline/mapped-doc');
  const { parseMessage } = require('../../../src/parse') as typeof import('../../../src/parse');
  it('ignores stale bytes past the document it splices into (an earlier document\'s, in a reused buffer)', () => {
    const mapper = createMapper();
    const raw = '<166>Jan 01 2024 12:00:01 fw01 : %ASA-6-302014: Teardown TCP connection 7 for outside:203.0.113.7/443 to inside:10.1.1.5/51000 duration 0:00:05 bytes 4242 TCP FINs';
    const now = Date.UTC(2024, 5, 1);
    const m = mapper.map({ parsed: parseMessage(raw, { timezone: 'UTC', now }), raw, input: 'x', peerIp: '', timezone: 'UTC', now })!;
    const doc = '{"@timestamp":"2024-01-01T12:00:01.000Z","event":{"original":"x","kind":"event"},"siemgate":{"input":"x","format":"rfc3164"},"ecs":{"version":"8.17.0"}}';
    jo.startOutput(4096);
    jo.putRawJson(doc);
    const end = jo.outputOffset();
    const b = jo.reserve(64);
    b.write(',"siemgate":{"input":"stale"', end); // written past the end, not committed
    const plan = md.spliceable(m, parseMessage(raw, { timezone: 'UTC', now }))!;
    md.spliceMapped(0, m, plan);
    const out = JSON.parse(jo.finishOutput().toString('utf8'));
    expect(out.siemgate).toEqual({ product: 'cisco_asa', rule: 'connection-teardown', input: 'x', format: 'rfc3164' });
    expect(out.source).toEqual({ ip: '203.0.113.7', port: 443 });
  });

  it('writes each mapped value byte for byte as JSON.stringify does (integers without a string per number)', () => {
    const value = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat(), fc.double(), fc.constant(-0), fc.string({ unit: 'binary' }), fc.boolean());
    fc.assert(fc.property(fc.oneof(value, fc.array(value, { maxLength: 4 })), (v) => {
      const jo = require('../../../src/pipeline/json-out') as typeof import('../../../src/pipeline/json-out');
      const b = Buffer.alloc(jo.valueRoom(v));
      expect(b.subarray(0, jo.valueAt(b, 0, v)).toString('utf8')).toBe(JSON.stringify(v));
    }), { numRuns: 2000 });
  });
});

describe('the parser\'s kv / json object in mapped documents', () => {
  const mapper = createMapper();
  const now = Date.UTC(2024, 5, 1);
  const doc = (raw: string) => JSON.parse(processOne(raw, 0, { input: 'x', transport: 'udp', ip: '192.0.2.1', port: 514 }, undefined, batchContext(now), { timezone: 'UTC', now }, mapper).line);
  it('is left out when a mapping took the payload (FortiGate), kept when none did, kept with keep_parsed_fields (Suricata)', () => {
    const fgt = doc('<189>date=2024-01-15 time=12:34:56 devname="FG" devid="FGT60" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.1.1.1 srcport=5555 dstip=8.8.8.8 dstport=53 proto=17 action="accept" policyid=1');
    expect([fgt.siemgate.product, fgt.kv, fgt.source.ip]).toEqual(['fortinet_fortigate', undefined, '10.1.1.1']);
    expect(fgt.event.original).toContain('policyid=1');
    const plain = doc('<13>1 2024-01-15T12:34:56Z h someapp - - - alpha=1 beta=2');
    expect([plain.siemgate.product, plain.kv]).toEqual([undefined, { alpha: '1', beta: '2' }]);
    const eve = doc('{"timestamp":"2024-01-15T12:34:56.123456+0000","event_type":"alert","src_ip":"10.0.0.1","src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","alert":{"signature_id":1,"signature":"x","severity":2}}');
    expect(eve.siemgate.product).toBe('suricata');
    expect(eve.json.event_type).toBe('alert');
  });
});
