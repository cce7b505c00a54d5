/**
 * util-linux `logger` (bsdutils) against the real gateway on loopback: UDP, TCP with LF framing and
 * with octet counting, RFC 5424 and RFC 3164, tag, priority, PID, MSGID and structured data.
 * Every message carries a unique marker; each must arrive exactly once with the fields logger set.
 */
import { hostname } from 'node:os';
import { freePort, killAllGateways, startGateway, type RunningGateway } from '../helpers/gateway';
import { cleanUp, describeNeeding } from '../helpers/procs';
import { LOGGER, runLogger } from '../helpers/clients';
import {
  expectExactlyOnce, expectFields, expectLoopbackPeer, expectTimestampWithin, markers, syslogFields, type Doc,
} from '../helpers/expect-docs';

jest.setTimeout(60000);

// logger writes gethostname(); RFC 3164 mode cuts it at the first dot.
const HOST5424 = hostname();
const HOST3164 = hostname().split('.')[0];
const LOCAL3_WARNING = syslogFields({ facility: 19, severity: 4 });

describeNeeding(LOGGER, 'logger (util-linux)', 'logger -> siemgate', () => {
  let gw: RunningGateway;
  let udp: number; let tcp: number; let tcpOctet: number; let tcpLf: number;
  let sent = 0;

  beforeAll(async () => {
    [udp, tcp, tcpOctet, tcpLf] = [await freePort(), await freePort(), await freePort(), await freePort()];
    gw = await startGateway(`
inputs:
  - { name: udp, type: syslog_udp, address: "127.0.0.1:${udp}" }
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
  - { name: tcp-octet, type: syslog_tcp, address: "127.0.0.1:${tcpOctet}", framing: octet }
  - { name: tcp-lf, type: syslog_tcp, address: "127.0.0.1:${tcpLf}", framing: lf }
destinations:
  - { name: out, type: file, path: "@OUT@" }
`);
  });

  afterAll(async () => {
    await killAllGateways();
    await cleanUp();
  });

  /** One logger run of n lines `<marker> <text>`; returns the docs by marker after checking exactly-once. */
  async function send(prefix: string, n: number, args: string[], text = 'hello from logger'): Promise<{ docs: Map<string, Doc>; t0: number; t1: number; lines: Map<string, string> }> {
    const ms = markers(prefix, n);
    const lines = new Map(ms.map((m) => [m, `${m} ${text}`]));
    const t0 = Date.now();
    await runLogger(args, [...lines.values()]);
    const t1 = Date.now();
    sent += n;
    const docs = await expectExactlyOnce(gw, prefix, ms);
    return { docs, t0, t1, lines };
  }

  const SD_ARGS = ['--sd-id', 'test@32473', '--sd-param', 'k="v \\"q\\" x"', '--sd-param', 'n="42"'];

  test('UDP, RFC 5424: 50 messages with tag, priority, PID, MSGID and structured data', async () => {
    const { docs, t0, t1, lines } = await send('it-logger-udp5424', 50,
      ['-n', '127.0.0.1', '-P', String(udp), '-d', '--rfc5424', '-t', 'ittag', '-p', 'local3.warning', '--id=4242', '--msgid', 'MID7', ...SD_ARGS]);
    for (const [m, d] of docs) {
      expectFields(d, {
        message: lines.get(m), 'siemgate.format': 'rfc5424', 'log.syslog.version': '1',
        'log.syslog.appname': 'ittag', 'log.syslog.procid': '4242', 'log.syslog.msgid': 'MID7', 'log.syslog.hostname': HOST5424,
        'host.hostname': HOST5424, 'process.name': 'ittag', 'process.pid': 4242, 'log.level': 'warning',
        ...LOCAL3_WARNING,
      }, m);
      // logger writes its own [timeQuality ...] element first, then ours; values are unescaped.
      expect(d.log.syslog.structured_data['test@32473']).toEqual({ k: 'v "q" x', n: '42' });
      expect(d.log.syslog.structured_data.timeQuality).toEqual(expect.objectContaining({ tzKnown: '1' }));
      expect(d.event.original).toContain(`] ${lines.get(m)}`);
      expectLoopbackPeer(d, 'udp', 'udp');
      expectTimestampWithin(d, t0, t1);
      // logger sends microseconds: they survive into @timestamp
      expect(d['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
  });

  test('UDP, RFC 3164: tag[pid] and priority; timestamp read in the input zone (UTC)', async () => {
    const { docs, t0, t1, lines } = await send('it-logger-udp3164', 50,
      ['-n', '127.0.0.1', '-P', String(udp), '-d', '--rfc3164', '-t', 'ittag3', '-p', 'local3.warning', '--id=4243']);
    for (const [m, d] of docs) {
      expectFields(d, {
        message: lines.get(m), 'siemgate.format': 'rfc3164',
        'log.syslog.appname': 'ittag3', 'log.syslog.procid': '4243', 'log.syslog.hostname': HOST3164, ...LOCAL3_WARNING,
      }, m);
      expectLoopbackPeer(d, 'udp', 'udp');
      expectTimestampWithin(d, Math.floor(t0 / 1000) * 1000, t1); // second precision on the wire
    }
  });

  test('TCP, LF framing (logger -T), RFC 5424: 50 messages over one connection', async () => {
    const { docs, t0, t1, lines } = await send('it-logger-tcp5424', 50,
      ['-n', '127.0.0.1', '-P', String(tcp), '-T', '--rfc5424', '-t', 'ittcp', '-p', 'user.notice', '--id=77', ...SD_ARGS]);
    for (const [m, d] of docs) {
      expectFields(d, {
        message: lines.get(m), 'siemgate.format': 'rfc5424', 'log.syslog.appname': 'ittcp', 'log.syslog.procid': '77',
        'log.syslog.hostname': HOST5424, ...syslogFields({ facility: 1, severity: 5 }),
      }, m);
      expect(d.log.syslog.msgid).toBeUndefined(); // '-' on the wire
      expect(d.log.syslog.structured_data['test@32473']).toEqual({ k: 'v "q" x', n: '42' });
      expectLoopbackPeer(d, 'tcp', 'tcp');
      expectTimestampWithin(d, t0, t1);
    }
    // all 50 came over one connection
    expect(new Set([...docs.values()].map((d) => d.source.port)).size).toBe(1);
  });

  test('TCP, octet counting (logger -T --octet-count), RFC 5424, on a framing: auto input', async () => {
    const { docs, t0, t1, lines } = await send('it-logger-tcpoctet', 50,
      ['-n', '127.0.0.1', '-P', String(tcp), '-T', '--octet-count', '--rfc5424', '-t', 'itoct', '-p', 'local7.err', '--id=9'],
      'octet-counted, with "quotes", [brackets] and UTF-8: grüße ✓');
    for (const [m, d] of docs) {
      expectFields(d, {
        message: lines.get(m), 'siemgate.format': 'rfc5424', 'log.syslog.appname': 'itoct', 'log.syslog.procid': '9',
        ...syslogFields({ facility: 23, severity: 3 }),
      }, m);
      expectLoopbackPeer(d, 'tcp', 'tcp');
      expectTimestampWithin(d, t0, t1);
    }
  });

  test('TCP, RFC 3164 with LF framing', async () => {
    const { docs, t0, t1, lines } = await send('it-logger-tcp3164', 50,
      ['-n', '127.0.0.1', '-P', String(tcp), '-T', '--rfc3164', '-t', 'it3164', '-p', 'auth.crit', '--id=31']);
    for (const [m, d] of docs) {
      expectFields(d, {
        message: lines.get(m), 'siemgate.format': 'rfc3164', 'log.syslog.appname': 'it3164', 'log.syslog.procid': '31',
        'log.syslog.hostname': HOST3164, ...syslogFields({ facility: 4, severity: 2 }),
      }, m);
      expectLoopbackPeer(d, 'tcp', 'tcp');
      expectTimestampWithin(d, Math.floor(t0 / 1000) * 1000, t1);
    }
  });

  test('TCP, framing: octet input with logger --octet-count; framing: lf input with logger -T', async () => {
    const a = await send('it-logger-octetonly', 20,
      ['-n', '127.0.0.1', '-P', String(tcpOctet), '-T', '--octet-count', '--rfc5424', '-t', 'ito', '-p', 'local3.warning']);
    for (const [m, d] of a.docs) {
      expectFields(d, { message: a.lines.get(m), 'siemgate.format': 'rfc5424', 'log.syslog.appname': 'ito', ...LOCAL3_WARNING }, m);
      expectLoopbackPeer(d, 'tcp', 'tcp-octet');
    }
    const b = await send('it-logger-lfonly', 20,
      ['-n', '127.0.0.1', '-P', String(tcpLf), '-T', '--rfc5424', '-t', 'itl', '-p', 'local3.warning']);
    for (const [m, d] of b.docs) {
      expectFields(d, { message: b.lines.get(m), 'siemgate.format': 'rfc5424', 'log.syslog.appname': 'itl', ...LOCAL3_WARNING }, m);
      expectLoopbackPeer(d, 'tcp', 'tcp-lf');
    }
  });

  test('one message per logger invocation (a connection each), 10 in a row', async () => {
    const ms = markers('it-logger-single', 10);
    for (const m of ms) await runLogger(['-n', '127.0.0.1', '-P', String(tcp), '-T', '--octet-count', '--rfc5424', '-t', 'one', m]);
    sent += ms.length;
    const docs = await expectExactlyOnce(gw, 'it-logger-single', ms);
    for (const [m, d] of docs) expectFields(d, { message: m, 'log.syslog.appname': 'one', ...syslogFields({ facility: 1, severity: 5 }) }, m);
    expect(new Set([...docs.values()].map((d) => d.source.port)).size).toBe(10);
  });

  test('SIGTERM: exit 0, and the file holds exactly the documents sent, nothing else', async () => {
    expect(await gw.stop()).toBe(0);
    const all = gw.docs();
    expect(all.length).toBe(sent);
    for (const d of all) expect(d.tags ?? []).not.toContain('parse_error');
  });
});
