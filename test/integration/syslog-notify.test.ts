/**
 * openSyslogNotifier (winston-syslog underneath) against a real syslog-ng 3.38: its syslog()
 * sources on UDP, TCP (octet counted) and TLS, all written to one file as JSON by format-json,
 * so each message's source, APP-NAME, facility, severity, host, pid, timestamp and MSG can be
 * compared exactly. Then the audit trail's copy to syslog, and a server that is not there.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyslogTarget } from '../../src/config/types';
import { audit, closeAudit, openAudit, verifyAudit } from '../../src/observe/audit';
import { log } from '../../src/observe/log';
import { openSyslogNotifier, type SyslogNotifier } from '../../src/observe/syslog-notify';
import { freePort } from '../helpers/gateway';
import { cleanUp, describeNeeding, sleep, waitUntil } from '../helpers/procs';
import { OPENSSL, startSyslogNg, SYSLOG_NG, type Daemon } from '../helpers/clients';
import { makeTestPki, type TestPki } from '../helpers/certs';

jest.setTimeout(60000);

interface Got { src: string; program: string; facility: string; level: string; host: string; pid: string; stamp: string; msg: string }

describeNeeding(SYSLOG_NG && OPENSSL, 'syslog-ng (syslog-ng-core) and openssl', 'syslog notifier -> syslog-ng', () => {
  let sng: Daemon;
  let pki: TestPki;
  let udp: number; let tcp: number; let tls: number;
  let out: string;
  const notifiers: SyslogNotifier[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    [udp, tcp, tls] = [await freePort(), await freePort(), await freePort()];
    sng = await startSyslogNg(`@version: 3.38
options { use-dns(no); dns-cache(no); keep-hostname(yes); stats-freq(0); frac-digits(3); ts-format(iso); };
source s_udp { syslog(ip("127.0.0.1") port(${udp}) transport("udp")); };
source s_tcp { syslog(ip("127.0.0.1") port(${tcp}) transport("tcp")); };
source s_tls { syslog(ip("127.0.0.1") port(${tls}) transport("tls")
  tls(key-file("${pki.serverKey}") cert-file("${pki.serverCert}") peer-verify(optional-untrusted))); };
destination d_out { file("@DIR@/out.jsonl" template("$(format-json src=\${SOURCE} program=\${PROGRAM} facility=\${FACILITY} level=\${LEVEL} host=\${HOST} pid=\${PID} stamp=\${S_ISODATE} msg=\${MSG})\\n")); };
log { source(s_udp); source(s_tcp); source(s_tls); destination(d_out); };
`, tcp);
    out = join(sng.dir, 'out.jsonl');
  });

  afterAll(async () => {
    await Promise.all(notifiers.map((n) => n.close()));
    await closeAudit();
    await cleanUp();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function notifier(t: Partial<SyslogTarget> & Pick<SyslogTarget, 'port' | 'protocol'>): SyslogNotifier {
    const n = openSyslogNotifier({ type: 'syslog', host: '127.0.0.1', appName: 'sgtest', ...t });
    notifiers.push(n);
    return n;
  }

  function received(): Got[] {
    if (!existsSync(out)) return [];
    return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Got);
  }

  /** The messages whose MSG contains `marker`, once there are n of them. */
  async function arrived(marker: string, n: number): Promise<Got[]> {
    return waitUntil(() => {
      const got = received().filter((g) => g.msg.includes(marker));
      return got.length >= n ? got : undefined;
    }, 15000, () => `${n} messages with ${marker} in ${out}; have:\n${received().map((g) => JSON.stringify(g)).join('\n')}\nsyslog-ng stderr:\n${sng.stderr()}`);
  }

  const SEVERITIES = ['crit', 'err', 'warning', 'notice', 'info'] as const;

  async function roundTrip(protocol: 'udp' | 'tcp', port: number, src: string): Promise<void> {
    const n = notifier({ port, protocol, appName: `sgtest-${protocol}` });
    const marker = `m-${protocol}-${Date.now()}`;
    const t0 = Date.now();
    const results = await Promise.all(SEVERITIES.map((s, i) =>
      n.send(s, `${marker} ${s} alert ${i}`, { rule: `r${i}`, count: i, nested: { ok: true, text: 'été "q"' } })));
    expect(results).toEqual(SEVERITIES.map(() => undefined));
    expect(await n.send('info', `${marker} no fields`)).toBeUndefined();
    const got = await arrived(marker, SEVERITIES.length + 1);
    const t1 = Date.now();
    const sorted = got.sort((a, b) => a.msg.localeCompare(b.msg));
    expect(sorted.map((g) => ({ ...g, stamp: undefined }))).toEqual([
      ...SEVERITIES.map((s, i) => ({
        src, program: `sgtest-${protocol}`, facility: 'local0', level: s, host: hostname(), pid: String(process.pid), stamp: undefined,
        msg: `${marker} ${s} alert ${i} {"rule":"r${i}","count":${i},"nested":{"ok":true,"text":"été \\"q\\""}}`,
      })),
      { src, program: `sgtest-${protocol}`, facility: 'local0', level: 'info', host: hostname(), pid: String(process.pid), stamp: undefined, msg: `${marker} no fields` },
    ].sort((a, b) => a.msg.localeCompare(b.msg)));
    // the sender's timestamp: UTC, milliseconds in three digits (glossy's own is neither)
    for (const g of got) {
      const at = Date.parse(g.stamp);
      expect(g.stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
      expect(at).toBeGreaterThanOrEqual(t0);
      expect(at).toBeLessThanOrEqual(t1);
    }
  }

  test('UDP: five severities and a message without fields arrive exactly: APP-NAME, facility local0, severity, MSG then the fields as JSON', async () => {
    await roundTrip('udp', udp, 's_udp');
  });

  test('TCP: the same, octet counted on one connection', async () => {
    await roundTrip('tcp', tcp, 's_tcp');
  });

  test('TCP: a LF inside MSG stays inside the message (octet counting, not LF framing)', async () => {
    const n = notifier({ port: tcp, protocol: 'tcp' });
    const marker = `m-lf-${Date.now()}`;
    expect(await n.send('notice', `${marker} line one\nline two`, { k: 'a\nb' })).toBeUndefined();
    expect(await n.send('notice', `${marker} after`)).toBeUndefined();
    const got = await arrived(marker, 2);
    expect(got.map((g) => g.msg)).toEqual([`${marker} line one\nline two {"k":"a\\nb"}`, `${marker} after`]);
  });

  test('TCP: a burst of 300 messages: all written, all arrive in order on one connection', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const n = notifier({ port: tcp, protocol: 'tcp' });
      const marker = `m-burst-${Date.now()}`;
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => n.send('info', `${marker} ${i}`)));
      expect(results.filter((r) => r !== undefined)).toEqual([]);
      const got = await arrived(marker, 300);
      expect(got.map((g) => g.msg)).toEqual(Array.from({ length: 300 }, (_, i) => `${marker} ${i}`));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('the server restarted: a send while it is down says why; once it is back, the next send reconnects', async () => {
    const port = await freePort();
    const conf = (p: number) => `@version: 3.38
options { stats-freq(0); };
source s { syslog(ip("127.0.0.1") port(${p}) transport("tcp")); };
destination d { file("@DIR@/out.log" template("\${PROGRAM} \${MSG}\\n")); };
log { source(s); destination(d); };
`;
    const first = await startSyslogNg(conf(port), port);
    const n = notifier({ port, protocol: 'tcp', appName: 'sgrestart' });
    expect(await n.send('info', 'before')).toBeUndefined();
    await waitUntil(() => (existsSync(join(first.dir, 'out.log')) && readFileSync(join(first.dir, 'out.log'), 'utf8') === 'sgrestart before\n' ? true : undefined), 10000, () => 'before not written');
    await first.stop();
    await sleep(200);
    expect(await n.send('info', 'while down')).toMatch(/not sent: (connection refused|the connection is closed|the server closed the connection)/);
    const second = await startSyslogNg(conf(port), port);
    // the back-off after a refused connection is 1 s (then 2, 4 ... up to 60)
    await waitUntil(async () => ((await n.send('info', 'after')) === undefined ? true : undefined), 15000, () => 'no reconnect');
    await waitUntil(() => (existsSync(join(second.dir, 'out.log')) && readFileSync(join(second.dir, 'out.log'), 'utf8') === 'sgrestart after\n' ? true : undefined), 10000,
      () => `after not written: ${existsSync(join(second.dir, 'out.log')) ? readFileSync(join(second.dir, 'out.log'), 'utf8') : '(no file)'}`);
    await second.stop();
  });

  test('TLS: with ca_file the certificate is checked and the message arrives; without it (not trusted) nothing is sent', async () => {
    const marker = `m-tls-${Date.now()}`;
    const untrusted = notifier({ port: tls, protocol: 'tls' });
    expect(await untrusted.send('err', `${marker} must not arrive`)).toMatch(
      /^syslog server 127\.0\.0\.1:\d+ \(tls\): not sent: its TLS certificate is not trusted \(.+\): set ca_file to the CA that signed it/);
    const trusted = notifier({ port: tls, protocol: 'tls', caFile: pki.caCert, appName: 'sgtest-tls' });
    expect(await trusted.send('err', `${marker} trusted`, { a: 1 })).toBeUndefined();
    const got = await arrived(marker, 1);
    await sleep(300);
    expect(received().filter((g) => g.msg.includes(marker))).toEqual([
      { src: 's_tls', program: 'sgtest-tls', facility: 'local0', level: 'err', host: hostname(), pid: String(process.pid), stamp: got[0].stamp, msg: `${marker} trusted {"a":1}` },
    ]);
    const noCa = notifier({ port: tls, protocol: 'tls', caFile: join(pki.dir, 'missing.crt') });
    expect(await noCa.send('err', `${marker} x`)).toMatch(/not sent: cannot read its ca_file .*missing\.crt/);
  });

  test('audit trail with syslog: every record line arrives as MSG, facility authpriv, failures as warning; the local trail is unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-audit-syslog-'));
    dirs.push(dir);
    openAudit({ dir, key: Buffer.alloc(32, 3), syslog: { type: 'syslog', host: '127.0.0.1', port: tcp, protocol: 'tcp', appName: 'sgaudit' } });
    const marker = `m-audit-${Date.now()}`;
    audit('start', { marker, pid: 1 });
    audit('auth_failure', { marker, where: 'input api' });
    audit('tls_handshake_refused', { marker });
    audit('admin_denied', { marker });
    audit('destination_state', { marker, state: 'degraded' });
    audit('start_failed', { marker, why: 'x' });
    await closeAudit();
    const local = readFileSync(join(dir, readdirAudit(dir)), 'utf8').split('\n').filter((l) => l !== '');
    expect(local).toHaveLength(6);
    expect(verifyAudit(dir, Buffer.alloc(32, 3))).toMatchObject({ ok: true, records: 6 });
    const got = await arrived(marker, 6);
    expect(got.map((g) => [g.program, g.facility, g.level, g.src, g.msg])).toEqual(local.map((line) => {
      const type = (JSON.parse(line) as { type: string }).type;
      return ['sgaudit', 'authpriv', ['start', 'destination_state'].includes(type) ? 'info' : 'warning', 's_tcp', line];
    }));
  });

  test('a server that is not there: send resolves the reason (then holds back); the audit trail goes on locally and warns once', async () => {
    const dead = await freePort();
    const n = notifier({ port: dead, protocol: 'tcp' });
    expect(await n.send('crit', 'nobody listens')).toBe(
      `syslog server 127.0.0.1:${dead} (tcp): not sent: connection refused (connect ECONNREFUSED 127.0.0.1:${dead}): is the server running and listening on this port?`);
    expect(await n.send('crit', 'again')).toMatch(new RegExp(`^syslog server 127\\.0\\.0\\.1:${dead} \\(tcp\\): not sent: connection refused .*; the next attempt is after \\d{4}-`));

    const warn = jest.spyOn(log, 'warn');
    try {
      const dir = mkdtempSync(join(tmpdir(), 'sg-audit-dead-'));
      dirs.push(dir);
      openAudit({ dir, syslog: { type: 'syslog', host: '127.0.0.1', port: dead, protocol: 'tcp', appName: 'sgaudit' } });
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) audit('event', { i });
      // written locally at once, whatever the server does
      expect(readFileSync(join(dir, readdirAudit(dir)), 'utf8').trim().split('\n')).toHaveLength(5);
      await closeAudit();
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(verifyAudit(dir)).toMatchObject({ ok: true, records: 5 });
      const warned = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('not copied to syslog'));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatch(new RegExp(`^audit: record 1 \\(event\\) is in the local trail \\(.*audit-\\d{8}\\.jsonl\\) but was not copied to syslog; check the server, or audit\\.syslog in the config: syslog server 127\\.0\\.0\\.1:${dead} \\(tcp\\): not sent: connection refused \\(connect ECONNREFUSED`));
    } finally {
      warn.mockRestore();
    }
  });
});

function readdirAudit(dir: string): string {
  return readdirSync(dir).find((f) => f.startsWith('audit-'))!;
}
