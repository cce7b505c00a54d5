/**
 * The compliance scenario of issue 7, with a real gateway: two expected sources, one goes silent,
 * one sends failed sshd logins above a threshold. The threshold alert fires once and resolves,
 * the silence alert fires, and the next compliance report (node-cron, every 2 s here) names the
 * silent source, counts the failures, and shows "events lost: 0" with the counts that prove it.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, freePort, killAllGateways, startGateway } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitForLines, waitUntil } from '../helpers/procs';
import { sendTcpLines } from '../helpers/clients';

jest.setTimeout(120000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

interface Notice { rule: string; key: string; state: string; value: number; limit: number; summary: string }

async function startReceiver(secret: string): Promise<{ url: string; notices: Notice[]; badSignatures: number; close(): Promise<void> }> {
  const r = { notices: [] as Notice[], badSignatures: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const want = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      if (req.headers['x-siemgate-signature'] !== want) r.badSignatures++;
      else r.notices.push((JSON.parse(body) as { siemgate_alert: Notice }).siemgate_alert);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/alerts`, ...r, get notices() { return r.notices; }, get badSignatures() { return r.badSignatures; }, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const stamp = () => new Date().toUTCString().slice(5, 25).replace(/^(\d\d) (\w{3}) \d{4}/, '$2 $1'); // "Nov 23 21:00:00"
const FW = (i: number) => `<134>${stamp()} fw-a kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.${i} DST=10.0.0.1 PROTO=TCP SPT=4000 DPT=22`;
const SSHD_FAIL = (i: number) => `<38>${stamp()} srv-b sshd[${1000 + i}]: Failed password for root from 203.0.113.9 port ${40000 + i} ssh2`;
const SSHD_OK = `<38>${stamp()} srv-b sshd[999]: Accepted password for alice from 192.0.2.44 port 50000 ssh2`;

test('one source goes silent, one sends failed logins above the threshold: alerts fire once and resolve, and the compliance report says so', async () => {
  const dir = makeTempDir('sg-compliance-it-');
  const tcp = await freePort();
  const hook = await startReceiver('alert-secret-0123');
  const gw = await startGateway(`
data_dir: "${dir}/data"
inputs:
  - { name: syslog, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: out, type: file, path: "${dir}/out.ndjson" }
expected_sources:
  - { name: edge-firewall, hostname: fw-a, product: linux_netfilter, max_silence: 4s }
  - { name: bastion, hostname: "srv-*", max_silence: 1h }
alerts:
  - { name: silent, type: source_silent, throttle: 1s, to: [{ type: webhook, url: "${hook.url}", secret: alert-secret-0123 }] }
  - name: ssh-bruteforce
    type: threshold
    where: { event.category: authentication, event.outcome: failure }
    group_by: source.ip
    window: 5s
    above: 5
    throttle: 1s
    to: [{ type: webhook, url: "${hook.url}", secret: alert-secret-0123 }]
reports:
  - { name: audit-pack, kind: compliance, cron: "*/2 * * * * *", formats: [json, markdown, html], to: [{ type: file, dir: "${dir}/reports" }] }
