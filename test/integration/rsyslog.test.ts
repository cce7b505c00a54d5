/**
 * rsyslog 8.2302 (unpacked by .ci/deps.sh) forwarding to the real gateway with omfwd: TCP with
 * octet counting and with LF framing (RFC 5424 template), the default RSYSLOG_TraditionalForwardFormat
 * (RFC 3164 on the wire), and TLS through the gnutls stream driver, anonymous and with
 * certificates both ways (client_auth: required). rsyslog is fed by `logger` on a second loopback
 * port (imtcp, octet-counted, so nothing can be lost before rsyslog); each message carries a marker.
 */
import { hostname } from 'node:os';
import { freePort, killAllGateways, startGateway, type RunningGateway } from '../helpers/gateway';
import { describeNeeding, cleanUp, sleep } from '../helpers/procs';
import { LOGGER, OPENSSL, RSYSLOG, RSYSLOG_GTLS, runLogger, startRsyslog, type Daemon } from '../helpers/clients';
import { makeTestPki, type TestPki } from '../helpers/certs';
import {
  expectExactlyOnce, expectFields, expectLoopbackPeer, expectTimestampWithin, groupByMarker, markers, syslogFields, type Doc,
  expectRelayed3164,
} from '../helpers/expect-docs';

jest.setTimeout(60000);

const HOST = hostname();

