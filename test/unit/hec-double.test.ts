import { gzipSync } from 'node:zlib';
import { startHecDouble, splitHecBatch, type HecDouble } from '../helpers/hec-double';

/** Tests of the Splunk HEC test double itself against protocols.md §4 and the §8 "Splunk HEC" row. */

const TOKEN = '11111111-2222-3333-4444-555555555555';
const LIMITED = 'aaaaaaaa-2222-3333-4444-555555555555';
const DISABLED = 'dddddddd-2222-3333-4444-555555555555';

let hec: HecDouble;

beforeEach(async () => {
  hec = await startHecDouble({
    tokens: { [TOKEN]: {}, [LIMITED]: { indexes: ['main', 'netfw'] }, [DISABLED]: { disabled: true } },
  });
});
afterEach(() => hec.close());

interface Answer { status: number; text: string; json?: Record<string, unknown> }

async function post(body: string | Buffer, headers: Record<string, string> = { Authorization: `Splunk ${TOKEN}` }, path = '/services/collector/event'): Promise<Answer> {
  // Uint8Array: @types/node's fetch typings do not take a Buffer as BodyInit.
  const res = await fetch(hec.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return answer(res);
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}

const batch = (...objs: unknown[]) => objs.map((o) => JSON.stringify(o)).join('\n');

describe('success and batching (protocols.md §4.2)', () => {
  test('3 back-to-back objects, plain and gzip', async () => {
    const body = `{"event":"a","host":"fw01"}{"event":{"k":1}} \n\t{"event":0,"fields":{"x":"y","m":["1","2"]}}`;
    expect(await post(body)).toMatchObject({ status: 200, json: { text: 'Success', code: 0 } });
    const gz = await post(gzipSync(body), { Authorization: `Splunk ${TOKEN}`, 'Content-Encoding': 'gzip' });
    expect(gz).toMatchObject({ status: 200, json: { text: 'Success', code: 0 } });
    expect(hec.indexed.map((e) => e.event)).toEqual(['a', { k: 1 }, 0, 'a', { k: 1 }, 0]);
    expect(hec.requests.map((r) => [r.status, r.gzip, r.body === body, r.auth])).toEqual([
      [200, false, true, `Splunk ${TOKEN}`],
      [200, true, true, `Splunk ${TOKEN}`],
    ]);
  });

  test('aliases /services/collector and /event/1.0; Basic auth with the token as password', async () => {
    const basic = 'Basic ' + Buffer.from(`x:${TOKEN}`).toString('base64');
    expect((await post('{"event":1}', { Authorization: basic }, '/services/collector')).status).toBe(200);
    expect((await post('{"event":2}', undefined, '/services/collector/event/1.0')).status).toBe(200);
    expect(hec.indexed.map((e) => e.event)).toEqual([1, 2]);
  });

  test('the scanner respects strings and escapes', () => {
    const parts = [...splitHecBatch('{"event":"}{\\"}"} {"event":"[\\\\"}{"event"')];
    expect(parts).toEqual(['{"event":"}{\\"}"}', '{"event":"[\\\\"}', '{"event"']);
  });

  test('empty body => 400 code 5', async () => {
    expect(await post('')).toMatchObject({ status: 400, json: { text: 'No data', code: 5 } });
  });

  test('a JSON array is not a batch => code 6 at object 0', async () => {
    expect((await post('[{"event":"a"}]')).json).toEqual({ text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
    expect(hec.indexed).toEqual([]);
  });
});

describe('auth failures (protocols.md §4.1, §4.3)', () => {
  test.each([
    ['no header', 401, 2, 'Token is required', {}],
    ['missing Splunk prefix', 401, 3, 'Invalid authorization', { Authorization: TOKEN }],
    ['Bearer scheme', 401, 3, 'Invalid authorization', { Authorization: `Bearer ${TOKEN}` }],
    ['unknown token', 403, 4, 'Invalid token', { Authorization: 'Splunk nope' }],
    ['disabled token', 403, 1, 'Token disabled', { Authorization: `Splunk ${DISABLED}` }],
  ])('%s => %i code %i', async (_name, status, code, text, headers) => {
    expect(await post('{"event":"a"}', headers as Record<string, string>)).toMatchObject({ status, json: { text, code } });
    expect(hec.indexed).toEqual([]);
  });

  test('query-string token without opt-in => 400 code 16', async () => {
    expect(await post('{"event":"a"}', {}, `/services/collector/event?token=${TOKEN}`)).toMatchObject({ status: 400, json: { code: 16 } });
  });
});

describe('per-object errors mid-batch (protocols.md §4.2 Batching)', () => {
  test.each([
    ['missing event', 12, 'Event field is required', { host: 'h' }],
    ['blank event', 13, 'Event field cannot be blank', { event: '  ' }],
    ['empty event', 13, 'Event field cannot be blank', { event: '' }],
    ['null event', 6, 'Invalid data format', { event: null }],
    ['false event', 6, 'Invalid data format', { event: false }],
    ['nested fields', 15, 'Error in handling indexed fields', { event: 'x', fields: { a: { b: 'c' } } }],
  ])('%s at object 2 => code %i, objects 0-1 indexed', async (_name, code, text, bad) => {
    const a = await post(batch({ event: 'a' }, { event: 'b' }, bad, { event: 'd' }));
    expect(a.status).toBe(400);
    expect(a.json).toEqual({ text, code, 'invalid-event-number': 2 });
    expect(hec.indexed.map((e) => e.event)).toEqual(['a', 'b']);
  });

  test('unparsable object at 1 => code 6, number 1', async () => {
    const a = await post('{"event":"a"}{"event":"b",}{"event":"c"}');
    expect(a).toMatchObject({ status: 400, json: { code: 6, 'invalid-event-number': 1 } });
    expect(hec.indexed.map((e) => e.event)).toEqual(['a']);
  });

  test('code 7 quirk: invalid-event-number is one past the bad object', async () => {
    const a = await post(batch({ event: 'a', index: 'main' }, { event: 'b', index: 'secret' }, { event: 'c' }), { Authorization: `Splunk ${LIMITED}` });
    expect(a).toMatchObject({ status: 400, json: { text: 'Incorrect index', code: 7, 'invalid-event-number': 2 } });
    expect(hec.indexed.map((e) => e.event)).toEqual(['a']);
  });

  test('token without an index list accepts any index', async () => {
    expect((await post('{"event":"a","index":"anything"}')).status).toBe(200);
  });

  test('observed silent drops: fields without event is skipped; an unknown key drops it and the rest', async () => {
    expect((await post(batch({ event: 'a' }, { fields: { x: 'y' } }, { event: 'c' }))).status).toBe(200);
    expect((await post(batch({ event: 'd' }, { event: 'e', channel: 'x' }, { event: 'f' }))).status).toBe(200);
    expect(hec.indexed.map((e) => e.event)).toEqual(['a', 'c', 'd']);
  });
});

describe('busy, size, encoding (protocols.md §4.2, §4.3, §8)', () => {
  test('busy: 503 code 9 then success; health 503 code 18 while busy', async () => {
    hec.busy = 1;
    const health = await answer(await fetch(hec.url + '/services/collector/health'));
    expect(health).toMatchObject({ status: 503, json: { text: 'HEC is unhealthy, queues are full', code: 18 } });
    expect(await post('{"event":"a"}')).toMatchObject({ status: 503, json: { text: 'Server is busy', code: 9 } });
    expect(hec.busy).toBe(0);
    expect(hec.indexed).toEqual([]);
    expect((await post('{"event":"a"}')).status).toBe(200);
    expect(hec.indexed).toHaveLength(1);
  });

  test('413 above maxContentLength, measured after gunzip', async () => {
    hec.maxContentLength = 100;
    const big = JSON.stringify({ event: 'x'.repeat(200) });
    expect((await post(big)).status).toBe(413);
    const gz = gzipSync(big);
    expect(gz.length).toBeLessThan(100);
    expect((await post(gz, { Authorization: `Splunk ${TOKEN}`, 'Content-Encoding': 'gzip' })).status).toBe(413);
    expect((await post('{"event":"ok"}')).status).toBe(200);
    expect(hec.indexed.map((e) => e.event)).toEqual(['ok']);
  });

  test('deflate => 415 with an HTML body', async () => {
    const a = await post('{"event":"a"}', { Authorization: `Splunk ${TOKEN}`, 'Content-Encoding': 'deflate' });
    expect(a.status).toBe(415);
    expect(a.text).toMatch(/<html/i);
  });
});

describe('paths, methods, health, ack (protocols.md §4.1, §4.3, §4.4)', () => {
  const notFound = { text: 'The requested URL was not found on this server.', code: 404 };

  test('unknown path => 404, wrong method => 405, both with code 404', async () => {
    expect(await post('{"event":"a"}', undefined, '/services/collector/nope')).toMatchObject({ status: 404, json: notFound });
    expect(await answer(await fetch(hec.url + '/services/collector/event'))).toMatchObject({ status: 405, json: notFound });
    expect(hec.requests.map((r) => [r.path, r.status])).toEqual([['/services/collector/nope', 404], ['/services/collector/event', 405]]);
  });

  test('health => 200 code 17 with or without a token', async () => {
    const ok = { status: 200, json: { text: 'HEC is healthy', code: 17 } };
    expect(await answer(await fetch(hec.url + '/services/collector/health'))).toMatchObject(ok);
    expect(await answer(await fetch(hec.url + '/services/collector/health/1.0', { headers: { Authorization: 'Splunk bogus' } }))).toMatchObject(ok);
  });

  test('/ack on a token without useACK => 400 code 14', async () => {
    expect(await post('{"acks":[0]}', undefined, '/services/collector/ack')).toMatchObject({ status: 400, json: { text: 'ACK is disabled', code: 14 } });
  });
});
