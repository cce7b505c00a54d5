/**
 * The elasticsearch destination against a protocol-faithful Elasticsearch double
 * (test/helpers/es-double.ts, protocols.md §5), with a real gateway process and TCP syslog in.
 * Every test asserts exactly what the double holds: each event once, in the right data stream,
 * under its own `_id`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, killAllGateways, startGateway, BIN, type RunningGateway } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitUntil } from '../helpers/procs';
import { startEsDouble, type EsDouble } from '../helpers/es-double';
import { sendTcpLines } from '../helpers/clients';

jest.setTimeout(90000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

const KEY = Buffer.from('siemgate-writer:integration-secret-key').toString('base64');
const WRONG_KEY = Buffer.from('siemgate-writer:not-the-key').toString('base64');

const yaml = (tcp: number, dest: string, extra = '') => `
data_dir: "@DIR@/data"
${extra}
inputs:
  - { name: fw, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
destinations:
  - name: es
    type: elasticsearch
    batch: { max_events: 50, max_wait_ms: 50 }
    retry: { initial_ms: 50, max_ms: 200 }
${dest}
`;

const line = (tag: string, i: number) => `<134>1 2026-11-23T10:00:0${i % 10}.250Z fw01 asa - - - ${tag} ${i} "quoted" é`;

function stoppedLine(gw: RunningGateway): string {
  return gw.stderr().split('\n').find((l) => l.includes('stopped: received')) ?? '';
}

/** The `_id`s of the create actions in a _bulk body the double received. */
function idsSent(body: string): string[] {
  return body.split('\n').filter((l) => l.startsWith('{"create"')).map((l) => JSON.parse(l).create._id as string);
}

/** Each event exactly once, under its own event.id, in the stream its data_stream fields name. */
function expectEachOnce(es: EsDouble, messages: string[]): void {
  const docs = es.docs();
  expect(docs.map((d) => d.source['event'] && (d.source['event'] as Record<string, unknown>).original).sort()).toEqual([...messages].sort());
  for (const d of docs) {
    const ev = d.source['event'] as { id: string };
    const ds = d.source['data_stream'] as { type: string; dataset: string; namespace: string };
    expect(d._id).toBe(ev.id);
    expect(d.index).toBe(`${ds.type}-${ds.dataset}-${ds.namespace}`);
  }
}