describeNeeding(RSYSLOG && RSYSLOG_GTLS && LOGGER && OPENSSL, 'rsyslogd + rsyslog-gnutls (unpacked), logger and openssl',
  'rsyslog omfwd -> siemgate', () => {
    let gw: RunningGateway;
    let pki: TestPki;
    let tcp: number; let tls: number; let mtls: number; let mtls2: number;
    let sent = 0;

    beforeAll(async () => {
      pki = await makeTestPki();
      [tcp, tls, mtls, mtls2] = [await freePort(), await freePort(), await freePort(), await freePort()];
      gw = await startGateway(`
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
  - name: tls
    type: syslog_tls
    address: "127.0.0.1:${tls}"
    tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}" }
  - name: mtls
    type: syslog_tls
    address: "127.0.0.1:${mtls}"
    tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}", ca_file: "${pki.caCert}", client_auth: required }
  - name: mtls2
    type: syslog_tls
    address: "127.0.0.1:${mtls2}"
    tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}", ca_file: "${pki.caCert}", client_auth: required }
destinations:
  - { name: out, type: file, path: "@OUT@" }
`);
    });

    afterAll(async () => {
      await killAllGateways();
      await cleanUp();
    });

    /**
     * Starts rsyslog with an imtcp input bound to a ruleset that holds only `action` (rsyslog's own
     * internal messages go to the default ruleset, which has no action, so they are not forwarded).
     */
    async function withRsyslog<T>(action: string, fn: (inPort: number, rs: Daemon) => Promise<T>, globals = ''): Promise<T> {
      const inPort = await freePort();
      const rs = await startRsyslog(`
global(workDirectory="@DIR@/work" maxMessageSize="64k" ${globals})
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="${inPort}" ruleset="fwd")
ruleset(name="fwd") {
  ${action}
}
`, inPort);
      try {
        return await fn(inPort, rs);
      } finally {
        await rs.stop();
      }
    }

    /** logger -> rsyslog (octet-counted TCP, RFC 5424 or 3164), n lines with markers. */
    async function feed(inPort: number, prefix: string, n: number, mode: '--rfc5424' | '--rfc3164') {
      const ms = markers(prefix, n);
      const lines = new Map(ms.map((m) => [m, `${m} via rsyslog`]));
      const t0 = Date.now();
      await runLogger(['-n', '127.0.0.1', '-P', String(inPort), '-T', '--octet-count', mode, '-t', 'rstag', '-p', 'local3.warning',
        '--id=4242', ...(mode === '--rfc5424' ? ['--msgid', 'RSID', '--sd-id', 'test@32473', '--sd-param', 'k="v \\"q\\""'] : [])],
      [...lines.values()]);
      sent += n;
      return { ms, lines, t0 };
    }

    /**
     * Markers whose message kept the LF that ends rsyslog's RSYSLOG_SyslogProtocol23Format inside
     * the octet count (the test below requires none). The other checks compare without it.
     */
    const keptLf: string[] = [];

    function check5424(d: Doc, m: string, line: string, t0: number, input: string): void {
      if (typeof d.message === 'string' && d.message.endsWith('\n')) keptLf.push(`${m} (${input})`);
      expectFields({ ...d, message: typeof d.message === 'string' ? d.message.replace(/\n$/, '') : d.message }, {
        message: line, 'siemgate.format': 'rfc5424', 'log.syslog.version': '1',
        'log.syslog.appname': 'rstag', 'log.syslog.procid': '4242', 'log.syslog.msgid': 'RSID', 'log.syslog.hostname': HOST,
        ...syslogFields({ facility: 19, severity: 4 }),
      }, m);
      expect(d.log.syslog.structured_data['test@32473']).toEqual({ k: 'v "q"' });
      expectLoopbackPeer(d, 'tcp', input);
      expectTimestampWithin(d, t0, Date.now());
    }

    test('omfwd TCP, TCP_Framing="octet-counted", RSYSLOG_SyslogProtocol23Format: 50 messages', async () => {
      await withRsyslog(`action(type="omfwd" target="127.0.0.1" port="${tcp}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        async (inPort) => {
          const { ms, lines, t0 } = await feed(inPort, 'it-rsyslog-octet', 50, '--rfc5424');
          const docs = await expectExactlyOnce(gw, 'it-rsyslog-octet', ms);
          // rsyslog's template ends in LF and the octet count includes it: the LF is not part of the message
          for (const [m, d] of docs) check5424(d, m, lines.get(m)!, t0, 'tcp');
        });
    });

    test('omfwd TCP, traditional LF framing, RSYSLOG_SyslogProtocol23Format: 50 messages', async () => {
      await withRsyslog(`action(type="omfwd" target="127.0.0.1" port="${tcp}" protocol="tcp" template="RSYSLOG_SyslogProtocol23Format")`,
        async (inPort) => {
          const { ms, lines, t0 } = await feed(inPort, 'it-rsyslog-lf', 50, '--rfc5424');
          const docs = await expectExactlyOnce(gw, 'it-rsyslog-lf', ms);
          for (const [m, d] of docs) check5424(d, m, lines.get(m)!, t0, 'tcp');
        });
    });

    test('omfwd TCP with the default template (RSYSLOG_TraditionalForwardFormat, RFC 3164): 50 messages', async () => {
      await withRsyslog(`action(type="omfwd" target="127.0.0.1" port="${tcp}" protocol="tcp")`, async (inPort) => {
        const { ms, lines, t0 } = await feed(inPort, 'it-rsyslog-bsd', 50, '--rfc3164');
        const docs = await expectExactlyOnce(gw, 'it-rsyslog-bsd', ms);
        // on the wire: <156>Nov 23 07:46:54 host rstag[4242]: it-rsyslog-bsd-0 via rsyslog
        for (const [m, d] of docs) expectRelayed3164(d, m, lines.get(m), 'rstag', t0);
      });
    });

    test('omfwd TLS (gtls, StreamDriverAuthMode="anon") to syslog_tls: 50 messages', async () => {
      await withRsyslog(`action(type="omfwd" target="127.0.0.1" port="${tls}" protocol="tcp" TCP_Framing="octet-counted"
        StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="anon" template="RSYSLOG_SyslogProtocol23Format")`,
      async (inPort) => {
        const { ms, lines, t0 } = await feed(inPort, 'it-rsyslog-tlsanon', 50, '--rfc5424');
        const docs = await expectExactlyOnce(gw, 'it-rsyslog-tlsanon', ms);
        for (const [m, d] of docs) check5424(d, m, lines.get(m)!, t0, 'tls');
      }, `DefaultNetstreamDriverCAFile="${pki.caCert}"`);
    });

    test('omfwd TLS, x509/name both ways: rsyslog checks the gateway, client_auth: required checks rsyslog', async () => {
      await withRsyslog(`action(type="omfwd" target="127.0.0.1" port="${mtls}" protocol="tcp" TCP_Framing="octet-counted"
        StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"
        template="RSYSLOG_SyslogProtocol23Format")`,
      async (inPort) => {
        const { ms, lines, t0 } = await feed(inPort, 'it-rsyslog-mtls', 50, '--rfc5424');
        const docs = await expectExactlyOnce(gw, 'it-rsyslog-mtls', ms);
        for (const [m, d] of docs) check5424(d, m, lines.get(m)!, t0, 'mtls');
      }, `DefaultNetstreamDriverCAFile="${pki.caCert}" DefaultNetstreamDriverCertFile="${pki.clientCert}" DefaultNetstreamDriverKeyFile="${pki.clientKey}"`);
    });

    test('client_auth: required refuses rsyslog without a client certificate, and with one from another CA', async () => {
      // Two inputs, one per case: the gateway rate-limits its handshake-failure log per input and peer IP.
      for (const [prefix, input, port, globals] of [
        ['it-rsyslog-nocert', 'mtls', mtls, `DefaultNetstreamDriverCAFile="${pki.caCert}"`],
        ['it-rsyslog-roguecert', 'mtls2', mtls2, `DefaultNetstreamDriverCAFile="${pki.caCert}" DefaultNetstreamDriverCertFile="${pki.rogueClientCert}" DefaultNetstreamDriverKeyFile="${pki.rogueClientKey}"`],
      ] as const) {
        // The log line's peer and reason are checked by the test below.
        const failed = new RegExp(`input ${input}: TLS handshake with .* failed`);
        await withRsyslog(`action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp" TCP_Framing="octet-counted"
          StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/certvalid" template="RSYSLOG_SyslogProtocol23Format")`,
        async (inPort) => {
          await runLogger(['-n', '127.0.0.1', '-P', String(inPort), '-T', '--octet-count', '--rfc5424', '-t', 'rstag'], markers(prefix, 5));
          const until = Date.now() + 5000;
          while (!failed.test(gw.stderr()) && Date.now() < until) await sleep(50);
          await sleep(300);
        }, globals);
        expect(gw.stderr()).toMatch(failed);
        expect(groupByMarker(gw.docs(), prefix).size).toBe(0);
      }
    });

    // With client_auth: required Node destroys the socket of an untrusted certificate itself and the
    // error says only "socket hang up": the log must still name the peer and the verification result.
    test('a refused untrusted client certificate is logged with its peer address and the verification error', () => {
      const line = gw.stderr().split('\n').find((l) => l.includes('input mtls2: TLS handshake with'));
      expect(line).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed: .*(issuer|verify|certificate)/i);
    });

    // rsyslog (and syslog-ng's syslog()) put the template's trailing LF inside the octet count; like
    // rsyslog's own receiver (parser.dropTrailingLFOnReception) the gateway does not keep it.
    test('octet-counted frames ending in LF (rsyslog TCP_Framing="octet-counted"): the LF is not kept in message', () => {
      expect(keptLf).toEqual([]);
    });

    test('SIGTERM: exit 0, and the file holds exactly the documents sent, nothing else', async () => {
      expect(await gw.stop()).toBe(0);
      expect(gw.docs().length).toBe(sent);
    });
  });
