/**
 * The admin server of a running gateway: /health, /metrics (Prometheus text, read with a strict
 * line parser), /api/status. A real gateway process, TCP syslog in, an Elasticsearch double out.
 */
import { freePort, killAllGateways, startGateway, BIN } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitUntil } from '../helpers/procs';
import { startEsDouble, type EsDouble } from '../helpers/es-double';
import { sendTcpLines } from '../helpers/clients';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import axios from 'axios';
import { makeTestPki } from '../helpers/certs';
import { join } from 'node:path';

jest.setTimeout(60000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

const KEY = Buffer.from('siemgate-writer:admin-test-key').toString('base64');

/** Prometheus text exposition: `name{labels} value` per sample; HELP/TYPE lines checked for every name. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE (\S+) (counter|gauge|histogram|summary)$/.exec(line);
    if (t) { typed.add(t[1]); continue; }
    if (line.startsWith('# HELP ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN)$/.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const base = m[1].replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(m[1]) && !typed.has(base)) throw new Error(`sample before its # TYPE: ${line}`);
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

describe('admin server', () => {
  let es: EsDouble;
  beforeEach(async () => { es = await startEsDouble({ apiKeys: { [KEY]: { user: 'siemgate' } } }); });
  afterEach(async () => { await es.close(); });

  test('/health is 200 while all is well and 503 naming the destination that is down; /metrics and /api/status agree with the ledger', async () => {
    const tcp = await freePort();
    const admin = await freePort();
    const yaml = (key: string) => `
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: es, type: elasticsearch, endpoints: ["${es.url}"], api_key: "${key}", batch: { max_events: 10, max_wait_ms: 20 }, retry: { initial_ms: 50, max_ms: 200 } }
admin: { address: "127.0.0.1:${admin}" }
`;
    const gw = await startGateway(yaml(KEY));
    const base = `http://127.0.0.1:${admin}`;
    const get = async (path: string, init?: RequestInit) => { const r = await fetch(base + path, init); return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }; };
    expect(gw.stderr()).toContain(`admin server on ${base}`);

    const h = await get('/health');
    expect(h.status).toBe(200);
    expect(JSON.parse(h.text)).toMatchObject({ status: 'ok', problems: [], inputs: [{ name: 'fw', listening: `127.0.0.1:${tcp}` }], destinations: [{ name: 'es', state: 'up' }] });

    const lines = Array.from({ length: 25 }, (_, i) => `<134>1 2026-11-23T10:00:00Z fw01 app - - - admin ${i}`);
    await sendTcpLines(tcp, lines);
    await waitUntil(() => (es.docs().length >= 25 ? true : undefined), 20000, () => `indexed ${es.docs().length}`);
    const m = await waitUntil(async () => {
      const r = await get('/metrics');
      const mm = parseMetrics(r.text);
      return mm.get('siemgate_destination_delivered_total{destination="es"}') === 25 ? { r, mm } : undefined;
    }, 10000, () => 'delivered_total not 25');
    expect(m.r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const mm = m.mm;
    expect(mm.get('siemgate_input_received_total{input="fw"}')).toBe(25);
    expect(mm.get('siemgate_events_received_total')).toBe(25);
    expect(mm.get('siemgate_events_journaled_total')).toBe(25);
    expect(mm.get('siemgate_ledger_unaccounted_events{scope="inputs"}')).toBe(0);
    expect(mm.get('siemgate_ledger_unaccounted_events{scope="es"}')).toBe(0);
    expect(mm.get('siemgate_destination_pending_events{destination="es"}')).toBe(0);
    expect(mm.get('siemgate_destination_state{destination="es",state="up"}')).toBe(1);
    expect(mm.get('siemgate_destination_state{destination="es",state="down"}')).toBe(0);
    expect(mm.get('siemgate_journal_segments')).toBeGreaterThanOrEqual(1);
    expect(mm.get('siemgate_input_bytes_total{input="fw"}')).toBe(lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0));
    expect([...mm.keys()].some((k) => k.startsWith('siemgate_process_cpu_seconds_total'))).toBe(true);
    // request durations: a histogram whose +Inf bucket counts every request the double saw
    const requests = mm.get('siemgate_destination_request_duration_seconds_count{destination="es"}')!;
    expect(requests).toBe(es.requests.filter((r) => r.path === '/_bulk').length);
    expect(mm.get('siemgate_destination_request_duration_seconds_bucket{destination="es",le="+Inf"}')).toBe(requests);
    expect(mm.get('siemgate_destination_request_duration_seconds_bucket{destination="es",le="30"}')).toBe(requests);
    expect(mm.get('siemgate_destination_request_duration_seconds_sum{destination="es"}')).toBeGreaterThan(0);

    const st = JSON.parse((await get('/api/status')).text);
    expect(st.ledger).toMatchObject({ received: 25, journaled: 25, unaccounted: 0 });
    expect(st.destinations[0]).toMatchObject({ name: 'es', state: 'up', pending: 0 });

    expect((await get('/health', { method: 'POST' })).status).toBe(405);
    expect(JSON.parse((await get('/nope')).text).error).toMatch(/try \/ \(the dashboard\), \/health, \/metrics, \/api\/status or \/reports\/<file> of a configured report/);

    // the cluster stops taking the key: the destination goes down, /health says so
    es.apiKeys.delete(KEY);
    await sendTcpLines(tcp, ['<134>1 2026-11-23T10:00:01Z fw01 app - - - after']);
    const down = await waitUntil(async () => { const r = await get('/health'); return r.status === 503 ? JSON.parse(r.text) : undefined; }, 30000, () => 'still 200');
    expect(down.status).toBe('failing');
    expect(down.problems[0]).toMatch(/^destination es is down: .*401/);
    expect(parseMetrics((await get('/metrics')).text).get('siemgate_destination_pending_events{destination="es"}')).toBe(1);
    await gw.stop();
  });

  test('with tokens and TLS: https only, every request needs a Bearer token from admin.tokens, refusals logged with the peer', async () => {
    const pki = await makeTestPki();
    const tcp = await freePort();
    const admin = await freePort();
    const gw = await startGateway(`
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: f, type: file, path: "@OUT@" }
admin:
  address: "127.0.0.1:${admin}"
  tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}" }
  tokens:
    - { name: prometheus, secret: "scrape-token-0123456789", scope: read }
`);
    const agent = new https.Agent({ ca: readFileSync(pki.caCert) });
    const get = (path: string, token?: string) => axios.get(`https://127.0.0.1:${admin}${path}`,
      { httpsAgent: agent, validateStatus: () => true, headers: token === undefined ? {} : { Authorization: token } });
    expect(gw.stderr()).toContain(`admin server on https://127.0.0.1:${admin} (/ dashboard, /health, /metrics, /api/status); 1 token(s) accepted`);
    const none = await get('/health');
    expect([none.status, none.headers['www-authenticate'], none.data.error]).toEqual([401, 'Bearer realm="siemgate-admin"', expect.stringMatching(/^no token: send Authorization: Bearer <token>/)]);
    expect((await get('/metrics', 'Bearer wrong-token')).status).toBe(401);
    expect((await get('/metrics', 'Basic ' + Buffer.from('x:scrape-token-0123456789').toString('base64'))).status).toBe(401);
    const ok = await get('/metrics', 'Bearer scrape-token-0123456789');
    expect(ok.status).toBe(200);
    expect(ok.data).toContain('siemgate_input_received_total{input="fw"} 0');
    await expect(axios.get(`http://127.0.0.1:${admin}/health`, { timeout: 3000 })).rejects.toThrow();
    await gw.stop();
    const refusals = gw.stderr().split('\n').filter((l) => l.includes('admin: refused'));
    expect(refusals.map((l) => l.replace(/^.*admin: /, ''))).toEqual([
      'refused GET /health from 127.0.0.1: no token',
      'refused GET /metrics from 127.0.0.1: an unknown token',
      'refused GET /metrics from 127.0.0.1: not a Bearer token',
    ]);
    expect(gw.stderr()).not.toContain('scrape-token-0123456789');
  });

  test('operator actions: POST with an operator token replays dead letters and runs a report; a read token gets 403; each is audited', async () => {
    const tcp = await freePort();
    const admin = await freePort();
    const gw = await startGateway(`
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - { name: es, type: elasticsearch, endpoints: ["${es.url}"], api_key: "${KEY}", batch: { max_wait_ms: 50 } }
admin:
  address: "127.0.0.1:${admin}"
  tokens:
    - { name: grafana, secret: "read-token-0123456789", scope: read }
    - { name: oncall, secret: "operator-token-0123456789", scope: operator }
reports:
  - { name: now, kind: compliance, cron: "0 0 1 1 *", formats: [json, html], to: [{ type: file, dir: "@DIR@/reports" }] }
`);
    const post = (path: string, token: string) => axios.post(`http://127.0.0.1:${admin}${path}`, '', { validateStatus: () => true, headers: { Authorization: `Bearer ${token}` } });
    // make dead letters: Elasticsearch refuses the documents with a mapping error
    es.itemFaults.push({ match: () => true, status: 400, type: 'document_parsing_exception', reason: '[1:20] failed to parse field [source.port]' });
    await sendTcpLines(tcp, ['<134>Nov 23 10:00:00 fw1 app: one', '<134>Nov 23 10:00:01 fw1 app: two']);
    const statusOf = async () => (await axios.get(`http://127.0.0.1:${admin}/api/status`, { headers: { Authorization: 'Bearer read-token-0123456789' } })).data;
    await waitUntil(async () => ((await statusOf()).ledger.destinations.es.deadLettered === 2 ? true : undefined), 20000, () => 'no dead letters');

    const refused = await post('/api/dead-letters/es/replay', 'read-token-0123456789');
    expect([refused.status, refused.data.error]).toEqual([403, 'token grafana has scope read; /api/dead-letters/es/replay needs an admin.tokens entry with scope: operator']);
    expect((await axios.get(`http://127.0.0.1:${admin}/api/dead-letters/es/replay`, { validateStatus: () => true, headers: { Authorization: 'Bearer operator-token-0123456789' } })).status).toBe(405);
    expect((await post('/api/dead-letters/nope/replay', 'operator-token-0123456789')).status).toBe(404);

    es.itemFaults.length = 0;
    const replay = await post('/api/dead-letters/es/replay', 'operator-token-0123456789');
    expect([replay.status, replay.data.queued]).toEqual([202, 2]);
    await waitUntil(async () => {
      const d = (await statusOf()).ledger.destinations.es;
      return d.delivered === 2 && d.deadLettered === 0 ? true : undefined;
    }, 20000, () => 'the replayed dead letters were not delivered');

    const run = await post('/api/reports/now/run', 'operator-token-0123456789');
    expect(run.status).toBe(200);
    expect(run.data.sent).toEqual([expect.stringMatching(/now-.*\.json$/), expect.stringMatching(/now-.*\.html$/)]);
    expect((await post('/api/reports/none/run', 'operator-token-0123456789')).status).toBe(404);
    const st = await statusOf();
    expect(st.reports).toEqual([{
      name: 'now', kind: 'compliance', next: expect.stringMatching(/-01-01T/),
      last_run: { at: expect.any(String), sent: run.data.sent, failed: [] },
      latest_files: run.data.sent.map((f: string) => f.replace(/^.*\//, '')).sort(),
    }]);
    expect(st.alerts).toEqual([]);
    const mm = parseMetrics((await axios.get(`http://127.0.0.1:${admin}/metrics`, { headers: { Authorization: 'Bearer read-token-0123456789' } })).data);
    expect(mm.get('siemgate_report_last_run_timestamp_seconds{report="now",ok="true"}')).toBeCloseTo(Date.parse(st.reports[0].last_run.at) / 1000, 3);
    await gw.stop();

    const recs = readFileSync(join(gw.dir, 'data', 'audit', readdirSync(join(gw.dir, 'data', 'audit')).find((f) => f.startsWith('audit-'))!), 'utf8')
      .trim().split('\n').map((l) => JSON.parse(l));
    const types = recs.map((r) => r.type);
    expect(recs.filter((r) => r.type === 'operator_action').map((r) => [r.action, r.target, r.token])).toEqual([
      ['dlq_replay', 'nope', 'oncall'], ['dlq_replay', 'es', 'oncall'], ['report_run', 'now', 'oncall'], ['report_run', 'none', 'oncall'],
    ]);
    expect(recs.find((r) => r.type === 'auth_failure' && r.token === 'grafana')).toMatchObject({ path: '/api/dead-letters/es/replay', why: 'read-only token used for an operator action' });
    expect(types).toEqual(expect.arrayContaining(['dead_letters', 'dlq_replay_started', 'dlq_replay_finished', 'report_sent', 'http_request', 'connection_opened', 'connection_closed']));
    expect(recs.find((r) => r.type === 'dlq_replay_finished')).toMatchObject({ destination: 'es', delivered: 2, refused_again: 0 });
    expect(JSON.stringify(recs)).not.toContain('operator-token-0123456789');
  });

  test('/metrics counts what inputs refuse whole: connections over max_connections, idle timeouts, and HTTP 400/413/415', async () => {
    const tcp = await freePort();
    const http = await freePort();
    const admin = await freePort();
    const gw = await startGateway(`
data_dir: "@DIR@/data"
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}", max_connections: 1, idle_timeout_ms: 300 }
  - { name: apps, type: http, address: "127.0.0.1:${http}", max_body_bytes: 1KiB }
destinations:
  - { name: out, type: file, path: "@DIR@/out.ndjson" }
admin: { address: "127.0.0.1:${admin}" }
`);
    const net = await import('node:net');
    const first = net.connect(tcp, '127.0.0.1');
    await new Promise((r) => first.once('connect', r));
    const second = net.connect(tcp, '127.0.0.1');
    second.on('error', () => undefined);
    await new Promise((r) => second.once('close', r)); // refused: max_connections 1
    await new Promise((r) => first.once('close', r)); // closed after idle_timeout_ms
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${http}/v1/events`, { method: 'POST', body, headers });
    expect((await post('x'.repeat(4096))).status).toBe(413);
    expect((await post(Buffer.from('not gzip'), { 'Content-Encoding': 'gzip' })).status).toBe(400);
    expect((await post('{}', { 'Content-Encoding': 'br' })).status).toBe(415);
    const mm = parseMetrics(await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text());
    await gw.stop();
    expect(mm.get('siemgate_input_connections_refused_total{input="fw"}')).toBe(1);
    expect(mm.get('siemgate_input_idle_timeouts_total{input="fw"}')).toBe(1);
    expect(mm.get('siemgate_input_http_requests_total{input="apps"}')).toBe(3);
    expect(mm.get('siemgate_input_http_refused_requests_total{input="apps",status="413"}')).toBe(1);
    expect(mm.get('siemgate_input_http_refused_requests_total{input="apps",status="400"}')).toBe(1);
    expect(mm.get('siemgate_input_http_refused_requests_total{input="apps",status="415"}')).toBe(1);
    expect(mm.get('siemgate_input_http_refused_requests_total{input="apps",status="503"}')).toBe(0);
    // each input has the series that apply to it: no HTTP series for a TCP input, no TLS one for either
    expect(mm.has('siemgate_input_http_auth_failures_total{input="fw"}')).toBe(false);
    expect(mm.has('siemgate_input_connections_refused_total{input="apps"}')).toBe(false);
    expect(mm.has('siemgate_input_tls_handshake_failures_total{input="fw"}')).toBe(false);
    expect(mm.has('siemgate_input_tls_handshake_failures_total{input="apps"}')).toBe(false);
  });

  test('an admin address that is not loopback is refused by siemgate check, with its line and what to do', async () => {
    const dir = makeTempDir('sg-admin-');
    const f = join(dir, 'c.yaml');
    writeFileSync(f, 'inputs:\n  - { name: t, type: syslog_tcp, address: "127.0.0.1:5599" }\ndestinations:\n  - { name: f, type: file, path: ./x.ndjson }\nadmin:\n  address: "0.0.0.0:9280"\n');
    const r = await runProc(process.execPath, [BIN, 'check', '-c', f, '--offline'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 6: admin\.address: 0\.0\.0\.0:9280 is not a loopback address, so the admin API needs admin\.tls \(cert_file, key_file\) and admin\.tokens; add both, or bind 127\.0\.0\.1/);
  });
});