describe('elasticsearch destination', () => {
  let es: EsDouble;
  const extra: EsDouble[] = [];
  beforeEach(async () => { es = await startEsDouble({ apiKeys: { [KEY]: { user: 'siemgate' } } }); });
  afterEach(async () => {
    await es.close();
    await Promise.all(extra.splice(0).map((d) => d.close()));
  });

  test('syslog and CEF into their data streams, once each, _id = event.id; gzip and ApiKey; a node that resets connections is tried once, then passed over', async () => {
    const tcp = await freePort();
    const down = await startEsDouble({ apiKeys: { [KEY]: { user: 'siemgate' } } });
    extra.push(down);
    down.reset = 1000; // every request's connection is reset
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${down.url}", "${es.url}"]\n    api_key: "${KEY}"\n    concurrency: 1`));
    const syslog = Array.from({ length: 150 }, (_, i) => line('es event', i));
    const cef = Array.from({ length: 20 }, (_, i) => `<134>Nov 23 10:00:00 fw01 CEF:0|Vendor|FW|1.0|100|Blocked ${i}|5|src=10.1.1.${i} act=deny`);
    await sendTcpLines(tcp, [...syslog, ...cef]);
    await waitUntil(() => (es.docs().length >= 170 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    await gw.stop();
    expectEachOnce(es, [...syslog, ...cef]);
    expect(es.indexed.get('logs-siemgate.syslog-default')!.map((d) => d.source.message)).toEqual(syslog.map((_, i) => `es event ${i} "quoted" é`));
    expect(es.indexed.get('logs-siemgate.cef-default')).toHaveLength(20);
    expect(es.indexed.get('logs-siemgate.syslog-default')![3].source).toMatchObject({
      '@timestamp': '2026-11-23T10:00:03.250Z', host: { hostname: 'fw01' },
      data_stream: { type: 'logs', dataset: 'siemgate.syslog', namespace: 'default' },
    });
    const bulks = es.requests.filter((r) => r.path === '/_bulk');
    expect(bulks.length).toBeGreaterThan(0);
    expect(bulks.every((r) => r.gzip && r.headers.authorization === `ApiKey ${KEY}` && r.headers['content-type'] === 'application/x-ndjson' &&
      r.query.filter_path === 'errors,items.*.status,items.*.error.type,items.*.error.reason')).toBe(true);
    expect(stoppedLine(gw)).toMatch(/; balanced.*es: delivered 170, pending 0, dead-lettered 0, dropped 0/);
    // round robin would have sent every other request to the broken node; it was tried once, then passed over
    expect(1000 - down.reset).toBe(1);
    expect(bulks.length).toBeGreaterThanOrEqual(4);
  });

  test('recognised products: each in its own data stream (logs-siemgate.<product>-*), with the mapped ECS fields; a user mapping directory from the config is used', async () => {
    const tcp = await freePort();
    const mine = makeTempDir('sg-maps-');
    require('node:fs').mkdirSync(join(mine, 'sources'));
    writeFileSync(join(mine, 'sources', 'acme.yaml'), `product: acme_fw
vendor: Acme
name: fw
match: [{ program: acmefw }]
steps:
  - dissect: 'DENY %{source.ip} %{destination.ip}'
set: { event.action: deny }
examples:
  - { raw: '<134>Jan 15 12:34:56 fw1 acmefw: DENY 10.0.0.1 192.0.2.9', fields: { source.ip: 10.0.0.1 } }
`);
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${es.url}"]\n    api_key: "${KEY}"`, `mappings: { dirs: ["${mine}"] }`));
    const asa = Array.from({ length: 30 }, (_, i) => `<166>Jan 01 2024 12:00:00 fw01 : %ASA-6-302013: Built outbound TCP connection ${i} for outside:203.0.16.40/443 (203.0.16.40/443) to inside:10.20.139.${i}/62088 (10.20.139.${i}/62088)`);
    const acme = Array.from({ length: 5 }, (_, i) => `<134>Jan 15 12:34:56 fw1 acmefw: DENY 10.0.0.${i} 192.0.2.9`);
    await sendTcpLines(tcp, [...asa, ...acme, line('plain', 1)]);
    await waitUntil(() => (es.docs().length >= 36 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    await gw.stop();
    expect(gw.stderr()).toMatch(/mappings: \d+ product\(s\) from /);
    const asaDocs = es.indexed.get('logs-siemgate.cisco_asa-default')!;
    expect(asaDocs.map((d) => (d.source.source as { ip: string }).ip)).toEqual(asa.map((_, i) => `10.20.139.${i}`));
    const first = asaDocs[0].source as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(first.event).toMatchObject({ action: 'flow-creation', code: '302013', category: ['network'], type: ['connection', 'start'], outcome: 'success', dataset: 'cisco_asa.log' });
    expect(first.destination).toMatchObject({ ip: '203.0.16.40', port: 443 });
    expect(first.observer).toMatchObject({ vendor: 'Cisco', product: 'asa' });
    expect(first.siemgate).toMatchObject({ product: 'cisco_asa', rule: 'connection-built-outbound', peer: { ip: '127.0.0.1' } });
    expect(es.indexed.get('logs-siemgate.acme_fw-default')!.map((d) => (d.source.source as { ip: string }).ip)).toEqual(acme.map((_, i) => `10.0.0.${i}`));
    expect(es.indexed.get('logs-siemgate.syslog-default')).toHaveLength(1);
  });

  test('JSON events that bring their own event.id (the same on several) are each indexed under the gateway\'s own _id and keep their event.id', async () => {
    const tcp = await freePort();
    const http = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${es.url}"]\n    api_key: "${KEY}"`)
      .replace('inputs:\n', `inputs:\n  - { name: apps, type: http, address: "127.0.0.1:${http}" }\n`));
    // a Windows-style event id: the same on every logon; as _id, the second would be a 409 and
    // count as delivered while nothing indexed it
    const events = Array.from({ length: 4 }, (_, i) => JSON.stringify({ message: `logon ${i}`, event: { id: '4624', code: '4624' } }));
    const r = await fetch(`http://127.0.0.1:${http}/v1/events`, { method: 'POST', body: events.join('\n'), headers: { 'Content-Type': 'application/x-ndjson' } });
    expect(r.status).toBe(200);
    await waitUntil(() => (es.docs().length >= 4 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    await gw.stop();
    const docs = es.docs();
    expect(docs.map((d) => d.source.message).sort()).toEqual(['logon 0', 'logon 1', 'logon 2', 'logon 3']);
    expect(docs.every((d) => (d.source.event as { id: string }).id === '4624')).toBe(true);
    const ids = new Set(docs.map((d) => d._id));
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(stoppedLine(gw)).toMatch(/es: delivered 4, pending 0, dead-lettered 0, dropped 0/);
    expect(stoppedLine(gw)).not.toContain('already indexed');
  });

  test('a JSON event that names its own data_stream is indexed there; the gateway\'s stream for JSON events is not claimed by it', async () => {
    const tcp = await freePort();
    const http = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${es.url}"]\n    api_key: "${KEY}"`)
      .replace('inputs:\n', `inputs:\n  - { name: apps, type: http, address: "127.0.0.1:${http}" }\n`));
    const body = [
      JSON.stringify({ message: 'audit 1', data_stream: { type: 'logs', dataset: 'app.audit', namespace: 'prod' } }),
      JSON.stringify({ message: 'plain 1' }),
      JSON.stringify({ message: 'audit 2', data_stream: { type: 'logs', dataset: 'app.audit', namespace: 'prod' } }),
      JSON.stringify({ message: 'plain 2' }),
    ].join('\n');
    const r = await fetch(`http://127.0.0.1:${http}/v1/events`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-ndjson' } });
    expect(r.status).toBe(200);
    await waitUntil(() => (es.docs().length >= 4 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    await gw.stop();
    expect(es.indexed.get('logs-app.audit-prod')!.map((d) => d.source.message)).toEqual(['audit 1', 'audit 2']);
    expect(es.indexed.get('logs-siemgate.generic-default')!.map((d) => d.source.message)).toEqual(['plain 1', 'plain 2']);
    expect(stoppedLine(gw)).toMatch(/es: delivered 4, pending 0, dead-lettered 0, dropped 0/);
  });

  test('kill -9 while answers are held, restart: the replayed events come back 409, count as delivered, and the double holds each once', async () => {
    const tcp = await freePort();
    const cfg = (port: number) => yaml(port, `    endpoints: ["${es.url}"]\n    api_key: "${KEY}"\n    timeout_ms: 20000`, 'journal: { fsync: always }');
    let gw = await startGateway(cfg(tcp));
    // every _bulk is indexed at once but answered only much later: nothing can be committed
    es.slow = 1000;
    es.delayMs = 15000;
    const lines = Array.from({ length: 200 }, (_, i) => line('crash', i));
    await sendTcpLines(tcp, lines);
    await waitUntil(() => (es.docs().length >= 50 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    const before = new Set(es.docs().map((d) => d._id));
    await gw.kill();
    const seenBefore = es.requests.length;
    es.slow = 0;

    gw = await startGateway(cfg(tcp), { dir: gw.dir });
    await waitUntil(() => (es.docs().length >= 200 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    await gw.stop();
    expectEachOnce(es, lines);
    const resent = new Set(es.requests.slice(seenBefore).flatMap((r) => idsSent(r.body)));
    for (const id of before) expect(resent.has(id)).toBe(true); // sent again after the restart, answered 409
    expect(stoppedLine(gw)).toMatch(/es: delivered 200, pending 0, dead-lettered 0, dropped 0/);
    expect(stoppedLine(gw)).toMatch(/; balanced/);
    // the operator sees how many of the delivered were already there: exactly the ones indexed before the kill
    expect(stoppedLine(gw)).toContain(`; es also counted already indexed ${before.size}`);
  });

  test('mixed item failures: 429 items are retried alone and indexed once, 400 items are dead-lettered with Elasticsearch\'s reason', async () => {
    es.itemFaults.push({ match: (d) => String(d.message).startsWith('busy'), status: 429, type: 'es_rejected_execution_exception', reason: 'rejected execution of primary operation', times: 4 });
    es.itemFaults.push({ match: (d) => String(d.message).startsWith('bad'), status: 400, type: 'document_parsing_exception', reason: '[1:120] failed to parse field [message] of type [keyword]' });
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${es.url}"]\n    api_key: "${KEY}"`));
    const lines = Array.from({ length: 30 }, (_, i) => line(i % 10 === 3 ? 'bad' : i % 10 === 5 ? 'busy' : 'fine', i));
    await sendTcpLines(tcp, lines);
    const dlq = join(gw.dir, 'data', 'dead-letters', 'es.ndjson');
    const deadLines = () => { try { return readFileSync(dlq, 'utf8').split('\n').filter(Boolean); } catch { return []; } };
    await waitUntil(() => (es.docs().length >= 27 && deadLines().length >= 3 ? true : undefined), 30000, () => `indexed ${es.docs().length}, dead ${deadLines().length}`);
    await gw.stop();
    expectEachOnce(es, lines.filter((l) => !l.includes(' bad ')));
    const dead = deadLines().map((l) => JSON.parse(l));
    expect(dead.map((d) => d.event.message).sort()).toEqual(['bad 13 "quoted" é', 'bad 23 "quoted" é', 'bad 3 "quoted" é']);
    for (const d of dead) {
      expect(d.reason).toBe('document_parsing_exception: [1:120] failed to parse field [message] of type [keyword] (Elasticsearch 400 on logs-siemgate.syslog-default)');
      expect(JSON.parse(d.response)).toEqual({ create: { status: 400, error: { type: 'document_parsing_exception', reason: '[1:120] failed to parse field [message] of type [keyword]' } } });
    }
    // the busy ones were refused at least once, then went alone
    const busyIds = es.docs().filter((d) => String(d.source.message).startsWith('busy')).map((d) => d._id);
    expect(busyIds).toHaveLength(3);
    const sends = es.requests.flatMap((r) => idsSent(r.body));
    for (const id of busyIds) expect(sends.filter((x) => x === id).length).toBeGreaterThanOrEqual(2);
    expect(stoppedLine(gw)).toMatch(/es: delivered 27, pending 0, dead-lettered 3, dropped 0/);
    // the operator reads it in the log too, with where they went and what to do
    expect(gw.stderr()).toMatch(/warn destination es: \d event\(s\) refused for good and dead-lettered to .*es\.ndjson.*document_parsing_exception.*siemgate buffer dlq list es/);
    for (const text of [gw.stderr(), readFileSync(dlq, 'utf8'), readFileSync(join(gw.dir, 'data', 'status.json'), 'utf8')]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('integration-secret-key');
    }
  });

  test('whole-request faults: 429 with Retry-After, 503, 413 (the batch is halved), an answer slower than timeout_ms; each event once', async () => {
    es.requestFaults.push({ status: 429, retryAfter: '1' }, { status: 503 });
    es.maxContentLength = 4000; // a few events per request: 50-event batches must be split
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${es.url}"]\n    api_key: "${KEY}"\n    timeout_ms: 1000\n    gzip: false`));
    const lines = Array.from({ length: 60 }, (_, i) => line('fault', i));
    await sendTcpLines(tcp, lines);
    await waitUntil(() => (es.docs().length >= 60 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    // the next request is indexed but answered after timeout_ms: the gateway sends it again
    es.maxContentLength = 100 << 20;
    es.slow = 1;
    es.delayMs = 2500;
    const more = Array.from({ length: 5 }, (_, i) => line('late', i));
    await sendTcpLines(tcp, more);
    const lateIds = () => es.docs().filter((d) => String(d.source.message).startsWith('late')).map((d) => d._id);
    const timesSent = (id: string) => es.requests.flatMap((r) => idsSent(r.body)).filter((x) => x === id).length;
    await waitUntil(() => (lateIds().length === 5 && lateIds().every((id) => timesSent(id) >= 2) ? true : undefined), 30000,
      () => `late indexed ${lateIds().length}, sent ${lateIds().map(timesSent)}`);
    await gw.stop();
    expectEachOnce(es, [...lines, ...more]);
    const statuses = es.requests.filter((r) => r.path === '/_bulk').map((r) => r.status);
    expect(statuses.slice(0, 2)).toEqual([429, 503]);
    expect(statuses.filter((s) => s === 413).length).toBeGreaterThan(0);
    expect(stoppedLine(gw)).toMatch(/es: delivered 65, pending 0, dead-lettered 0, dropped 0/);
  });

  test('a refused API key: the destination is down in status.json with what to check, events stay pending; accepted later, they go', async () => {
    const tcp = await freePort();
    const gw = await startGateway(yaml(tcp, `    endpoints: ["${es.url}"]\n    api_key: "${WRONG_KEY}"`));
    await sendTcpLines(tcp, Array.from({ length: 5 }, (_, i) => line('pending', i)));
    const statusFile = join(gw.dir, 'data', 'status.json');
    const esStatus = () => {
      try {
        return (JSON.parse(readFileSync(statusFile, 'utf8')).destinations as Array<Record<string, any>>).find((d) => d.name === 'es'); // eslint-disable-line @typescript-eslint/no-explicit-any
      } catch { return undefined; }
    };
    const st = await waitUntil(() => { const s = esStatus(); return s?.state === 'down' && s.ledger.pending === 5 ? s : undefined; }, 30000, () => JSON.stringify(esStatus()));
    expect(st.reason).toMatch(/^http:\/\/127\.0\.0\.1:\d+: Elasticsearch 401 security_exception: unable to authenticate with provided credentials .*: the API key was refused: check that api_key \/ api_key_file holds the key's "encoded" value/);
    expect(st.ledger).toMatchObject({ delivered: 0, deadLettered: 0, pending: 5 });
    expect(es.docs()).toHaveLength(0);
    const statusText = readFileSync(statusFile, 'utf8');
    // the operator fixes the key on the cluster side: the waiting events go
    es.apiKeys.set(WRONG_KEY, { user: 'siemgate' });
    await waitUntil(() => (es.docs().length >= 5 ? true : undefined), 30000, () => `indexed ${es.docs().length}`);
    await gw.stop();
    expect(stoppedLine(gw)).toMatch(/es: delivered 5, pending 0, dead-lettered 0, dropped 0/);
    for (const text of [gw.stderr(), statusText, readFileSync(statusFile, 'utf8')]) {
      expect(text).not.toContain(WRONG_KEY);
      expect(text).not.toContain('not-the-key');
    }
  });

  test('siemgate check asks each endpoint: version and privileges; refused key and unreachable endpoint, one line each', async () => {
    const dead = await freePort();
    const dir = makeTempDir('sg-check-');
    const write = (name: string, key: string, endpoints: string) => {
      const f = join(dir, name);
      writeFileSync(f, `inputs:\n  - { name: t, type: syslog_tcp, address: "127.0.0.1:0" }\ndestinations:\n  - { name: es, type: elasticsearch, api_key: "${key}", endpoints: [${endpoints}] }\n`);
      return f;
    };
    let r = await runProc(process.execPath, [BIN, 'check', '-c', write('ok.yaml', KEY, `"${es.url}"`)]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`destination es (elasticsearch): ${es.url}: Elasticsearch 8.15.0; the API key (api_key) may write to logs-*-default`);
    expect(es.docs()).toHaveLength(0); // nothing was written
    r = await runProc(process.execPath, [BIN, 'check', '-c', write('bad.yaml', WRONG_KEY, `"${es.url}", "http://127.0.0.1:${dead}"`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${es.url}: credentials refused: check that api_key / api_key_file holds the key's "encoded" value`);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${dead}: not reachable \\(.*ECONNREFUSED.*\\); check the URL`));
    expect(r.stderr).toContain('[SG_DEST_PROBE]');
    expect(r.stderr).toMatch(/bad\.yaml: 1 of 1 destination\(s\) would not take events/);
    expect(r.stdout).not.toMatch(/: OK\b/);
    expect(r.stderr + r.stdout).not.toContain(WRONG_KEY);
    expect(r.stderr + r.stdout).not.toContain('not-the-key');
  });
});
