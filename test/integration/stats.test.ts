/**
 * The stats store of a real gateway: per input, sender, product/category/outcome and
 * destination, per hour, in data_dir/stats, across a restart; and its last 24 hours in /api/status.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { startHecDouble } from '../helpers/hec-double';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import axios from 'axios';
import { BIN, freePort, killAllGateways, startGateway } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitForLines, waitUntil } from '../helpers/procs';
import { sendTcpLines } from '../helpers/clients';

jest.setTimeout(60000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

const ASA = (i: number) => `<166>Jan 01 2024 12:00:00 fw01 : %ASA-4-106023: Deny udp src outside:10.8.1.${i}/54864 dst inside:172.16.1.3/53 by access-group "outside_acl" [0x0, 0x0]`;
const PLAIN = (i: number) => `<134>1 2026-11-23T10:00:00Z h app - - - stats ${i}`;

test('hourly counts per input, sender, product/category/outcome and destination, kept across a restart', async () => {
  const dir = makeTempDir('sg-stats-it-');
  const tcp = await freePort();
  const admin = await freePort();
  const yaml = `
data_dir: "${dir}/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: out, type: file, path: "${dir}/out.ndjson" }
admin: { address: "127.0.0.1:${admin}" }
`;
  let gw = await startGateway(yaml);
  await sendTcpLines(tcp, [...Array.from({ length: 6 }, (_, i) => ASA(i)), ...Array.from({ length: 4 }, (_, i) => PLAIN(i))]);
  const st = await waitUntil(async () => {
    const s = (await axios.get(`http://127.0.0.1:${admin}/api/status`)).data;
    return s.last_24h.destinations.out?.delivered === 10 ? s.last_24h : undefined;
  }, 20000, () => 'not delivered');
  expect(st.inputs.fw).toEqual({ received: 10 }); // zero counts are not stored
  expect(st.top_sources).toEqual([{ input: 'fw', address: '127.0.0.1', events: 10, last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
  expect(st.products).toEqual([{ product: 'cisco_asa', category: 'network', outcome: 'failure', events: 6 }]);
  await gw.stop();

  gw = await startGateway(yaml);
  await sendTcpLines(tcp, [ASA(9), 'no header at all: a parse failure']);
  await waitForLines(join(dir, 'out.ndjson'), 12);
  await gw.stop();
  const files = readdirSync(join(dir, 'data', 'stats')).filter((f) => f.endsWith('.json'));
  const counts: Record<string, number> = {};
  for (const f of files) for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(dir, 'data', 'stats', f), 'utf8')).counts as Record<string, number>)) counts[k] = (counts[k] ?? 0) + v;
  expect(counts).toMatchObject({
    'input\tfw\treceived': 12, 'source\tfw\t127.0.0.1': 12,  'destination\tout\tdelivered': 12,
  });

  // the health report, from the files, with the gateway stopped
  const cfg = join(gw.dir, 'siemgate.yaml');
  const r = await runProc(process.execPath, [BIN, 'report', '--kind', 'health', '--format', 'json', '-c', cfg], { cwd: dir });
  expect([r.code, r.stderr]).toEqual([0, '']);
  const rep = JSON.parse(r.stdout);
  expect(rep.gateway).toEqual({ running: false });
  expect(rep.inputs.fw).toEqual({ received: 12, rejected: 0 });
  expect(rep.senders).toEqual([{ input: 'fw', address: '127.0.0.1', events: 12, events_per_hour: 0.5, parse_failures: 1, last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
  // mapped events are kept per product, category, outcome and action (the compliance report's security counts)
  expect(Object.entries(counts).filter(([k]) => k.startsWith('product\tcisco_asa\tnetwork\tfailure\t')).reduce((n, [, v]) => n + v, 0)).toBe(7);
  expect(rep.products).toEqual([{ product: 'cisco_asa', category: 'network', outcome: 'failure', events: 7 }]);
  expect(rep.destinations).toEqual([expect.objectContaining({ name: 'out', delivered_in_period: 12, backlog_events: 0 })]);
  expect(rep.events).toMatchObject({ received: 12, journaled: 12, rejected: 0 });
  expect(rep.journal.high_water_bytes).toBeGreaterThanOrEqual(rep.journal.bytes);
  expect(rep.journal.high_water_bytes).toBeGreaterThan(0);
  expect(rep.destinations[0].retried_in_period).toBe(0);
  expect(rep.events.completeness).toMatch(/^events lost: 0\. Of 12 received, 12 were journaled and 0 refused/);
  expect(rep.audit).toMatchObject({ ok: true });
  expect(rep.audit.records).toBeGreaterThanOrEqual(4); // two starts, two stops
  const md = await runProc(process.execPath, [BIN, 'report', '--kind', 'health', '-c', cfg], { cwd: dir });
  expect(md.stdout).toMatch(/^# siemgate health report\n/);
  expect(md.stdout).toContain('| cisco_asa | network | failure | 7 |');
  const bad = await runProc(process.execPath, [BIN, 'report', '--kind', 'weekly', '-c', cfg], { cwd: dir });
  expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/give --kind health or --kind compliance/)]);
});

test('a scheduled health report (node-cron, every 2 s here) is written as JSON and Markdown, with the period\'s counts, and audited', async () => {
  const dir = makeTempDir('sg-reports-it-');
  const tcp = await freePort();
  const gw = await startGateway(`
data_dir: "${dir}/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: out, type: file, path: "${dir}/out.ndjson" }
reports:
  - { name: daily-health, kind: health, cron: "*/2 * * * * *", formats: [json, markdown], to: [{ type: file, dir: "${dir}/reports" }] }
