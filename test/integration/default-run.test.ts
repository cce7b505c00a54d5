/**
 * `siemgate run` with no config: the embedded default (UDP and TCP on 127.0.0.1:5514, HTTP on
 * 127.0.0.1:8088 without a token, ECS NDJSON to ./data/events.ndjson in the process cwd), driven
 * by logger and axios as the README shows; then a 2000-message TCP burst and SIGTERM: exit 0 and
 * all 2000 in the file (SIGTERM *during* a burst: see shutdown.test.ts). The fixed ports are why this is the only
 * file that runs the embedded default.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { killAllGateways, startGateway, type RunningGateway } from '../helpers/gateway';
import { describeNeeding, cleanUp, waitUntil } from '../helpers/procs';
import { LOGGER, runLogger } from '../helpers/clients';
import { checkExactlyOnce, expectExactlyOnce, expectFields, expectLoopbackPeer, groupByMarker, markers } from '../helpers/expect-docs';

jest.setTimeout(60000);

async function tcpFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', () => ok(false));
    s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });
}
async function udpFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const u = createSocket('udp4');
    u.once('error', () => ok(false));
    u.bind(port, '127.0.0.1', () => u.close(() => ok(true)));
  });
}

describeNeeding(LOGGER, 'logger (util-linux)', 'siemgate run (embedded default, no -c)', () => {
  let gw: RunningGateway;

  beforeAll(async () => {
    const busy = [];
    if (!(await udpFree(5514))) busy.push('udp 127.0.0.1:5514');
    if (!(await tcpFree(5514))) busy.push('tcp 127.0.0.1:5514');
    if (!(await tcpFree(8088))) busy.push('tcp 127.0.0.1:8088');
    if (!(await tcpFree(9280))) busy.push('tcp 127.0.0.1:9280 (admin)');
    if (busy.length) throw new Error(`the embedded default's ports are in use (${busy.join(', ')}); stop whatever holds them (another siemgate?)`);
    gw = await startGateway('', { args: ['run'], outPath: 'data/events.ndjson' });
  });

  afterAll(async () => {
    await killAllGateways();
    await cleanUp();
  });

  test('it says what it runs with and where it listens', () => {
    const log = gw.stderr();
    expect(log).toMatch(/siemgate starting with \(embedded default\)/);
    expect(log).toMatch(/input udp \(syslog_udp\) listening on 127\.0\.0\.1:5514/);
    expect(log).toMatch(/input tcp \(syslog_tcp\) listening on 127\.0\.0\.1:5514/);
    expect(log).toMatch(/input http \(http\) listening on 127\.0\.0\.1:8088/);
    expect(log).toMatch(/admin server on http:\/\/127\.0\.0\.1:9280 \(\/ dashboard, \/health, \/metrics, \/api\/status\)/);
  });

  test('the parse workers run at nice 10, the socket thread at 0 (Linux: /proc)', async () => {
    const pid = gw.proc.pid!;
    const niceOf = (tid: string): number => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19, nice
    };
    const lowered = () => readdirSync(`/proc/${pid}/task`).filter((t) => niceOf(t) === 10).length;
    // one worker per core (at most 8), lowered as each starts; only they are
    const workers = Math.min(8, Math.max(1, availableParallelism()));
    await waitUntil(() => (lowered() === workers ? true : undefined), 10000, () => `${lowered()} of ${workers} threads at nice 10`);
    expect(niceOf(String(pid))).toBe(0);
  });

  test('the admin server answers on 127.0.0.1:9280: /health 200', async () => {
    const r = await axios.get('http://127.0.0.1:9280/health', { validateStatus: () => true });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ status: 'ok', problems: [] });
  });

  test('README commands: logger over UDP, logger over TCP (octet counted, RFC 5424), HTTP without a token', async () => {
    await runLogger(['-n', '127.0.0.1', '-P', '5514', '-d', 'it-default-udp-0 hello over UDP']);
    await runLogger(['-n', '127.0.0.1', '-P', '5514', '-T', '--octet-count', '--rfc5424', 'it-default-tcp-0 hello over TCP']);
    const r = await axios.post('http://127.0.0.1:8088/v1/events', '{"message":"it-default-http-0 hello over HTTP","user":{"name":"alice"}}',
      { validateStatus: () => true, transformResponse: [(d: string) => d] });
    expect([r.status, r.data]).toEqual([200, '{"accepted":1}']);

    const udp = (await expectExactlyOnce(gw, 'it-default-udp', ['it-default-udp-0'])).get('it-default-udp-0')!;
    expectFields(udp, { message: 'it-default-udp-0 hello over UDP', 'siemgate.format': 'rfc5424' });
    expectLoopbackPeer(udp, 'udp', 'udp');
    const tcp = (await expectExactlyOnce(gw, 'it-default-tcp', ['it-default-tcp-0'])).get('it-default-tcp-0')!;
    expectFields(tcp, { message: 'it-default-tcp-0 hello over TCP', 'siemgate.format': 'rfc5424' });
    expectLoopbackPeer(tcp, 'tcp', 'tcp');
    const http = (await expectExactlyOnce(gw, 'it-default-http', ['it-default-http-0'])).get('it-default-http-0')!;
    expectFields(http, { message: 'it-default-http-0 hello over HTTP', 'user.name': 'alice', 'siemgate.input': 'http' });
    expect(existsSync(join(gw.dir, 'data/events.ndjson'))).toBe(true);
  });

  // shutdown.test.ts signals the moment the clients finished writing; here the whole default path.
  test('2000 TCP messages from one logger, then SIGTERM: exit 0 and all 2000 in the file, once each', async () => {
    const ms = markers('it-default-burst', 2000);
    await runLogger(['-n', '127.0.0.1', '-P', '5514', '-T', '--rfc5424', '-t', 'burst'], ms.map((m) => `${m} burst`));
    await expectExactlyOnce(gw, 'it-default-burst', ms, { settleMs: 0 });
    expect(await gw.stop()).toBe(0);
    const docs = gw.docs();
    const byMarker = checkExactlyOnce(groupByMarker(docs, 'it-default-burst'), 'it-default-burst', ms, () => gw.stderr());
    for (const [m, d] of byMarker) if (d.message !== `${m} burst`) throw new Error(`${m}: message ${JSON.stringify(d.message)}`);
    expect(docs.length).toBe(2000 + groupByMarker(docs, 'it-default-udp').size + groupByMarker(docs, 'it-default-tcp').size + groupByMarker(docs, 'it-default-http').size);
    expect(gw.stderr()).toMatch(new RegExp(`stopped: received ${docs.length}, journaled ${docs.length}, rejected at input 0; balanced; file: delivered ${docs.length}, pending 0`));
  });
});
