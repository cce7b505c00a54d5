import { gzipSync } from 'node:zlib';
import { applyFilterPath, globMatch, startEsDouble, type EsDouble } from '../helpers/es-double';

/** Tests of the Elasticsearch test double itself against protocols.md §5 and the §8 "Elasticsearch" row. */

const KEY = 'a2V5LWlkOmtleS1zZWNyZXQ='; // base64 of key-id:key-secret, the shape of an "encoded" API key
const LIMITED = 'bGltaXRlZDpzZWNyZXQ=';

let es: EsDouble;
beforeEach(async () => {
  es = await startEsDouble({
    apiKeys: { [KEY]: { user: 'writer' }, [LIMITED]: { user: 'narrow', indices: ['logs-allowed-*'], cluster: [] } },
    users: { elastic: { user: 'elastic', password: 'changeme' } },
  });
});
afterEach(() => es.close());

interface Answer { status: number; text: string; json?: any; headers: Headers } // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(path: string, body?: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const h = { Authorization: `ApiKey ${KEY}`, 'Content-Type': 'application/x-ndjson', ...headers };
  const res = await fetch(es.url + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json, headers: res.headers };
}

const ndjson = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const TS = '2026-11-23T10:00:00.000Z';
const create = (index: string, id?: string) => ({ create: id === undefined ? { _index: index } : { _index: index, _id: id } });

describe('_bulk into data streams (protocols.md §5.1, §5.2)', () => {
  test('create with _id → 201 into a backing index; the same _id again → 409 version_conflict_engine_exception; errors flag', async () => {
    const first = await call('/_bulk', ndjson(create('logs-fw-default', 'id1'), { '@timestamp': TS, m: 1 }, create('logs-fw-default', 'id2'), { '@timestamp': TS, m: 2 }));
    expect(first.status).toBe(200);
    expect(first.json.errors).toBe(false);
    expect(first.json.items).toHaveLength(2);
    expect(first.json.items[0].create).toMatchObject({ _id: 'id1', _version: 1, result: 'created', status: 201, _primary_term: 1 });
    expect(first.json.items[0].create._index).toMatch(/^\.ds-logs-fw-default-\d{4}\.\d{2}\.\d{2}-000001$/);
    const again = await call('/_bulk', ndjson(create('logs-fw-default', 'id2'), { '@timestamp': TS, m: 'again' }, create('logs-fw-default', 'id3'), { '@timestamp': TS, m: 3 }));
    expect(again.json.errors).toBe(true);
    expect(again.json.items[0].create).toMatchObject({
      _id: 'id2', status: 409,
      error: { type: 'version_conflict_engine_exception', reason: '[id2]: version conflict, document already exists (current version [1])' },
    });
    expect(again.json.items[1].create.status).toBe(201);
    expect(es.indexed.get('logs-fw-default')!.map((d) => [d._id, d.source.m])).toEqual([['id1', 1], ['id2', 2], ['id3', 3]]);
  });

  test('index and delete on a logs-*-* data stream fail per item (create only); on a plain index they work', async () => {
    const r = await call('/_bulk', ndjson({ index: { _index: 'logs-fw-default', _id: 'x' } }, { '@timestamp': TS }, { delete: { _index: 'logs-fw-default', _id: 'x' } },
      { index: { _index: 'plain', _id: 'p' } }, { a: 1 }, { index: { _index: 'plain', _id: 'p' } }, { a: 2 }));
    const items = r.json.items;
    expect(items[0].index).toMatchObject({ status: 400, error: { type: 'illegal_argument_exception', reason: 'only write ops with an op_type of create are allowed in data streams' } });
    expect(items[1].delete).toMatchObject({ status: 400, error: { type: 'illegal_argument_exception' } });
    expect([items[2].index.status, items[3].index.status]).toEqual([201, 201]);
    expect(es.indexed.get('plain')!.map((d) => d.source)).toEqual([{ a: 2 }]); // index replaces
    expect(es.indexed.has('logs-fw-default')).toBe(false);
  });

  test('an index name Elasticsearch refuses (uppercase, a leading _ - +, a forbidden char) fails its item with invalid_index_name_exception', async () => {
    const r = await call('/_bulk', ndjson(
      { create: { _index: 'logs-Fw-default' } }, { '@timestamp': TS }, { create: { _index: '_logs' } }, { '@timestamp': TS },
      { create: { _index: 'logs-a b-default' } }, { '@timestamp': TS }, { create: { _index: 'logs-ok-default' } }, { '@timestamp': TS }));
    const st = r.json.items.map((x: { create: { status: number; error?: { type: string } } }) => [x.create.status, x.create.error?.type]);
    expect(st).toEqual([[400, 'invalid_index_name_exception'], [400, 'invalid_index_name_exception'], [400, 'invalid_index_name_exception'], [201, undefined]]);
  });

  test('a data stream document without @timestamp → 400 document_parsing_exception; invalid JSON source too', async () => {
    const r = await call('/_bulk', `${JSON.stringify(create('logs-fw-default'))}\n{"m":1}\n${JSON.stringify(create('logs-fw-default'))}\n{"m":\n`);
    expect(r.json.items[0].create).toMatchObject({ status: 400, error: { type: 'document_parsing_exception', reason: 'data stream timestamp field [@timestamp] is missing' } });
    expect(r.json.items[1].create).toMatchObject({ status: 400, error: { type: 'document_parsing_exception' } });
  });

  test('data_stream.* behave as constant_keyword: the first document fixes them, a different value is refused', async () => {
    const ds = (dataset: string) => ({ '@timestamp': TS, data_stream: { type: 'logs', dataset, namespace: 'default' } });
    const r = await call('/_bulk', ndjson(create('logs-fw-default'), ds('fw'), create('logs-fw-default'), ds('other')));
    expect(r.json.items[0].create.status).toBe(201);
    expect(r.json.items[1].create).toMatchObject({ status: 400, error: { type: 'document_parsing_exception', caused_by: { type: 'illegal_argument_exception' } } });
  });

  test('/<target>/_bulk supplies _index; without either the request is refused whole', async () => {
    const r = await call('/logs-t-default/_bulk', ndjson({ create: {} }, { '@timestamp': TS }), {}, 'PUT');
    expect(r.json.items[0].create.status).toBe(201);
    expect(es.indexed.get('logs-t-default')).toHaveLength(1);
    const bad = await call('/_bulk', ndjson({ create: {} }, { '@timestamp': TS }));
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('action_request_validation_exception');
  });

  test('?pipeline= naming a pipeline that does not exist fails each item with 400 (the existing one passes)', async () => {
    es.pipelines.add('enrich');
    expect((await call('/_bulk?pipeline=nope', ndjson(create('logs-a-default'), { '@timestamp': TS }))).json.items[0].create)
      .toMatchObject({ status: 400, error: { type: 'illegal_argument_exception', reason: 'pipeline with id [nope] does not exist' } });
    expect((await call('/_bulk?pipeline=enrich', ndjson(create('logs-a-default'), { '@timestamp': TS }))).json.items[0].create.status).toBe(201);
    expect(es.indexed.get('logs-a-default')![0].pipeline).toBe('enrich');
  });
});

