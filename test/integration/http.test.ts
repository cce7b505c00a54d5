/**
 * The HTTP input with a real HTTP client (axios): POST /v1/events (a JSON object, an array, NDJSON,
 * gzip) and the Splunk HEC-compatible /services/collector/{event,raw,health}; refused requests
 * (no token, wrong token, wrong scheme, too large, bad JSON) answer as documented and add NO
 * document. Every event carries a marker; each accepted one must be written exactly once.
 */
import { gzipSync } from 'node:zlib';
import axios, { type AxiosResponse } from 'axios';
import { freePort, killAllGateways, startGateway, type RunningGateway } from '../helpers/gateway';
import { cleanUp, sleep } from '../helpers/procs';
import {
  expectExactlyOnce, expectFields, expectTimestampWithin, groupByMarker, markers, type Doc,
} from '../helpers/expect-docs';

jest.setTimeout(60000);

const TOKEN = 'it-token-5f0c2a9e';
const OTHER = 'it-token-wrong';

describe('HTTP input (axios) -> siemgate', () => {
  let gw: RunningGateway;
  let port: number; let small: number;
  let base: string; let smallBase: string;
  let accepted = 0;

  beforeAll(async () => {
    [port, small] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    smallBase = `http://127.0.0.1:${small}`;
    gw = await startGateway(`
inputs:
  - name: http
    type: http
    address: "127.0.0.1:${port}"
    tokens: [{ name: apps, secret: "${TOKEN}" }]
  - name: http-small
    type: http
    address: "127.0.0.1:${small}"
    tokens: [{ name: apps, secret: "${TOKEN}" }]
    max_body_bytes: 1KiB
destinations:
  - { name: out, type: file, path: "@OUT@" }
`);
  });

  afterAll(async () => {
    await killAllGateways();
    await cleanUp();
  });

  /**
   * A POST whose answer is never thrown and whose body is the raw text. transformRequest is the
   * identity because axios, given a string with Content-Type application/json that is not ONE JSON
   * value (a HEC batch `{..}{..}`, NDJSON), JSON.stringify()s it into a string literal.
   */
  async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<AxiosResponse<string>> {
    return axios.post<string>(url, body, {
      headers, validateStatus: () => true, responseType: 'text', transformResponse: [(d: string) => d],
      transformRequest: [(d: unknown) => d],
      maxRedirects: 0, timeout: 10000, decompress: true,
    });
  }
  const bearer = { Authorization: `Bearer ${TOKEN}` };
  const splunk = { Authorization: `Splunk ${TOKEN}` };

  function checkHttpDoc(d: Doc, input = 'http'): void {
    expect(d.source?.ip).toBe('127.0.0.1');
    expect(d.network).toEqual(expect.objectContaining({ transport: 'tcp', protocol: 'http' }));
    expect(d.siemgate?.input).toBe(input);
  }

  test('/v1/events, one JSON object: 200 {"accepted":1}; the object becomes the document', async () => {
    const t0 = Date.now();
    const r = await post(`${base}/v1/events`, JSON.stringify({
      message: 'it-http-obj-0 hello over HTTP', user: { name: 'alice' }, event: { action: 'login' }, n: 7,
    }), { ...bearer, 'Content-Type': 'application/json' });
    expect([r.status, r.data]).toEqual([200, '{"accepted":1}']);
    accepted += 1;
    const docs = await expectExactlyOnce(gw, 'it-http-obj', ['it-http-obj-0']);
    const d = docs.get('it-http-obj-0')!;
    expectFields(d, {
      message: 'it-http-obj-0 hello over HTTP', 'user.name': 'alice', 'event.action': 'login', n: 7, 'siemgate.format': 'json',
    });
    expect(typeof d.event.original).toBe('string');
    expect(JSON.parse(d.event.original)).toEqual(expect.objectContaining({ message: 'it-http-obj-0 hello over HTTP' }));
    checkHttpDoc(d);
    expectTimestampWithin(d, t0, Date.now());
  });

  test('/v1/events, a JSON array of 20 objects; an @timestamp the app sent is kept', async () => {
    const ms = markers('it-http-array', 20);
    const body = ms.map((m, i) => ({ message: `${m} array element`, seq: i, ...(i === 3 ? { '@timestamp': '2026-01-02T03:04:05.678Z' } : {}) }));
    const r = await post(`${base}/v1/events`, JSON.stringify(body), { ...bearer, 'Content-Type': 'application/json' });
    expect([r.status, r.data]).toEqual([200, '{"accepted":20}']);
    accepted += 20;
    const docs = await expectExactlyOnce(gw, 'it-http-array', ms);
    ms.forEach((m, i) => {
      expectFields(docs.get(m)!, { message: `${m} array element`, seq: i, 'siemgate.format': 'json' }, m);
      checkHttpDoc(docs.get(m)!);
    });
    expect(docs.get(ms[3])!['@timestamp']).toBe('2026-01-02T03:04:05.678Z');
  });

  test('/v1/events, NDJSON (application/x-ndjson, CRLF and a blank line): 30 objects', async () => {
    const ms = markers('it-http-ndjson', 30);
    const lines = ms.map((m, i) => JSON.stringify({ message: `${m} ndjson`, i }));
    lines.splice(10, 0, ''); // a blank line is skipped
    const body = lines.join('\r\n') + '\n';
    const r = await post(`${base}/v1/events`, body, { ...bearer, 'Content-Type': 'application/x-ndjson' });
    expect([r.status, r.data]).toEqual([200, '{"accepted":30}']);
    accepted += 30;
    const docs = await expectExactlyOnce(gw, 'it-http-ndjson', ms);
    ms.forEach((m, i) => expectFields(docs.get(m)!, { message: `${m} ndjson`, i }, m));
  });

  test('/v1/events, gzip NDJSON (Content-Encoding: gzip): 25 objects', async () => {
    const ms = markers('it-http-gzip', 25);
    const body = gzipSync(Buffer.from(ms.map((m) => JSON.stringify({ message: `${m} gzipped`, tags: ['gz'] })).join('\n')));
    const r = await post(`${base}/v1/events`, body, { ...bearer, 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip' });
    expect([r.status, r.data]).toEqual([200, '{"accepted":25}']);
    accepted += 25;
    const docs = await expectExactlyOnce(gw, 'it-http-gzip', ms);
    for (const [m, d] of docs) {
      expect(d.message).toBe(`${m} gzipped`);
      expect(d.tags).toEqual(['gz']);
    }
  });

  test('HEC /services/collector/event: batched envelopes; host, source, sourcetype, index, time and fields arrive', async () => {
    const ms = markers('it-hec-event', 12);
    const envelopes = ms.map((m, i) => ({
      time: 1767225600.125 + i, host: `web-${i}`, source: 'it:source', sourcetype: 'it:st', index: 'itidx',
      event: i % 2 === 0 ? `${m} string event` : { message: `${m} object event`, k: i },
      fields: { team: 'blue', n: i, multi: ['a', 'b'] },
    }));
    // back to back and newline-separated, as HEC senders batch (not a JSON array)
    const body = envelopes.slice(0, 6).map((e) => JSON.stringify(e)).join('') + '\n' + envelopes.slice(6).map((e) => JSON.stringify(e)).join('\n');
    const r = await post(`${base}/services/collector/event`, body, { ...splunk, 'Content-Type': 'application/json' });
    expect([r.status, r.data]).toEqual([200, '{"text":"Success","code":0}']);
    accepted += ms.length;
    const docs = await expectExactlyOnce(gw, 'it-hec-event', ms);
    ms.forEach((m, i) => {
      const d = docs.get(m)!;
      expectFields(d, {
        message: i % 2 === 0 ? `${m} string event` : `${m} object event`,
        'host.hostname': `web-${i}`, 'siemgate.sourcetype': 'it:st', 'siemgate.source': 'it:source', 'siemgate.index': 'itidx',
        '@timestamp': new Date(Math.floor((1767225600.125 + i) * 1000)).toISOString(),
        'labels.team': 'blue', 'labels.n': String(i), 'labels.multi': '["a","b"]',
      }, m);
      if (i % 2 === 1) expectFields(d, { k: i, 'siemgate.format': 'json' }, m);
      // a text event is plain text by design: not a parse failure (no parse_error tag)
      else expect([m, (d.tags as string[] | undefined) ?? []]).toEqual([m, []]);
      checkHttpDoc(d);
    });
  });

  test('HEC /event with gzip, and Basic auth with the token as password', async () => {
    const ms = markers('it-hec-gzip', 5);
    const body = gzipSync(Buffer.from(ms.map((m) => JSON.stringify({ event: `${m} gz`, sourcetype: 'gz:st' })).join('')));
    const r = await post(`${base}/services/collector/event`, body, {
      Authorization: `Basic ${Buffer.from(`anyuser:${TOKEN}`).toString('base64')}`, 'Content-Encoding': 'gzip',
    });
    expect([r.status, r.data]).toEqual([200, '{"text":"Success","code":0}']);
    accepted += ms.length;
    const docs = await expectExactlyOnce(gw, 'it-hec-gzip', ms);
    for (const [m, d] of docs) expectFields(d, { message: `${m} gz`, 'siemgate.sourcetype': 'gz:st' }, m);
  });

  test('HEC /services/collector/raw: one event per line (CRLF, blank lines skipped), metadata from the query string', async () => {
    const ms = markers('it-hec-raw', 10);
    const body = ms.map((m) => `${m} raw line`).join('\r\n').replace('\r\n', '\r\n\r\n\n') + '\n';
    const r = await post(`${base}/services/collector/raw?host=rawhost&sourcetype=raw:st&channel=0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba`, body,
      { ...splunk, 'Content-Type': 'text/plain' });
    expect([r.status, r.data]).toEqual([200, '{"text":"Success","code":0}']);
    accepted += ms.length;
    const docs = await expectExactlyOnce(gw, 'it-hec-raw', ms);
    for (const [m, d] of docs) {
      expectFields(d, { message: `${m} raw line`, 'host.hostname': 'rawhost', 'siemgate.sourcetype': 'raw:st' }, m);
      expect([m, (d.tags as string[] | undefined) ?? []]).toEqual([m, []]);
      checkHttpDoc(d);
    }
  });

  test('HEC /services/collector/health: 200 {"text":"HEC is healthy","code":17}', async () => {
    const r = await axios.get<string>(`${base}/services/collector/health`, { validateStatus: () => true, responseType: 'text', transformResponse: [(d: string) => d] });
    expect([r.status, r.data]).toEqual([200, '{"text":"HEC is healthy","code":17}']);
  });

  /** After refused requests, a good one: its 200 comes after a flush, so anything refused would show by then. */
  async function expectNothingFrom(prefixes: string[]): Promise<void> {
    const m = `it-http-fence-${Math.random().toString(36).slice(2, 8)}`;
    const r = await post(`${base}/v1/events`, JSON.stringify({ message: `${m}-0 fence` }), bearer);
    expect(r.status).toBe(200);
    accepted += 1;
    await expectExactlyOnce(gw, m, [`${m}-0`]);
    await sleep(200);
    const docs = gw.docs();
    for (const p of prefixes) expect([p, groupByMarker(docs, p).size]).toEqual([p, 0]);
  }

  test('refused: HEC without a token (401 code 2), wrong scheme (401 code 3), wrong token (403 code 4); /v1 401s; nothing written', async () => {
    const ev = (p: string) => JSON.stringify({ event: `${p}-0 must not arrive` });
    const hec = `${base}/services/collector/event`;
    let r = await post(hec, ev('it-refused-a'), {});
    expect([r.status, r.data]).toEqual([401, '{"text":"Token is required","code":2}']);
    r = await post(hec, ev('it-refused-b'), { Authorization: `Bearer ${TOKEN}` });
    expect([r.status, r.data]).toEqual([401, '{"text":"Invalid authorization","code":3}']);
    r = await post(hec, ev('it-refused-c'), { Authorization: `Splunk ${OTHER}` });
    expect([r.status, r.data]).toEqual([403, '{"text":"Invalid token","code":4}']);
    r = await post(`${base}/services/collector/raw`, 'it-refused-d-0 must not arrive\n', { Authorization: `Splunk ${OTHER}` });
    expect([r.status, r.data]).toEqual([403, '{"text":"Invalid token","code":4}']);
    r = await post(`${base}/v1/events`, JSON.stringify({ message: 'it-refused-e-0 must not arrive' }), {});
    expect(r.status).toBe(401);
    expect(JSON.parse(r.data).error.code).toBe('SG_HTTP_AUTH_REQUIRED');
    r = await post(`${base}/v1/events`, JSON.stringify({ message: 'it-refused-f-0 must not arrive' }), { Authorization: `Bearer ${OTHER}` });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.data).error.code).toBe('SG_HTTP_AUTH_INVALID');
    expect(r.headers['www-authenticate']).toMatch(/^Bearer /);
    await expectNothingFrom(['it-refused-a', 'it-refused-b', 'it-refused-c', 'it-refused-d', 'it-refused-e', 'it-refused-f']);
  });

  test('refused: bodies over max_body_bytes (1KiB) get 413, also when only the gunzipped size is over; nothing written', async () => {
    const big = (p: string) => JSON.stringify({ message: `${p}-0 too big`, pad: 'x'.repeat(2000) });
    let r = await post(`${smallBase}/v1/events`, big('it-big-a'), bearer);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.data).error.code).toBe('SG_HTTP_BODY_TOO_LARGE');
    r = await post(`${smallBase}/services/collector/event`, JSON.stringify({ event: `it-big-b-0 too big ${'y'.repeat(2000)}` }), splunk);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.data)).toEqual(expect.objectContaining({ code: 413 }));
    const zipped = gzipSync(Buffer.from(big('it-big-c')));
    expect(zipped.length).toBeLessThan(1024); // compresses well: only the decompressed size is over
    r = await post(`${smallBase}/v1/events`, zipped, { ...bearer, 'Content-Encoding': 'gzip' });
    expect(r.status).toBe(413);
    // a body under the limit on the same input is taken
    r = await post(`${smallBase}/v1/events`, JSON.stringify({ message: 'it-small-ok-0 fits' }), bearer);
    expect([r.status, r.data]).toEqual([200, '{"accepted":1}']);
    accepted += 1;
    const ok = await expectExactlyOnce(gw, 'it-small-ok', ['it-small-ok-0']);
    checkHttpDoc(ok.get('it-small-ok-0')!, 'http-small');
    await expectNothingFrom(['it-big-a', 'it-big-b', 'it-big-c']);
  });

  test('refused: /v1/events is all or nothing (bad line 3 => 400, none of the 5 kept); HEC keeps the objects before a bad one', async () => {
    const lines = markers('it-bad-ndjson', 5).map((m) => JSON.stringify({ message: `${m} x` }));
    lines[2] = '{"message": "it-bad-ndjson-2 broken",';
    let r = await post(`${base}/v1/events`, lines.join('\n'), { ...bearer, 'Content-Type': 'application/x-ndjson' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.data).error).toEqual(expect.objectContaining({ code: 'SG_HTTP_BAD_JSON' }));
    expect(JSON.parse(r.data).error.message).toMatch(/line 3/);

    const ms = markers('it-hec-partial', 5);
    const objs: unknown[] = ms.map((m) => ({ event: `${m} hec` }));
    objs[2] = { fields: { a: 1 } }; // no event: code 12 at index 2
    r = await post(`${base}/services/collector/event`, objs.map((o) => JSON.stringify(o)).join(''), splunk);
    expect([r.status, r.data]).toEqual([400, '{"text":"Event field is required","code":12,"invalid-event-number":2}']);
    accepted += 2;
    // Splunk's rule: objects 0 and 1 indexed; 2 refused; 3 and 4 not read.
    await expectExactlyOnce(gw, 'it-hec-partial', ms.slice(0, 2));
    await expectNothingFrom(['it-bad-ndjson']);
  });

  test('SIGTERM: exit 0, and the file holds exactly the accepted events, nothing else', async () => {
    expect(await gw.stop()).toBe(0);
    expect(gw.docs().length).toBe(accepted);
  });
});
