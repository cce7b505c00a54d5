/**
 * The other two commands, run as a user runs them (node bin/siemgate.js ...):
 * `siemgate check -c FILE` (exit 0 / 1, every problem named with its line and key) and
 * `siemgate parse` (exactly one JSON object per input line, whatever the line).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc } from '../helpers/procs';

jest.setTimeout(30000);

const dir = makeTempDir('sg-cli-');
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const siemgate = (args: string[], input?: string) => runProc(process.execPath, [BIN, ...args], { input, cwd: dir, timeoutMs: 20000 });

afterAll(() => cleanUp());

describe('siemgate check -c', () => {
  test('a good file: exit 0 and a summary of inputs and destinations', async () => {
    const good = file('good.yaml', `data_dir: ./data
inputs:
  - { name: udp, type: syslog_udp, address: "127.0.0.1:5514", receive_buffer_bytes: 8MiB, timezone: Europe/Berlin }
  - { name: tcp, type: syslog_tcp, address: "0.0.0.0:5514", framing: auto, max_message_bytes: 64KiB, oversize: truncate }
  - { name: http, type: http, address: "0.0.0.0:8088", tokens: [{ name: apps, secret: "\${IT_HTTP_TOKEN}" }], max_body_bytes: 1MiB }
destinations:
  - { name: archive, type: file, path: ./data/events.ndjson }
pipeline:
  workers: 1
`);
    const r = await runProc(process.execPath, [BIN, 'check', '-c', good], { cwd: dir, env: { ...process.env, IT_HTTP_TOKEN: 'x' } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/good\.yaml: valid \(3 input\(s\): udp\/syslog_udp@127\.0\.0\.1:5514, tcp\/syslog_tcp@0\.0\.0\.0:5514, http\/http@0\.0\.0\.0:8088; 1 destination\(s\): archive\/file\)\n/);
    expect(r.stdout).toMatch(/\n\S*good\.yaml: OK\n$/); // the verdict comes last
  });

  test('a bad file: exit 1, and stderr names each problem with its line and key', async () => {
    const bad = file('bad.yaml', `data_dir: ./data
inputs:
  - name: udp
    type: syslog_udp
    adress: "127.0.0.1:5514"
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:5514", framing: lines }
destinations:
  - { name: out, type: file, path: ./out.ndjson }
`);
    const r = await siemgate(['check', '-c', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/line 5: inputs\[0\]\.adress: unknown key; expected one of: .*address/);
    expect(r.stderr).toMatch(/line 3: inputs\[0\]: missing required key address/);
    expect(r.stderr).toMatch(/line 6: inputs\[1\]\.framing: must be one of: auto, lf, octet/);
    expect(r.stderr).toMatch(/\[SG_CONFIG_INVALID\]/);
  });

  test('buffer, audit and report without -c where there is no ./data: they say where they looked (exit 2), not an empty answer', async () => {
    const empty = makeTempDir('sg-cli-nodata-');
    for (const cmd of [['buffer', 'status'], ['audit', 'verify'], ['report', '--kind', 'health']]) {
      const r = await runProc(process.execPath, [BIN, ...cmd], { cwd: empty, timeoutMs: 20000 });
      expect([cmd, r.code, r.stdout]).toEqual([cmd, 2, '']);
      expect(r.stderr).toMatch(/no data_dir here \(.*data, the embedded default's\); give the gateway's config with -c FILE/);
    }
  });

  test('--version, and --help after any command: the usage on stdout, exit 0', async () => {
    const v = await siemgate(['--version']);
    expect([v.code, v.stdout]).toEqual([0, expect.stringMatching(/^siemgate \d+\.\d+\.\d+ \(Node\.js v\d+/)]);
    for (const cmd of [['run', '--help'], ['check', '-h'], ['parse', '--help'], ['buffer', 'status', '--help']]) {
      const r = await siemgate(cmd);
      expect([cmd, r.code, r.stderr]).toEqual([cmd, 0, '']);
      expect(r.stdout).toMatch(/^usage: siemgate <command>/);
    }
  });

  test('a file destination whose path is a directory: check says so and what to write instead (exit 1)', async () => {
    const mkdir = require('node:fs').mkdirSync;
    mkdir(join(dir, 'outdir'), { recursive: true });
    const cfg = file('dirdest.yaml', `data_dir: ./data
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:5514" }
destinations:
  - { name: out, type: file, path: ./outdir }
`);
    const r = await siemgate(['check', '-c', cfg]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/outdir is a directory; path must name the file to append to \(e\.g\. .*outdir\/events\.ndjson\)/);
  });

  test('an unset ${ENV}, broken YAML and a missing file: exit 1 with the file (and line) named', async () => {
    const env = file('env.yaml', `inputs:
  - { name: http, type: http, address: "0.0.0.0:8088", tokens: [{ name: a, secret: "\${IT_UNSET_TOKEN_VAR}" }] }
destinations:
  - { name: out, type: file, path: ./out.ndjson }
`);
    let r = await siemgate(['check', '-c', env]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/env\.yaml:2: environment variable IT_UNSET_TOKEN_VAR is not set/);
    const broken = file('broken.yaml', 'inputs:\n  - { name: a\n  type: x\n');
    r = await siemgate(['check', '-c', broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:\d+: not valid YAML/);
    r = await siemgate(['check', '-c', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read config .*nope\.yaml.*\[SG_CONFIG_READ\]/);
  });
});

describe('siemgate parse', () => {
  const lines = [
    '<34>1 2026-11-23T10:00:00.123Z fw01 sshd 4242 ID47 [ex@32473 k="v"] it-parse-0 Failed password for root',
    '<13>Nov 23 10:00:01 host01 app[77]: it-parse-1 an RFC 3164 line',
    '',
    'it-parse-3 garbage \u0001\u0002 ]]] {{{',
    '<13>1 2026-11-23T10:00:02Z h a - - - it-parse-4 CRLF line\r',
    'CEF:0|Vendor|Product|1.0|100|it-parse-5 name|5|src=192.0.2.1 dst=192.0.2.2',
    '{"message":"it-parse-6 json line","k":1}',
    '   ',
    'it-parse-8 last line without a newline',
  ];

  function checkOutput(stdout: string): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(stdout.endsWith('\n')).toBe(true);
    const out = stdout.slice(0, -1).split('\n');
    expect(out.length).toBe(lines.length);
    return out.map((l, i) => {
      const v = JSON.parse(l);
      expect([i, typeof v, Array.isArray(v)]).toEqual([i, 'object', false]);
      return v;
    });
  }

  function checkDocs(docs: Array<Record<string, any>>): void { // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(docs[0].siemgate.format).toBe('rfc5424');
    expect(docs[0].message).toBe('it-parse-0 Failed password for root');
    expect(docs[0].log.syslog).toEqual(expect.objectContaining({ appname: 'sshd', procid: '4242', msgid: 'ID47', hostname: 'fw01' }));
    expect(docs[0].log.syslog.structured_data).toEqual({ 'ex@32473': { k: 'v' } });
    expect(docs[0]['@timestamp']).toBe('2026-11-23T10:00:00.123Z');
    expect(docs[1].siemgate.format).toBe('rfc3164');
    expect(docs[1].log.syslog).toEqual(expect.objectContaining({ appname: 'app', procid: '77', hostname: 'host01' }));
    expect(docs[1].message).toBe('it-parse-1 an RFC 3164 line');
    // the empty line and the garbage are still one document each, kept as they were
    expect(docs[2].message).toBe('');
    expect(docs[3].siemgate.format).toBe('unknown');
    expect(docs[3].tags).toContain('parse_error');
    expect(docs[3].event.original).toBe('it-parse-3 garbage \u0001\u0002 ]]] {{{');
    // CRLF: the CR is not part of the message
    expect(docs[4].message).toBe('it-parse-4 CRLF line');
    expect(docs[5].siemgate.format).toBe('cef');
    // a bare JSON line: its fields under `json`, the line itself as message
    expect(docs[6].siemgate.format).toBe('json');
    expect(docs[6].json).toEqual({ message: 'it-parse-6 json line', k: 1 });
    expect(docs[8].message).toBe('it-parse-8 last line without a newline');
    for (const d of docs) {
      // no network in `parse`: no sender as source; a mapped line's source is the one its text names
      if (d.siemgate.product === undefined) expect(d.source).toBeUndefined();
      else if (d.source !== undefined) expect(d.event.original).toContain(d.source.ip);
      expect(d.ecs.version).toBe('8.17.0');
    }
  }

  test('stdin: exactly one JSON object per input line (empty line, garbage, CRLF, no final LF)', async () => {
    const r = await siemgate(['parse'], lines.join('\n'));
    expect([r.code, r.stderr]).toEqual([0, '']);
    checkDocs(checkOutput(r.stdout));
  });

  test('--file: the same, from a file', async () => {
    const f = file('lines.txt', lines.join('\n'));
    const r = await siemgate(['parse', '--file', f]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    checkDocs(checkOutput(r.stdout));
  });

  test('3000 lines in, 3000 objects out, in order', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `<13>1 - h a - - - it-parse-many-${i}`);
    const r = await siemgate(['parse'], many.join('\n') + '\n');
    expect(r.code).toBe(0);
    const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).message);
    expect(out).toEqual(many.map((_, i) => `it-parse-many-${i}`));
  });

  const ASA = '<166>Jan 01 2024 12:00:01 fw01 : %ASA-6-302014: Teardown TCP connection 7 for outside:203.0.113.7/443 to inside:10.1.1.5/51000 duration 0:00:05 bytes 4242 TCP FINs';

  test('--explain: product, file, how it was recognised, the rule, what each step set, and the document', async () => {
    const r = await siemgate(['parse', '--explain'], `${ASA}\n<13>1 - h app - - - nothing known\n`);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [asa, plain] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(asa).toMatchObject({ product: 'cisco_asa', matched_by: 'program %ASA-*', rule: 'connection-teardown', sourcetype: 'cisco:asa' });
    expect(asa.file).toMatch(/mappings\/sources\/cisco_asa\.yaml$/);
    expect(asa.steps.find((s: { step: string }) => s.step === 'regex on _body').set).toMatchObject({ 'source.ip': '203.0.113.7', 'destination.port': '51000' });
    expect(asa.document.destination).toEqual({ ip: '10.1.1.5', port: 51000 });
    // the rules before the one that applied say why they did not
    const before = asa.steps.filter((s: { step: string }) => s.step.startsWith('rule '));
    expect(before.length).toBeGreaterThan(0);
    expect(before[0].step).toMatch(/^rule [\w-]+: (not tried, its when: does not hold|steps\[\d+\] \(\w+( on \S+)?\) did not match, so the rule does not apply)/);
    expect(plain.product).toBeNull();
    expect(plain.why).toMatch(/no mapping recognised/);
  });

  test('--as cef | splunk | sentinel: what each destination would receive', async () => {
    // %ASA-6- is informational: CEF severity 1 (Low), not 6 (Medium)
    const cef = await siemgate(['parse', '--as', 'cef'], ASA);
    expect(cef.stdout).toMatch(/^CEF:0\|Cisco\|asa\|1\|302014\|flow-expiration\|1\|rt=\d+ src=203\.0\.113\.7 spt=443 dst=10\.1\.1\.5 dpt=51000 .*act=flow-expiration outcome=success/);
    const hec = JSON.parse((await siemgate(['parse', '--as', 'splunk'], ASA)).stdout);
    expect(hec).toMatchObject({ sourcetype: 'cisco:asa', index: 'netfw', host: 'fw01', event: ASA });
    const row = JSON.parse((await siemgate(['parse', '--as', 'sentinel'], ASA)).stdout);
    expect(row.stream).toBe('Custom-SyslogStream');
    expect(row.row).toMatchObject({ Computer: 'fw01', Facility: 'local4', ProcessName: '%ASA-6-302014' });
    const bad = await siemgate(['parse', '--as', 'qradar'], ASA);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--as qradar: one of cef, sentinel, splunk/);
  });

  test('--check DIR: runs that directory\'s examples; a failing one names file, line, field, expected and got, exit 1', async () => {
    const d = makeTempDir('sg-maps-');
    require('node:fs').mkdirSync(join(d, 'sources'));
    writeFileSync(join(d, 'sources', 'acme.yaml'), `product: acme_fw
vendor: Acme
name: fw
match: [{ program: acmefw }]
steps:
  - dissect: 'DENY %{source.ip} %{destination.ip}'
examples:
  - raw: '<134>Jan 15 12:34:56 fw1 acmefw: DENY 10.0.0.1 192.0.2.9'
    fields: { source.ip: 10.0.0.1, destination.ip: 192.0.2.99 }
`);
    const r = await siemgate(['parse', '--check', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*acme\.yaml:8: example .*\n\s+destination\.ip: expected "192\.0\.2\.99", got "192\.0\.2\.9"/);
    expect(r.stdout).toMatch(/0 of 1 examples passed \(1 mapping file\)/);
    expect(r.stderr).toMatch(/\[SG_MAPPING_EXAMPLES\]/);
    const all = await siemgate(['parse', '--check']);
    expect([all.code, all.stdout]).toEqual([0, expect.stringMatching(/^(\d+) of \1 examples passed/m)]);
  });

  test('a missing --file: exit 1 and the file named', async () => {
    const r = await siemgate(['parse', '--file', join(dir, 'missing.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.txt.*\[SG_PARSE_INPUT\]/);
  });
});
