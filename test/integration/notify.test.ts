/**
 * Reports and alerts leaving a running gateway through real servers: a scheduled compliance
 * report mailed over STARTTLS with AUTH to aiosmtpd (its MIME parsed), and alerts sent to a real
 * syslog-ng (octet-counted TCP) and by mail. Schedules fire within seconds (node-cron, not mocked).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, killAllGateways, startGateway } from '../helpers/gateway';
import { cleanUp, describeNeeding, makeTempDir, waitUntil } from '../helpers/procs';
import { sendTcpLines, startSyslogNg, SYSLOG_NG, type Daemon } from '../helpers/clients';
import { makeTestPki } from '../helpers/certs';
import { startSmtpServer } from '../helpers/smtp-server';
import { startHttpSink } from '../helpers/http-sink';

jest.setTimeout(120000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

test('a scheduled compliance report arrives by e-mail: Markdown text, HTML alternative, JSON attached, over STARTTLS as the configured user', async () => {
  const pki = await makeTestPki();
  const smtp = await startSmtpServer({ starttls: pki, auth: { user: 'siemgate', password: 'mail-secret-0123' } });
  const dir = makeTempDir('sg-mail-report-');
  writeFileSync(join(dir, 'smtp-password'), 'mail-secret-0123\n');
  const tcp = await freePort();
  const gw = await startGateway(`
data_dir: "${dir}/data"
inputs:
  - { name: syslog, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: out, type: file, path: "${dir}/out.ndjson" }
smtp: { host: 127.0.0.1, port: ${smtp.port}, security: starttls, user: siemgate, password_file: "${dir}/smtp-password", from: "siemgate@example.test", ca_file: "${pki.caCert}" }
expected_sources:
  - { name: edge, hostname: fw-a, max_silence: 1h }
reports:
  - { name: weekly, kind: compliance, cron: "*/2 * * * * *", formats: [markdown, html], to: [{ type: email, to: [soc@example.test, audit@example.test] }] }
`);
  await sendTcpLines(tcp, ['<38>Nov 23 10:00:00 fw-a sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2']);
  const mails = await smtp.waitForMessages(1, 20000);
  await gw.stop();
  await smtp.stop();
  const m = mails[0];
  expect([m.tls, m.authenticatedAs, m.mailFrom, m.rcptTos]).toEqual([true, 'siemgate', 'siemgate@example.test', ['soc@example.test', 'audit@example.test']]);
  expect(m.subject).toMatch(/^\[siemgate\] compliance report weekly: /);
  expect(m.defects).toEqual([]);
  const text = m.part('text/plain')?.text ?? '';
  expect(text).toContain('# siemgate compliance report');
  expect(text).toContain('## Expected sources');
  const html = m.part('text/html')?.text ?? '';
  expect(html).toContain('siemgate compliance report');
  expect(html).not.toMatch(/<script/i);
  expect(m.attachments.map((a) => [a.contentType, /^weekly-.*\.json$/.test(a.filename ?? '')])).toEqual([['application/json', true]]);
  const attached = JSON.parse(m.attachments[0].bytes.toString('utf8'));
  expect(attached).toMatchObject({ kind: 'compliance', expected_sources: [expect.objectContaining({ name: 'edge' })] });
  expect(gw.stderr()).toMatch(/report weekly \(compliance\) sent: mail to soc@example\.test, audit@example\.test/);
});

describeNeeding(SYSLOG_NG, 'syslog-ng (syslog-ng-core)', 'alerts to a real syslog server and by mail', () => {
  let sng: Daemon;
  let tcpIn: number;
  beforeAll(async () => {
    tcpIn = await freePort();
    sng = await startSyslogNg(`@version: 3.38
options { use-dns(no); dns-cache(no); keep-hostname(yes); stats-freq(0); };
source s_tcp { syslog(ip("127.0.0.1") port(${tcpIn}) transport("tcp")); };
destination d_out { file("@DIR@/alerts.jsonl" template("$(format-json program=\${PROGRAM} facility=\${FACILITY} level=\${LEVEL} msg=\${MSG})\\n")); };
log { source(s_tcp); destination(d_out); };
`, tcpIn);
  });

  test('a destination down for longer than `for` raises one syslog alert (crit) and one mail, and resolves with a notice when it is back', async () => {
    const smtp = await startSmtpServer();
    const dir = makeTempDir('sg-alert-syslog-');
    const tcp = await freePort();
    // a collector refusing the gateway's credentials: the destination is down (misconfigured) at once
    const sink = await startHttpSink();
    sink.mode = 'auth';
    const gw = await startGateway(`
data_dir: "${dir}/data"
inputs:
  - { name: syslog, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: splunk, type: http, url: "${sink.url}", batch: { max_wait_ms: 20 }, retry: { initial_ms: 50, max_ms: 200 } }
smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none, from: "siemgate@example.test" }
alerts:
  - name: siem-unreachable
    type: destination_down
    for: 2s
    throttle: 1s
    to: [{ type: syslog, host: 127.0.0.1, port: ${tcpIn}, protocol: tcp, app_name: siemgate-alert }, { type: email, to: oncall@example.test }]
`);
    await sendTcpLines(tcp, ['<134>Nov 23 10:00:00 fw-a app: one']);
    const out = join(sng.dir, 'alerts.jsonl');
    const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { program: string; facility: string; level: string; msg: string }) : []);
    const fired = await waitUntil(() => lines().find((l) => l.msg.includes('siem-unreachable firing')), 30000, () => `no syslog alert; got ${JSON.stringify(lines())}\n${gw.stderr()}`);
    expect(fired).toMatchObject({ program: 'siemgate-alert', facility: 'local0', level: 'crit' });
    expect(fired.msg).toContain('"key":"splunk"');
    const [mail] = await smtp.waitForMessages(1, 15000);
    expect(mail.subject).toBe('[siemgate] FIRING: siem-unreachable (splunk)');
    expect(mail.part('text/plain')?.text).toMatch(/state: firing\nabout: splunk/);

    // the credentials are accepted again: the alert resolves, once
    sink.mode = 'up';
    await waitUntil(() => lines().find((l) => l.msg.includes('siem-unreachable resolved')), 30000, () => `not resolved; got ${JSON.stringify(lines())}`);
    await smtp.waitForMessages(2, 15000);
    await gw.stop();
    await sink.close();
    await smtp.stop();
    expect(lines().filter((l) => l.msg.includes('siem-unreachable')).map((l) => [l.level, /firing|resolved/.exec(l.msg)![0]])).toEqual([['crit', 'firing'], ['notice', 'resolved']]);
    expect(smtp.messages().map((x) => x.subject)).toEqual(['[siemgate] FIRING: siem-unreachable (splunk)', '[siemgate] resolved: siem-unreachable (splunk)']);
  });
});
