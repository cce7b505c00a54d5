/**
 * syslog-ng 3.38 (system package) forwarding to the real gateway: the network() destination (RFC 3164
 * style, LF framing), the syslog() destination (RFC 5424, octet counted) over TCP, and syslog() over
 * TLS with certificates both ways (client_auth: required). syslog-ng runs in the foreground with its
 * own config, pid, control and persist files, fed by `logger` through its own network() source on
 * another loopback port; each message carries a marker.
 */
import { hostname } from 'node:os';
import { freePort, killAllGateways, startGateway, type RunningGateway } from '../helpers/gateway';
import { describeNeeding, cleanUp } from '../helpers/procs';
import { LOGGER, OPENSSL, runLogger, startSyslogNg, SYSLOG_NG } from '../helpers/clients';
import { makeTestPki, type TestPki } from '../helpers/certs';
import {
  expectExactlyOnce, expectFields, expectLoopbackPeer, expectTimestampWithin, markers, syslogFields, type Doc,
  expectRelayed3164,
} from '../helpers/expect-docs';

jest.setTimeout(60000);

const HOST = hostname();

describeNeeding(SYSLOG_NG && LOGGER && OPENSSL, 'syslog-ng (syslog-ng-core), logger and openssl', 'syslog-ng -> siemgate', () => {
  let gw: RunningGateway;
  let pki: TestPki;
  let tcp: number; let mtls: number;
  let sent = 0;
  const keptLf: string[] = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    [tcp, mtls] = [await freePort(), await freePort()];
    gw = await startGateway(`
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
  - name: mtls
    type: syslog_tls
    address: "127.0.0.1:${mtls}"
    tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}", ca_file: "${pki.caCert}", client_auth: required }
destinations:
  - { name: out, type: file, path: "@OUT@" }
`);
  });

  afterAll(async () => {
    await killAllGateways();
    await cleanUp();
  });

  /** syslog-ng with one network() source (RFC 5424 from logger, LF framed) and `destination`; feeds n markers. */
  async function relay(prefix: string, n: number, destination: string) {
    const inPort = await freePort();
    const sng = await startSyslogNg(`@version: 3.38
options { use-dns(no); dns-cache(no); use-fqdn(no); keep-hostname(yes); chain-hostnames(no); stats-freq(0); };
source s_in { network(ip("127.0.0.1") port(${inPort}) transport("tcp") flags(syslog-protocol)); };
destination d_gw { ${destination} };
log { source(s_in); destination(d_gw); flags(flow-control); };
`, inPort);
    try {
      const ms = markers(prefix, n);
      const lines = new Map(ms.map((m) => [m, `${m} via syslog-ng`]));
      const t0 = Date.now();
      await runLogger(['-n', '127.0.0.1', '-P', String(inPort), '-T', '--rfc5424', '-t', 'ngtag', '-p', 'local3.warning', '--id=4242',
        '--msgid', 'NGID', '--sd-id', 'test@32473', '--sd-param', 'k="v \\"q\\""'], [...lines.values()]);
      sent += n;
      const docs = await expectExactlyOnce(gw, prefix, ms);
      return { docs, lines, t0 };
    } finally {
      await sng.stop();
    }
  }

  function check5424(d: Doc, m: string, line: string, t0: number, input: string): void {
    if (typeof d.message === 'string' && d.message.endsWith('\n')) keptLf.push(`${m} (${input})`);
    expectFields({ ...d, message: typeof d.message === 'string' ? d.message.replace(/\n$/, '') : d.message }, {
      message: line, 'siemgate.format': 'rfc5424', 'log.syslog.version': '1', 'log.syslog.appname': 'ngtag',
      'log.syslog.procid': '4242', 'log.syslog.msgid': 'NGID', 'log.syslog.hostname': HOST,
      ...syslogFields({ facility: 19, severity: 4 }),
    }, m);
    expect(d.log.syslog.structured_data['test@32473']).toEqual({ k: 'v "q"' });
    expectLoopbackPeer(d, 'tcp', input);
    // syslog-ng's default frac-digits(0): second precision
    expectTimestampWithin(d, Math.floor(t0 / 1000) * 1000, Date.now());
  }

  test('network() destination, TCP (RFC 3164 style, LF framed): 50 messages', async () => {
    const { docs, lines, t0 } = await relay('it-sng-network', 50, `network("127.0.0.1" port(${tcp}) transport("tcp"));`);
    // on the wire: <156>Nov 23 07:47:12 host ngtag[4242]: it-sng-network-0 via syslog-ng
    for (const [m, d] of docs) expectRelayed3164(d, m, lines.get(m), 'ngtag', t0);
  });

  test('syslog() destination, TCP (RFC 5424, octet counted): 50 messages, SD round-trips', async () => {
    const { docs, lines, t0 } = await relay('it-sng-syslog', 50, `syslog("127.0.0.1" port(${tcp}) transport("tcp"));`);
    for (const [m, d] of docs) check5424(d, m, lines.get(m)!, t0, 'tcp');
  });

  test('syslog() destination over TLS, peer-verify(required-trusted) and a client certificate: 50 messages', async () => {
    const { docs, lines, t0 } = await relay('it-sng-tls', 50, `syslog("127.0.0.1" port(${mtls}) transport("tls")
      tls(ca-file("${pki.caCert}") cert-file("${pki.clientCert}") key-file("${pki.clientKey}") peer-verify(required-trusted)));`);
    for (const [m, d] of docs) check5424(d, m, lines.get(m)!, t0, 'mtls');
  });

  // syslog-ng's syslog() driver also ends each frame with an LF inside the octet count (see rsyslog.test.ts).
  test('syslog() frames end in LF inside the octet count: the LF is not kept in message', () => {
    expect(keptLf).toEqual([]);
  });

  test('SIGTERM: exit 0, and the file holds exactly the documents sent, nothing else', async () => {
    expect(await gw.stop()).toBe(0);
    expect(gw.docs().length).toBe(sent);
  });
});