describe('NDJSON framing (protocols.md §5.1 Body)', () => {
  test('no final newline → 400 with exactly the body Elasticsearch sends', async () => {
    const r = await call('/_bulk', ndjson(create('logs-a-default'), { '@timestamp': TS }).slice(0, -1));
    expect(r.status).toBe(400);
    // byte for byte as quoted in elastic/elasticsearch-js #1686 and senacor/elasticsearch-evolution #293
    expect(r.text).toBe('{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"The bulk request must be terminated by a newline [\\\\n]"}],"type":"illegal_argument_exception","reason":"The bulk request must be terminated by a newline [\\\\n]"},"status":400}');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(es.indexed.size).toBe(0);
  });

  test('CRLF line ends are accepted; an unknown action and a non-JSON action line fail the whole request; empty body → no requests added', async () => {
    const crlf = `${JSON.stringify(create('logs-a-default', '1'))}\r\n${JSON.stringify({ '@timestamp': TS })}\r\n`;
    expect((await call('/_bulk', crlf)).json.items[0].create.status).toBe(201);
    const unknown = await call('/_bulk', ndjson({ upsert: { _index: 'logs-a-default' } }, {}));
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.reason).toMatch(/^Malformed action\/metadata line \[1\], expected field \[create\], \[delete\], \[index\] or \[update\] but found \[upsert\]$/);
    expect((await call('/_bulk', 'not json\n{}\n')).status).toBe(400);
    const empty = await call('/_bulk', '');
    expect([empty.status, empty.json.error.reason]).toEqual([400, 'Validation Failed: 1: no requests added;']);
  });

  test('an _id over 512 bytes fails the whole request (action_request_validation_exception)', async () => {
    const r = await call('/_bulk', ndjson(create('logs-a-default', 'x'.repeat(513)), { '@timestamp': TS }));
    expect(r.status).toBe(400);
    expect(r.json.error.reason).toMatch(/is too long, must be no longer than 512 bytes but was: 513;$/);
  });

  test('gzip bodies are accepted; http.max_content_length applies to the decoded body → 413', async () => {
    const body = ndjson(create('logs-a-default', 'g'), { '@timestamp': TS, m: 'x'.repeat(1000) });
    expect((await call('/_bulk', gzipSync(body), { 'Content-Encoding': 'gzip' })).json.items[0].create.status).toBe(201);
    expect(es.requests[0]).toMatchObject({ gzip: true, body });
    es.maxContentLength = 500;
    const big = await call('/_bulk', gzipSync(body), { 'Content-Encoding': 'gzip' });
    expect([big.status, big.text]).toEqual([413, '']);
    expect((await call('/_bulk', body)).status).toBe(413);
    expect(es.indexed.get('logs-a-default')).toHaveLength(1);
  });

  test('an unsupported Content-Type → 406', async () => {
    expect((await call('/_bulk', ndjson(create('logs-a-default'), { '@timestamp': TS }), { 'Content-Type': 'text/plain' })).status).toBe(406);
  });
});