`);
  await sendTcpLines(tcp, [FW(1), FW(2), SSHD_OK, ...Array.from({ length: 8 }, (_, i) => SSHD_FAIL(i))]);
  await waitForLines(join(dir, 'out.ndjson'), 11);

  // the threshold: 8 failures from one address in 5 s > 5 → fires once, then resolves as the window slides
  const fired = await waitUntil(() => hook.notices.find((n) => n.rule === 'ssh-bruteforce' && n.state === 'firing'), 15000, () => `no threshold alert; got ${JSON.stringify(hook.notices)}`);
  expect(fired).toMatchObject({ key: '203.0.113.9', value: 8, limit: 5 });
  await waitUntil(() => hook.notices.find((n) => n.rule === 'ssh-bruteforce' && n.state === 'resolved'), 15000, () => `threshold alert not resolved; got ${JSON.stringify(hook.notices)}`);
  expect(hook.notices.filter((n) => n.rule === 'ssh-bruteforce').map((n) => n.state)).toEqual(['firing', 'resolved']);

  // fw-a said nothing for more than 4 s: silent. srv-b keeps talking, so it never is.
  const silent = await waitUntil(() => hook.notices.find((n) => n.rule === 'silent' && n.state === 'firing'), 15000, () => `no silence alert; got ${JSON.stringify(hook.notices)}`);
  expect(silent.key).toBe('edge-firewall');
  expect(hook.notices.filter((n) => n.rule === 'silent').map((n) => n.key)).toEqual(['edge-firewall']);
  expect(hook.badSignatures).toBe(0);

  // the next compliance report names the silent source and counts the failures
  const rep = await waitUntil(() => {
    let files: string[];
    try { files = readdirSync(join(dir, 'reports')); } catch { return undefined; }
    for (const f of files.filter((x) => x.endsWith('.json')).sort().reverse()) {
      const r = JSON.parse(readFileSync(join(dir, 'reports', f), 'utf8'));
      // a report made after the silence alert fired (the report's own verdict may come a second sooner)
      if (r.security?.logins_failed === 8 && r.expected_sources?.[0]?.status === 'silent' && r.alerts.some((a: { rule: string }) => a.rule === 'silent')) return { r, f, files };
    }
    return undefined;
  }, 20000, () => 'no compliance report with the silent source and 8 failures yet');
  const r = rep.r;
  expect(r.kind).toBe('compliance');
  expect(r.expected_sources).toEqual([
    expect.objectContaining({ name: 'edge-firewall', match: 'hostname fw-a', status: 'silent', events_in_period: 2, silent_for_s: expect.any(Number) }),
    expect.objectContaining({ name: 'bastion', status: 'reporting', events_in_period: 9 }),
  ]);
  expect(r.expected_sources[0].silent_for_s).toBeGreaterThan(4);
  expect(r.security).toMatchObject({ logins_failed: 8, logins_succeeded: 1, top_failure_sources: [{ from: '203.0.113.9', events: 8 }] });
  expect(r.delivery.statement).toMatch(/^events lost: 0\. Of 11 received, 11 were journaled and 0 refused/);
  expect(r.delivery).toMatchObject({ events_lost: 0, received: 11, journaled: 11 });
  expect(r.delivery.destinations).toEqual([expect.objectContaining({ name: 'out', delivered_in_period: 11, pending: 0, dead_lettered_in_period: 0, dropped: 0 })]);
  expect(r.clock_skew.map((c: { host: string }) => c.host).sort()).toEqual(['fw-a', 'srv-b']);
  expect(r.audit.ok).toBe(true);
  expect(r.alerts.map((a: { rule: string }) => a.rule).sort()).toEqual(['silent', 'ssh-bruteforce']);
  const frameworks = new Set(r.controls.map((c: { framework: string }) => c.framework));
  expect([...frameworks].sort()).toEqual(['HIPAA', 'ISO/IEC 27001:2022', 'NIST SP 800-53 Rev. 5', 'PCI DSS v4.0']);
  expect(r.controls.every((c: { not_evidenced: string }) => c.not_evidenced.length > 10)).toBe(true);
  // the same report in Markdown and HTML
  const base = rep.f.replace(/\.json$/, '');
  const md = readFileSync(join(dir, 'reports', `${base}.md`), 'utf8');
  expect(md).toContain('| edge-firewall | hostname fw-a | linux_netfilter | SILENT | 2 |');
  expect(md).toContain('events lost: 0');
  const html = readFileSync(join(dir, 'reports', `${base}.html`), 'utf8');
  expect(html).toContain('edge-firewall');
  expect(html).not.toMatch(/<script/i);

  await gw.stop();
  await hook.close();
  // made on demand from the files, gateway stopped: the same verdicts
  const cfg = join(gw.dir, 'siemgate.yaml');
  const out = await runProc(process.execPath, [BIN, 'report', '--kind', 'compliance', '--format', 'json', '-c', cfg], { cwd: dir });
  expect([out.code, out.stderr]).toEqual([0, '']);
  const again = JSON.parse(out.stdout);
  expect(again.expected_sources.map((x: { status: string }) => x.status)).toEqual(['silent', 'reporting']);
  expect(again.security.logins_failed).toBe(8);
  // every alert episode is in the audit trail
  const auditDir = join(dir, 'data', 'audit');
  const recs = readdirSync(auditDir).filter((f) => f.startsWith('audit-')).flatMap((f) => readFileSync(join(auditDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
  expect(recs.filter((x) => x.type === 'alert_fired').map((x) => x.rule).sort()).toEqual(['silent', 'ssh-bruteforce']);
  expect(recs.filter((x) => x.type === 'alert_resolved').map((x) => x.rule)).toContain('ssh-bruteforce');
});