`);
  expect(gw.stderr()).toContain('reports scheduled: daily-health (*/2 * * * * *)');
  await sendTcpLines(tcp, [ASA(1), ASA(2), PLAIN(1)]);
  await waitForLines(join(dir, 'out.ndjson'), 3);
  const report = await waitUntil(() => {
    let files: string[];
    try { files = readdirSync(join(dir, 'reports')); } catch { return undefined; }
    for (const f of files.filter((x) => x.endsWith('.json')).sort().reverse()) {
      const r = JSON.parse(readFileSync(join(dir, 'reports', f), 'utf8'));
      // received is counted as messages arrive, products when the workers' batches come back:
      // wait for a report made after both
      if (r.inputs.fw?.received === 3 && r.products.length > 0) return { r, files, f };
    }
    return undefined;
  }, 20000, () => 'no report with the 3 events yet');
  expect(report.f).toMatch(/^daily-health-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
  expect(report.files.some((f) => f === report.f.replace(/\.json$/, '.md'))).toBe(true);
  expect(report.r).toMatchObject({ kind: 'health', gateway: { running: true }, products: [{ product: 'cisco_asa', category: 'network', outcome: 'failure', events: 2 }] });
  await gw.stop();
  const auditDir = join(dir, 'data', 'audit');
  const recs = readdirSync(auditDir).filter((f) => f.startsWith('audit-')).flatMap((f) => readFileSync(join(auditDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
  expect(recs.some((x) => x.type === 'report_sent' && x.report === 'daily-health' && x.to.length === 2)).toBe(true);
});

test('a webhook report: POSTed as JSON, signed with the secret, retried after a 500', async () => {
  const dir = makeTempDir('sg-webhook-it-');
  const tcp = await freePort();
  const got: Array<{ sig: string | undefined; body: string }> = [];
  let answers = [500];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200) got.push({ sig: req.headers['x-siemgate-signature'] as string | undefined, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const gw = await startGateway(`
data_dir: "${dir}/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: out, type: file, path: "${dir}/out.ndjson" }
reports:
  - { name: hook, kind: health, cron: "*/3 * * * * *", to: [{ type: webhook, url: "http://127.0.0.1:${port}/reports", secret: "hook-secret-0123" }] }
`);
  try {
    const first = await waitUntil(() => got[0], 20000, () => 'no report POSTed yet');
    expect(first.sig).toBe(`sha256=${createHmac('sha256', 'hook-secret-0123').update(first.body).digest('hex')}`);
    expect(JSON.parse(first.body)).toMatchObject({ kind: 'health', gateway: { running: true } });
    expect(answers).toEqual([]); // the 500 was answered, then the retry went through
  } finally {
    await gw.stop();
    server.close();
  }
  expect(gw.stderr()).not.toContain('hook-secret-0123');
});

test('a report with a cron expression that is not one is refused by check, with its line', async () => {
  const dir = makeTempDir('sg-reports-bad-');
  const cfg = join(dir, 'c.yaml');
  require('node:fs').writeFileSync(cfg, 'inputs:\n  - { name: t, type: syslog_tcp, address: "127.0.0.1:5599" }\ndestinations:\n  - { name: f, type: file, path: ./x.ndjson }\nreports:\n  - name: r\n    kind: health\n    cron: "every monday"\n    to: [{ type: file, dir: ./r }]\n');
  const r = await runProc(process.execPath, [BIN, 'check', '-c', cfg, '--offline'], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/line 8: reports\[0\]\.cron: "every monday" is not a cron expression/);
});

test('a report to the SIEM: an event through the journal to a Splunk HEC double, sourcetype siemgate:report, counted in the ledger', async () => {
  const dir = makeTempDir('sg-siemreport-it-');
  const tcp = await freePort();
  const hec = await startHecDouble({ tokens: { 'hec-token-0123': {} } });
  const gw = await startGateway(`
data_dir: "${dir}/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: splunk, type: splunk_hec, token: hec-token-0123, endpoints: ["${hec.url}"], batch: { max_wait_ms: 50 } }
reports:
  - { name: to-siem, kind: health, cron: "*/2 * * * * *", to: [{ type: siem }] }
`);
  const ev = await waitUntil(() => hec.indexed.find((e) => e.sourcetype === 'siemgate:report'), 20000, () => `no report event at HEC; got ${hec.indexed.length} events`);
  await gw.stop();
  await hec.close();
  expect(ev).toMatchObject({ source: 'siemgate:report', sourcetype: 'siemgate:report', time: expect.any(Number) });
  // a JSON event: HEC gets the document itself, with the report in it
  const doc = (typeof ev.event === 'string' ? JSON.parse(ev.event) : ev.event) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(doc.siemgate_report).toMatchObject({ name: 'to-siem', kind: 'health' });
  expect(String(doc.message)).toMatch(/^siemgate health report to-siem: events lost: 0\./);
  expect(gw.stderr()).toMatch(/stopped: received [1-9]\d*, journaled [1-9]\d*, rejected at input 0; balanced; splunk: delivered [1-9]/);
});

test('a report on a data_dir the gateway never used: made from nothing, says so, and creates nothing', async () => {
  const dir = makeTempDir('sg-emptyreport-it-');
  writeFileSync(join(dir, 'siemgate.yaml'), `data_dir: "${dir}/data"\ninputs:\n  - { name: fw, type: syslog_tcp, address: "127.0.0.1:0" }\ndestinations:\n  - { name: out, type: file, path: "${dir}/out.ndjson" }\n`);
  const r = await runProc(process.execPath, [BIN, 'report', '--kind', 'compliance', '--format', 'markdown', '-c', join(dir, 'siemgate.yaml')], { cwd: dir });
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toContain('No expected sources are configured, so silence cannot be judged.');
  expect(r.stdout).toContain('events lost: 0. Of 0 received');
  expect(existsSync(join(dir, 'data'))).toBe(false);
});