describe('filter_path (protocols.md §5.1)', () => {
  const PATH = 'filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason';

  test('the sender\'s paths keep one entry per item with status, and error type/reason only', async () => {
    await call('/_bulk', ndjson(create('logs-a-default', 'dup'), { '@timestamp': TS }));
    const r = await call(`/_bulk?${PATH}`, ndjson(create('logs-a-default', 'dup'), { '@timestamp': TS }, create('logs-a-default', 'new'), { '@timestamp': TS }));
    expect(r.text).toBe('{"errors":true,"items":[{"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[dup]: version conflict, document already exists (current version [1])"}}},{"create":{"status":201}}]}');
  });

  test('error answers are not filtered (Elasticsearch builds them without the filter)', async () => {
    const r = await call(`/_bulk?${PATH}`, '{"create":{"_index":"logs-a-default"}}\n{}', { Authorization: 'ApiKey bm9wZTpub3Bl' });
    expect([r.status, r.json.error.type, r.json.status]).toEqual([401, 'security_exception', 401]);
    const nl = await call(`/_bulk?${PATH}`, '{"create":{"_index":"logs-a-default"}}\n{}');
    expect([nl.status, nl.json.error.reason]).toEqual([400, 'The bulk request must be terminated by a newline [\\n]']);
  });

  test('objects left empty are pruned (errors,items.*.error on success → only errors), no filter → everything, wildcards and **', () => {
    const resp = { took: 3, errors: false, items: [{ create: { _id: 'a', status: 201 } }, { create: { _id: 'b', status: 201 } }] };
    expect(applyFilterPath(resp, 'errors,items.*.error')).toEqual({ errors: false });
    expect(applyFilterPath(resp, undefined)).toEqual(resp);
    expect(applyFilterPath(resp, 'nothing')).toEqual({});
    expect(applyFilterPath(resp, '**.status')).toEqual({ items: [{ create: { status: 201 } }, { create: { status: 201 } }] });
    expect(applyFilterPath(resp, 'it*.cr*._id')).toEqual({ items: [{ create: { _id: 'a' } }, { create: { _id: 'b' } }] });
    expect([globMatch('logs-*-*', 'logs-a-b'), globMatch('logs-*-*', 'logs-ab'), globMatch('logs-*-default', 'logs-x.y-default')]).toEqual([true, false, true]);
  });
});

