/**
 * The sentinel destination end to end: a real gateway process, syslog over TCP (RFC 5424, RFC 3164
 * and CEF lines), the journal, the connector, and the Entra ID + Logs Ingestion API double
 * (test/helpers/sentinel-double.ts, protocols.md §6.2), whose streams are the ones
 * docs/sentinel/dcr-all.json declares.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, killAllGateways, startGateway, BIN } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitUntil } from '../helpers/procs';
import { sendTcpLines } from '../helpers/clients';
import { startSentinelDouble, streamsFromTemplate, type SentinelDouble } from '../helpers/sentinel-double';

jest.setTimeout(60000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

const TENANT = '72f988bf-0000-4000-8000-0000000000aa';
const CLIENT = '60aeaa16-0000-4000-8000-0000000000bb';
const SECRET = 'It~Sentinel-secret-value-9f8e7d6c5b4a3210';
const DCR = 'dcr-1234567890abcdef1234567890abcdef';
const STREAMS = { syslog: 'Custom-SyslogStream', cef: 'Custom-CommonSecurityLogStream', ecs: 'Custom-SiemgateEvents_CL' };
const TEMPLATE = streamsFromTemplate(resolve(__dirname, '../../docs/sentinel/dcr-all.json'));
const ENV = { AZURE_CLIENT_SECRET: SECRET };

const destination = (d: SentinelDouble, secret = '${AZURE_CLIENT_SECRET}') => `
  - name: sentinel
    type: sentinel
    endpoint: "${d.ingestUrl}"
    dcr_immutable_id: ${DCR}
    streams: { syslog: ${STREAMS.syslog}, cef: ${STREAMS.cef}, ecs: ${STREAMS.ecs} }
    tenant_id: "${TENANT}"
    client_id: "${CLIENT}"
    client_secret: "${secret}"
    authority_host: "${d.loginUrl}"
    batch: { max_events: 50, max_wait_ms: 50 }
    retry: { initial_ms: 50, max_ms: 300 }`;

const yaml = (tcp: number, d: SentinelDouble) => `
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:${destination(d)}
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Status = Record<string, any>;
const statusOf = (dir: string): Status | undefined => {
  const p = join(dir, 'data', 'status.json');
  if (!existsSync(p)) return undefined;
  try { return (JSON.parse(readFileSync(p, 'utf8')) as { destinations: Status[] }).destinations[0]; } catch { return undefined; }
};

describe('sentinel destination', () => {
  let d: SentinelDouble;
  beforeEach(async () => {
    d = await startSentinelDouble({ tenants: { [TENANT]: { [CLIENT]: { secret: SECRET } } }, dcrs: { [DCR]: { streams: TEMPLATE, publishers: [CLIENT] } } });
  });
  afterEach(async () => { await d.close(); });

  test('syslog and CEF over TCP become Syslog and CommonSecurityLog rows, exactly; a token that expires mid-run is refreshed and nothing is lost', async () => {
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, d), { env: ENV });
    const first = [
      ...Array.from({ length: 20 }, (_, i) => `<165>1 2026-11-23T10:00:${String(i).padStart(2, '0')}.250Z host-a app 4321 ID1 - rfc5424 event ${i}`),
      ...Array.from({ length: 20 }, (_, i) => `<38>Nov 23 10:01:${String(i).padStart(2, '0')} host-b sshd[99]: rfc3164 event ${i}`),
      ...Array.from({ length: 20 }, (_, i) => `<134>Nov 23 10:02:00 fw1 CEF:0|Acme|Firewall|2.1|${100 + i}|blocked ${i}|7|src=10.0.0.${i} dst=192.0.2.1 spt=${40000 + i} dpt=443 proto=TCP in=${i * 10} act=deny custom${i}=v${i}`),
    ];
    await sendTcpLines(tcp, first);
    const count = () => d.allRows().length;
    await waitUntil(() => (count() >= 60 ? true : undefined), 20000, () => `rows ${count()}`);

    const syslog = d.rows.get(STREAMS.syslog)!;
    const byMsg = new Map(syslog.map((r) => [r.SyslogMessage, r]));
    expect(syslog).toHaveLength(40);
    expect(byMsg.get('rfc5424 event 7')).toEqual({
      TimeGenerated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), EventTime: '2026-11-23T10:00:07.250Z',
      Computer: 'host-a', HostName: 'host-a', HostIP: '127.0.0.1', Facility: 'local4', SeverityLevel: 'notice', ProcessID: 4321,
      ProcessName: 'app', SyslogMessage: 'rfc5424 event 7', SourceSystem: 'siemgate', CollectorHostName: expect.any(String),
    });
    expect(byMsg.get('rfc3164 event 3')).toMatchObject({ Computer: 'host-b', Facility: 'auth', SeverityLevel: 'info', ProcessID: 99, ProcessName: 'sshd' });
    const cef = d.rows.get(STREAMS.cef)!;
    expect(cef).toHaveLength(20);
    expect(cef.find((r) => r.DeviceEventClassID === '105')).toEqual({
      TimeGenerated: expect.any(String), DeviceVendor: 'Acme', DeviceProduct: 'Firewall', DeviceVersion: '2.1', DeviceEventClassID: '105',
      Activity: 'blocked 5', LogSeverity: '7', Computer: 'fw1', SourceIP: '10.0.0.5', DestinationIP: '192.0.2.1', SourcePort: 40005,
      DestinationPort: 443, Protocol: 'TCP', ReceivedBytes: 50, DeviceAction: 'deny', AdditionalExtensions: 'custom5=v5',
      SourceSystem: 'siemgate', CollectorHostName: expect.any(String),
    });
    expect(d.rows.get(STREAMS.ecs)).toBeUndefined();

    // the service stops taking the token before its expires_in: one refresh, the batch sent again
    d.expireTokens();
    const second = Array.from({ length: 30 }, (_, i) => `<13>1 2026-11-23T11:00:00Z host-c app - - - after expiry ${i}`);
    await sendTcpLines(tcp, second);
    await waitUntil(() => (count() >= 90 ? true : undefined), 20000, () => `rows ${count()}`);
    await gw.stop();

    const messages = d.rows.get(STREAMS.syslog)!.map((r) => r.SyslogMessage as string);
    expect(new Set(messages).size).toBe(messages.length); // nothing twice
    expect(messages.filter((m) => m.startsWith('after expiry')).sort()).toEqual(second.map((_, i) => `after expiry ${i}`).sort());
    expect(d.tokenRequests.map((t) => t.status)).toEqual([200, 200]);
    expect(d.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    for (const r of d.requests) {
      expect(r.authorization).toMatch(/^Bearer /);
      expect(r).toMatchObject({ contentEncoding: 'gzip', apiVersion: '2023-01-01', dcr: DCR });
      expect(r.bodyBytes).toBeLessThanOrEqual(1_000_000);
    }
    expect([d.schemaViolations, d.droppedBodies, d.truncatedFields]).toEqual([[], 0, 0]);
    expect(gw.stderr()).toMatch(/sentinel: delivered 90, pending 0, dead-lettered 0, dropped 0/);
    expect(gw.stderr()).not.toContain(SECRET);
  });

  test('no role (403): destination down with what to do, events wait; once the role is granted they are delivered', async () => {
    d.revoke(CLIENT);
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, d), { env: ENV });
    const lines = Array.from({ length: 10 }, (_, i) => `<13>1 2026-11-23T10:00:00Z host app - - - waiting ${i}`);
    await sendTcpLines(tcp, lines);
    const down = await waitUntil(() => { const s = statusOf(gw.dir); return s?.state === 'down' ? s : undefined; }, 20000, () => JSON.stringify(statusOf(gw.dir)));
    expect(down.reason).toMatch(/403 OperationFailed.*"Monitoring Metrics Publisher" role on data collection rule dcr-1234.*up to 30 minutes/);
    expect(down.ledger).toMatchObject({ delivered: 0, deadLettered: 0 });
    expect(d.allRows()).toEqual([]);
    d.grant(CLIENT);
    await waitUntil(() => (d.allRows().length >= 10 ? true : undefined), 20000, () => `rows ${d.allRows().length}`);
    const up = await waitUntil(() => { const s = statusOf(gw.dir); return s?.state === 'up' ? s : undefined; }, 20000, () => JSON.stringify(statusOf(gw.dir)));
    expect(up.reason).toBeUndefined();
    await gw.stop();
    expect(d.allRows().map((r) => r.SyslogMessage).sort()).toEqual(lines.map((_, i) => `waiting ${i}`).sort());
    expect(gw.stderr()).toMatch(/sentinel: delivered 10, pending 0, dead-lettered 0/);
  });

  test('a row the service refuses (400): only it is dead-lettered, with the service\'s code and message; no secret anywhere', async () => {
    d.rejectRowsContaining = 'POISON';
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, d), { env: ENV });
    const lines = Array.from({ length: 6 }, (_, i) => `<13>1 2026-11-23T10:00:00Z host app - - - row ${i}${i === 4 ? ' POISON' : ''}`);
    await sendTcpLines(tcp, lines);
    await waitUntil(() => { const s = statusOf(gw.dir); return s?.ledger?.deadLettered === 1 && d.allRows().length === 5 ? true : undefined; },
      20000, () => `${JSON.stringify(statusOf(gw.dir))} rows ${d.allRows().length}`);
    await gw.stop();
    const cfg = join(gw.dir, 'siemgate.yaml');
    const list = await runProc(process.execPath, [BIN, 'buffer', 'dlq', 'list', 'sentinel', '-c', cfg], { env: { ...process.env, ...ENV } });
    expect(list.stdout).toMatch(/Logs Ingestion API 400 InvalidPayload: Data of record 0 does not match/);
    expect(d.allRows().map((r) => r.SyslogMessage)).not.toContain('row 4 POISON');
    const places = [gw.stderr(), list.stdout, readFileSync(join(gw.dir, 'data', 'status.json'), 'utf8'),
      readFileSync(join(gw.dir, 'data', 'dead-letters', 'sentinel.ndjson'), 'utf8')];
    const tokens = new Set(d.requests.map((r) => r.authorization!.slice('Bearer '.length)));
    expect(tokens.size).toBeGreaterThan(0);
    for (const text of places) {
      expect(text).not.toContain(SECRET);
      for (const t of tokens) expect(text).not.toContain(t);
    }
  });

  test('siemgate check: accepted per stream; a wrong secret and a missing role each explained in one line', async () => {
    const dir = makeTempDir('sg-check-');
    const write = (name: string, secret: string) => {
      const f = join(dir, name);
      writeFileSync(f, `inputs:\n  - { name: t, type: syslog_tcp, address: "127.0.0.1:0" }\ndestinations:${destination(d, secret)}\n`);
      return f;
    };
    let r = await runProc(process.execPath, [BIN, 'check', '-c', write('ok.yaml', SECRET)]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`destination sentinel (sentinel): streams.syslog ${STREAMS.syslog}: token and role accepted`);
    expect(r.stdout).toContain(`streams.ecs ${STREAMS.ecs}: token and role accepted`);
    expect(d.allRows()).toEqual([]);

    r = await runProc(process.execPath, [BIN, 'check', '-c', write('bad.yaml', 'not-the-secret-at-all')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[SG_DEST_PROBE\]/);
    expect(r.stderr).toMatch(/AADSTS7000215\): copy the secret's Value, not its Secret ID/);
    expect(r.stderr).not.toContain('not-the-secret-at-all');

    d.revoke(CLIENT);
    r = await runProc(process.execPath, [BIN, 'check', '-c', write('norole.yaml', SECRET)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/streams\.syslog: Logs Ingestion API 403 OperationFailed.*Monitoring Metrics Publisher/);
    expect(r.stderr).not.toContain(SECRET);
  });
});
