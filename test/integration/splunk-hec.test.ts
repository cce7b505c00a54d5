/**
 * The Splunk HEC destination against a protocol-faithful HEC double (test/helpers/hec-double.ts,
 * protocols.md §4), with a real gateway process and TCP syslog in.
 */
import axios from 'axios';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, killAllGateways, startGateway, BIN } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitUntil } from '../helpers/procs';
import { startHecDouble, type HecDouble } from '../helpers/hec-double';
import { sendTcpLines } from '../helpers/clients';

jest.setTimeout(60000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

const TOKEN = '11111111-2222-3333-4444-555555555555';

const tcpSend = sendTcpLines;

const yaml = (tcp: number, dest: string) => `
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - name: splunk
    type: splunk_hec
    token: "${TOKEN}"
    batch: { max_events: 50, max_wait_ms: 50 }
    retry: { initial_ms: 50, max_ms: 200 }
${dest}
`;

describe('splunk_hec destination', () => {
  let hec: HecDouble;
  beforeEach(async () => { hec = await startHecDouble({ tokens: { [TOKEN]: { indexes: ['main', 'netfw'] } } }); });
  afterEach(async () => { await hec.close(); });

  test('events arrive as HEC objects: raw device text, epoch time, host, sourcetype, index, indexed fields; gzip and Splunk auth; a dead endpoint is passed over', async () => {
    const tcp = await freePort();
    const dead = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["http://127.0.0.1:${dead}", "${hec.url}"]\n    index: netfw`));
    const lines = Array.from({ length: 200 }, (_, i) => `<134>1 2026-11-23T10:00:0${i % 10}.250Z fw01 asa - - - hec event ${i} "quoted"`);
    await tcpSend(tcp, lines);
    await waitUntil(() => (hec.indexed.length >= 200 ? true : undefined), 20000, () => `indexed ${hec.indexed.length}`);
    expect(hec.indexed.map((e) => e.event)).toEqual(lines);
    expect(hec.indexed[3]).toEqual({
      time: 1795428003.25, host: 'fw01', source: 'siemgate:fw', sourcetype: 'syslog', index: 'netfw', event: lines[3],
      fields: { siemgate_input: 'fw', siemgate_format: 'rfc5424', siemgate_peer: '127.0.0.1' },
    });
    const ok = hec.requests.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.every((r) => r.gzip && r.auth === `Splunk ${TOKEN}` && r.path === '/services/collector/event')).toBe(true);
    await gw.stop();
    expect(gw.stderr()).toMatch(/splunk: delivered 200, pending 0, dead-lettered 0, dropped 0/);
  });

  test('an existing HEC sender pointed at siemgate: its time, host, source and sourcetype reach Splunk unchanged', async () => {
    const port = await freePort();
    const gw = await startGateway(`
data_dir: "@DIR@/data"
inputs:
  - { name: apps, type: http, address: "127.0.0.1:${port}", tokens: [{ name: app, secret: app-token-0123 }] }
destinations:
  - { name: splunk, type: splunk_hec, token: "${TOKEN}", endpoints: ["${hec.url}"], batch: { max_wait_ms: 50 } }
`);
    const body = [
      { time: 1795428000.5, host: 'web-7', source: '/var/log/shop/app.log', sourcetype: 'shop:app', event: { msg: 'order placed', id: 1 } },
      { time: 1795428001, host: 'web-8', source: 'checkout.py', sourcetype: 'shop:app', event: 'plain text event' },
    ].map((x) => JSON.stringify(x)).join('');
    const r = await axios.post(`http://127.0.0.1:${port}/services/collector/event`, body, { headers: { Authorization: 'Splunk app-token-0123' } });
    expect(r.data).toEqual({ text: 'Success', code: 0 });
    await waitUntil(() => (hec.indexed.length >= 2 ? true : undefined), 20000, () => `indexed ${hec.indexed.length}`);
    await gw.stop();
    expect(hec.indexed.map((e) => [e.time, e.host, e.source, e.sourcetype])).toEqual([
      [1795428000.5, 'web-7', '/var/log/shop/app.log', 'shop:app'],
      [1795428001, 'web-8', 'checkout.py', 'shop:app'],
    ]);
  });

  test('indexer acknowledgement: delivered only once acknowledged; a batch whose ack never comes is sent again', async () => {
    await hec.close();
    hec = await startHecDouble({ tokens: { [TOKEN]: { useAck: true } } });
    hec.ackWithhold = 1; // the indexer loses the first batch's acknowledgement
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${hec.url}"]\n    ack: true\n    ack_poll_ms: 100\n    ack_timeout_ms: 1500`));
    const lines = Array.from({ length: 20 }, (_, i) => `<13>Nov 23 10:00:00 host app: acked ${i}`);
    await tcpSend(tcp, lines);
    await waitUntil(() => (new Set(hec.indexed.map((e) => e.event)).size >= 20 && hec.requests.filter((r) => r.path.endsWith('/event')).length >= 2 ? true : undefined),
      20000, () => `indexed ${hec.indexed.length}`);
    await gw.stop();
    // every event indexed; the unacknowledged batch was sent again (at least once: duplicates only from it)
    expect(new Set(hec.indexed.map((e) => e.event))).toEqual(new Set(lines));
    const posts = hec.requests.filter((r) => r.path === '/services/collector/event' && r.status === 200);
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(hec.ackPolls).toBeGreaterThan(0);
    expect(gw.stderr()).toMatch(/splunk: delivered 20, pending 0, dead-lettered 0, dropped 0/);
  });

  test('faults: a reset connection is retried and indexed once; an answer slower than timeout_ms is retried (duplicates only from that batch)', async () => {
    const tcp = await freePort();
    hec.reset = 2;
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${hec.url}"]\n    timeout_ms: 500`));
    const first = Array.from({ length: 10 }, (_, i) => `<13>Nov 23 10:00:00 host app: reset ${i}`);
    await tcpSend(tcp, first);
    await waitUntil(() => (hec.indexed.length >= 10 ? true : undefined), 20000, () => `indexed ${hec.indexed.length}`);
    expect(hec.indexed.map((e) => e.event)).toEqual(first);
    hec.slow = 1;
    hec.delayMs = 1500;
    const second = Array.from({ length: 10 }, (_, i) => `<13>Nov 23 10:00:00 host app: slow ${i}`);
    await tcpSend(tcp, second);
    const slowOnes = () => hec.indexed.slice(10).map((e) => String(e.event));
    await waitUntil(() => (new Set(slowOnes()).size === 10 && slowOnes().length > 10 ? true : undefined), 20000, () => `indexed ${hec.indexed.length}`);
    await new Promise((r) => setTimeout(r, 300));
    // the slow request was indexed, then timed out on our side and was sent again: each event at
    // least once, and only the timed-out request's events twice
    const counts = new Map<string, number>();
    for (const e of slowOnes()) counts.set(e, (counts.get(e) ?? 0) + 1);
    expect(new Set(counts.keys())).toEqual(new Set(second));
    expect([...counts.values()].every((n) => n === 1 || n === 2)).toBe(true);
    expect(hec.requests.filter((r) => r.path.endsWith('/event') && r.status === 200).length).toBeGreaterThanOrEqual(3);
    await gw.stop();
    expect(gw.stderr()).toMatch(/splunk: delivered 20, pending 0, dead-lettered 0, dropped 0/);
  });

  test('busy (503 code 9): retried with backoff, each event indexed once', async () => {
    const tcp = await freePort();
    hec.busy = 3;
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${hec.url}"]`));
    const lines = Array.from({ length: 30 }, (_, i) => `<13>Nov 23 10:00:00 host app: busy ${i}`);
    await tcpSend(tcp, lines);
    await waitUntil(() => (hec.indexed.length >= 30 ? true : undefined), 20000, () => `indexed ${hec.indexed.length}`);
    expect(hec.indexed.map((e) => e.event)).toEqual(lines);
    expect(hec.requests.filter((r) => r.status === 503).length).toBe(3);
    await gw.stop();
    expect(gw.stderr()).toMatch(/splunk: delivered 30, pending 0/);
  });

  test('an index the token may not use: dead-lettered with HEC\'s reason, destination down with what to fix', async () => {
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${hec.url}"]\n    index: secret`));
    await tcpSend(tcp, Array.from({ length: 5 }, (_, i) => `<13>Nov 23 10:00:00 host app: idx ${i}`));
    const cfg = join(gw.dir, 'siemgate.yaml');
    let st: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0; i < 100; i++) {
      const r = await runProc(process.execPath, [BIN, 'buffer', 'status', '-c', cfg, '--json']);
      st = JSON.parse(r.stdout).destinations[0];
      if (st.deadLettered === 5 && st.state === 'down') break;
      await new Promise((r2) => setTimeout(r2, 100));
    }
    expect(st).toMatchObject({ deadLettered: 5, state: 'down' });
    expect(st.reason).toMatch(/code 7 "Incorrect index".*allowed indexes/);
    const list = await runProc(process.execPath, [BIN, 'buffer', 'dlq', 'list', 'splunk', '-c', cfg]);
    expect(list.stdout).toMatch(/index "secret" is not allowed for this token/);
    expect(hec.indexed).toHaveLength(0);
    // then the token is refused outright (revoked): down, with what to do
    hec.tokens.get(TOKEN)!.disabled = true;
    await tcpSend(tcp, ['<13>Nov 23 10:00:00 host app: after revoke']);
    await waitUntil(() => (hec.requests.some((r) => r.status === 403) ? true : undefined), 10000, () => 'a 403');
    await gw.stop();
    // the token is in no log line, status output, status file or dead letter (it is only ever a header)
    const status = await runProc(process.execPath, [BIN, 'buffer', 'status', '-c', cfg, '--json']);
    const places = [gw.stderr(), status.stdout, list.stdout, readFileSync(join(gw.dir, 'data', 'status.json'), 'utf8'),
      readFileSync(join(gw.dir, 'data', 'dead-letters', 'splunk.ndjson'), 'utf8')];
    for (const text of places) expect(text).not.toContain(TOKEN);
    expect(gw.stderr()).toMatch(/check the token/);
  });

  test('siemgate check asks each endpoint: healthy and token accepted, token refused, unreachable', async () => {
    const dead = await freePort();
    const dir = makeTempDir('sg-check-');
    const write = (name: string, token: string, endpoints: string) => {
      const f = join(dir, name);
      writeFileSync(f, `inputs:\n  - { name: t, type: syslog_tcp, address: "127.0.0.1:0" }\ndestinations:\n  - { name: splunk, type: splunk_hec, token: "${token}", endpoints: [${endpoints}] }\n`);
      return f;
    };
    let r = await runProc(process.execPath, [BIN, 'check', '-c', write('ok.yaml', TOKEN, `"${hec.url}"`)]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`destination splunk (splunk_hec): ${hec.url}: healthy, token accepted`);
    expect(hec.indexed).toHaveLength(0); // nothing was sent as an event
    r = await runProc(process.execPath, [BIN, 'check', '-c', write('bad.yaml', 'not-the-token', `"${hec.url}", "http://127.0.0.1:${dead}"`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/token refused \(HEC 403 code 4 "Invalid token"\); check token/);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${dead}: not reachable .*ECONNREFUSED`));
    expect(r.stderr).toContain('[SG_DEST_PROBE]');
    expect(r.stderr).not.toContain('not-the-token');
  });
});