describe('authentication and authorization (protocols.md §5.1 Auth)', () => {
  test('no credentials → 401 security_exception with WWW-Authenticate as headers and in the body', async () => {
    const res = await fetch(`${es.url}/_bulk`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: '{}\n' });
    const json = await res.json() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="security" charset="UTF-8", Bearer realm="security", ApiKey');
    expect(json).toEqual({
      error: {
        root_cause: [{ type: 'security_exception', reason: 'missing authentication credentials for REST request [/_bulk]', header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', 'ApiKey'] } }],
        type: 'security_exception', reason: 'missing authentication credentials for REST request [/_bulk]', header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', 'ApiKey'] },
      },
      status: 401,
    });
  });

  test('an unknown API key and a wrong password → 401; Basic with the right password works', async () => {
    const body = ndjson(create('logs-a-default'), { '@timestamp': TS });
    expect((await call('/_bulk', body, { Authorization: 'ApiKey bm9wZTpub3Bl' })).json.error.reason)
      .toBe('unable to authenticate with provided credentials and anonymous access is not allowed for this request');
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const wrong = await call('/_bulk', body, { Authorization: basic('elastic', 'nope') });
    expect([wrong.status, wrong.json.error.reason]).toEqual([401, 'unable to authenticate user [elastic] for REST request [/_bulk]']);
    expect((await call('/_bulk', body, { Authorization: basic('elastic', 'changeme') })).json.items[0].create.status).toBe(201);
    expect(es.requests.map((r) => r.status)).toEqual([401, 401, 200]);
  });

  test('a key limited to some indices gets 403 security_exception per item elsewhere; GET / needs monitor', async () => {
    const r = await call('/_bulk', ndjson(create('logs-allowed-default'), { '@timestamp': TS }, create('logs-other-default'), { '@timestamp': TS }), { Authorization: `ApiKey ${LIMITED}` });
    expect(r.json.items[0].create.status).toBe(201);
    expect(r.json.items[1].create).toMatchObject({ status: 403, error: { type: 'security_exception' } });
    expect(r.json.items[1].create.error.reason).toMatch(/is unauthorized for user \[narrow\] on indices \[logs-other-default\]/);
    expect((await call('/', undefined, { Authorization: `ApiKey ${LIMITED}` }, 'GET')).status).toBe(403);
  });

  test('GET / answers the version; _has_privileges answers per name and privilege', async () => {
    es.version = '8.17.2';
    const info = await call('/', undefined, {}, 'GET');
    expect(info.json).toMatchObject({ version: { number: '8.17.2' }, tagline: 'You Know, for Search' });
    expect(info.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = JSON.stringify({ index: [{ names: ['logs-*-default', 'logs-allowed-default'], privileges: ['create_doc', 'auto_configure'] }] });
    const hp = await call('/_security/user/_has_privileges', body, { Authorization: `ApiKey ${LIMITED}`, 'Content-Type': 'application/json' });
    expect(hp.json).toEqual({
      username: 'narrow', has_all_requested: false, cluster: {}, application: {},
      index: { 'logs-*-default': { create_doc: false, auto_configure: false }, 'logs-allowed-default': { create_doc: true, auto_configure: true } },
    });
  });

  test('security disabled: no credentials needed, and the security API answers 500 "Security must be explicitly enabled"', async () => {
    es.security = 'disabled';
    const res = await fetch(`${es.url}/_bulk`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: ndjson(create('logs-a-default'), { '@timestamp': TS }) });
    expect(res.status).toBe(200);
    const hp = await call('/_security/user/_has_privileges', '{}', { 'Content-Type': 'application/json' });
    expect(hp.status).toBe(500);
    expect(hp.json.error.reason).toMatch(/^Security must be explicitly enabled when using a \[basic\] license/);
  });

  test('unknown paths and wrong methods', async () => {
    expect((await call('/_nope', '{}')).json).toEqual({ error: 'no handler found for uri [/_nope] and method [POST]' });
    expect((await call('/_bulk', undefined, {}, 'GET')).status).toBe(405);
  });
});

describe('fault injection (protocols.md §8)', () => {
  test('per-item faults for chosen documents, a given number of times', async () => {
    es.itemFaults.push({ match: (d) => d.m === 'busy', status: 429, type: 'es_rejected_execution_exception', reason: 'rejected', times: 1 });
    es.itemFaults.push({ match: (d) => d.m === 'bad', status: 400, type: 'document_parsing_exception', reason: 'failed to parse field [m]' });
    const body = ndjson(create('logs-a-default', '1'), { '@timestamp': TS, m: 'busy' }, create('logs-a-default', '2'), { '@timestamp': TS, m: 'bad' }, create('logs-a-default', '3'), { '@timestamp': TS, m: 'ok' });
    const r1 = await call('/_bulk', body);
    expect(r1.json.items.map((i: any) => i.create.status)).toEqual([429, 400, 201]); // eslint-disable-line @typescript-eslint/no-explicit-any
    const r2 = await call('/_bulk', body);
    expect(r2.json.items.map((i: any) => i.create.status)).toEqual([201, 400, 409]); // eslint-disable-line @typescript-eslint/no-explicit-any
  });

  test('whole-request 429 with Retry-After, 503, 413 (empty body), each once, then normal', async () => {
    es.requestFaults.push({ status: 429, retryAfter: '2' }, { status: 503 }, { status: 413 });
    const body = ndjson(create('logs-a-default', '1'), { '@timestamp': TS });
    const a = await call('/_bulk', body);
    expect([a.status, a.headers.get('retry-after'), a.json.error.type]).toEqual([429, '2', 'es_rejected_execution_exception']);
    expect((await call('/_bulk', body)).status).toBe(503);
    const c = await call('/_bulk', body);
    expect([c.status, c.text]).toEqual([413, '']);
    expect((await call('/_bulk', body)).status).toBe(200);
    expect(es.docs().map((d) => d._id)).toEqual(['1']);
  });

  test('a reset connection indexes nothing; a slow answer indexes first, then answers late', async () => {
    es.reset = 1;
    const body = ndjson(create('logs-a-default', 'r'), { '@timestamp': TS });
    await expect(call('/_bulk', body)).rejects.toThrow();
    expect(es.docs()).toHaveLength(0);
    expect(es.requests).toHaveLength(0); // the reset request was never handled
    es.slow = 1;
    es.delayMs = 300;
    const t0 = Date.now();
    const pending = call('/_bulk', body);
    while (es.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(es.docs()).toHaveLength(1); // indexed when handled, before the answer goes out
    expect((await pending).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290); // the answer was held (a lower bound: never flaky)
  });
});
