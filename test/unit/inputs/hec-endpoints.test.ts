import { gzipSync } from 'zlib';
import { startInput } from '../../../src/inputs';
import { FLAG_JSON, type RunningInput } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';
import { httpConfig, httpRequest, type HttpAnswer } from './input-fixtures';

const NOT_FOUND = '{"text":"The requested URL was not found on this server.","code":404}';

describe('http input: Splunk HEC-compatible endpoints', () => {
  let input: RunningInput;
  let sink: RecordingSink;
  beforeEach(async () => {
    sink = new RecordingSink();
    input = await startInput(httpConfig({ tokens: [{ name: 'hec', secret: '11111111-2222-3333-4444-555555555555' }] }), sink);
  });
  afterEach(async () => { await input.close(); });

  const TOKEN = 'Splunk 11111111-2222-3333-4444-555555555555';
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = { Authorization: TOKEN }): Promise<HttpAnswer> =>
    httpRequest(input.address.port, 'POST', path, { headers, body });

  test('/event: a batch of concatenated envelopes; string events as text, others as JSON, metadata kept', async () => {
    const body = '{"time":1767225600.123,"host":"fw01","source":"udp:514","sourcetype":"cisco:asa","index":"netfw","event":"<166>%ASA-6-302013: Built"}'
      + '{"event":{"action":"login","user":"bob"},"fields":{"env":"prod","tags":["a","b"]}}\n'
      + '  {"event":42}';
    const r = await post('/services/collector/event', body, { Authorization: TOKEN, 'X-Splunk-Request-Channel': '0f6a3c1e-0000-4000-8000-000000000000' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"text":"Success","code":0}');
    expect(sink.messages.map((m) => [m.text, m.flags])).toEqual([
      ['<166>%ASA-6-302013: Built', 0],
      ['{"action":"login","user":"bob"}', FLAG_JSON],
      ['42', FLAG_JSON],
    ]);
    expect(sink.messages[0].meta).toEqual({ time: 1767225600.123, host: 'fw01', source: 'udp:514', sourcetype: 'cisco:asa', index: 'netfw' });
    expect(sink.messages[1].meta).toEqual({ fields: { env: 'prod', tags: ['a', 'b'] } });
    expect(sink.flushes).toBe(1);
  });

  test('aliases /services/collector and /event/1.0, and gzip bodies', async () => {
    expect((await post('/services/collector', '{"event":"a"}')).status).toBe(200);
    expect((await post('/services/collector/event/1.0', '{"event":"b"}')).status).toBe(200);
    const gz = await httpRequest(input.address.port, 'POST', '/services/collector/event', {
      headers: { Authorization: TOKEN, 'Content-Encoding': 'gzip' }, body: gzipSync('{"event":"c"}{"event":"d"}'),
    });
    expect(gz.text).toBe('{"text":"Success","code":0}');
    expect(sink.texts()).toEqual(['a', 'b', 'c', 'd']);
  });

  test.each([
    ['event missing', '{"host":"h"}', 12, 'Event field is required'],
    ['event null', '{"event":null}', 6, 'Invalid data format'],
    ['event false', '{"event":false}', 6, 'Invalid data format'],
    ['event blank', '{"event":"  "}', 13, 'Event field cannot be blank'],
    ['not JSON', '{"event":"x",}', 6, 'Invalid data format'],
    ['an array', '[{"event":"x"}]', 6, 'Invalid data format'],
    ['nested fields', '{"event":"x","fields":{"a":{"b":1}}}', 15, 'Error in handling indexed fields'],
    // JSON.parse takes it, JSON.stringify runs out of stack: still this object's fault, not a 500
    ['nested 10,000 deep', `{"event":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`, 6, 'Invalid data format'],
  ])('a bad 3rd object (%s): 400 with invalid-event-number 2; exactly the first two are taken', async (_n, bad, code, text) => {
    const r = await post('/services/collector/event', `{"event":"one"}\n{"event":{"n":2}}\n${bad}\n{"event":"four"}`);
    expect(r.status).toBe(400);
    expect(r.text).toBe(`{"text":"${text}","code":${code},"invalid-event-number":2}`);
    expect(sink.texts()).toEqual(['one', '{"n":2}']);
    expect(sink.flushes).toBe(1); // the two taken are made durable before the answer
    expect(sink.rejected('bad_event')).toBe(1);
    expect(input.counters.httpBadRequests).toBe(1);
  });

  test('/ack: tokens work with acknowledgement off, as Splunk answers then (400 code 14); the token is still checked', async () => {
    const r = await post('/services/collector/ack', '{"acks":[0,1]}');
    expect([r.status, r.text]).toEqual([400, '{"text":"ACK is disabled","code":14}']);
    const bad = await httpRequest(input.address.port, 'POST', '/services/collector/ack', { headers: { Authorization: 'Splunk wrong' }, body: '{"acks":[0]}' });
    expect(bad.status).toBe(403);
    expect(sink.messages).toHaveLength(0);
  });

  test('/raw: lines are events, metadata from the query string', async () => {
    const r = await post('/services/collector/raw?channel=abc&sourcetype=syslog&host=h1&index=main&source=app',
      '<13>line one\r\n\n<13>line two\n');
    expect(r.text).toBe('{"text":"Success","code":0}');
    expect(sink.messages.map((m) => [m.text, m.flags])).toEqual([['<13>line one', 0], ['<13>line two', 0]]);
    expect(sink.messages[0].meta).toEqual({ sourcetype: 'syslog', host: 'h1', index: 'main', source: 'app' });
    expect((await post('/services/collector/raw/1.0', 'x')).status).toBe(200);
  });

  test('health: 200 code 17 on both paths, without a token', async () => {
    for (const path of ['/services/collector/health', '/services/collector/health/1.0']) {
      const r = await httpRequest(input.address.port, 'GET', path);
      expect(r.status).toBe(200);
      expect(r.text).toBe('{"text":"HEC is healthy","code":17}');
    }
  });

  test('auth exactly as HEC: codes 2, 3, 4, 16; Basic with the token as password works', async () => {
    const body = '{"event":"x"}';
    const cases: Array<[Record<string, string>, string, number, string]> = [
      [{}, '/services/collector/event', 401, '{"text":"Token is required","code":2}'],
      [{ Authorization: 'Bearer 11111111-2222-3333-4444-555555555555' }, '/services/collector/event', 401, '{"text":"Invalid authorization","code":3}'],
      [{ Authorization: '11111111-2222-3333-4444-555555555555' }, '/services/collector/event', 401, '{"text":"Invalid authorization","code":3}'],
      [{ Authorization: 'Splunk wrong' }, '/services/collector/event', 403, '{"text":"Invalid token","code":4}'],
      [{}, '/services/collector/event?token=11111111-2222-3333-4444-555555555555', 400, '{"text":"Query string authorization is not enabled","code":16}'],
    ];
    for (const [headers, path, status, text] of cases) {
      const r = await post(path, body, headers);
      expect([r.status, r.text]).toEqual([status, text]);
    }
    expect(input.counters.httpAuthFailures).toBe(cases.length);
    expect(sink.messages).toEqual([]);
    const basic = `Basic ${Buffer.from('anyuser:11111111-2222-3333-4444-555555555555').toString('base64')}`;
    expect((await post('/services/collector/event', body, { Authorization: basic })).status).toBe(200);
  });

  test('empty body: 400 code 5', async () => {
    for (const path of ['/services/collector/event', '/services/collector/raw']) {
      const r = await post(path, ' \n');
      expect([r.status, r.text]).toEqual([400, '{"text":"No data","code":5}']);
    }
  });

  test('404 for unknown paths and 405 for wrong methods, both with HEC\'s not-found body; 415; 413', async () => {
    const nf = await post('/services/collector/events', '{"event":"x"}');
    expect([nf.status, nf.text]).toEqual([404, NOT_FOUND]);
    const m = await httpRequest(input.address.port, 'GET', '/services/collector/event', { headers: { Authorization: TOKEN } });
    expect([m.status, m.text]).toEqual([405, NOT_FOUND]);
    const enc = await post('/services/collector/event', '{"event":"x"}', { Authorization: TOKEN, 'Content-Encoding': 'br' });
    expect(enc.status).toBe(415);
    expect(enc.json.code).toBe(415);
    const big = await post('/services/collector/raw', 'x'.repeat(65 * 1024));
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ text: expect.stringContaining('max_body_bytes (65536 bytes'), code: 413 });
    expect(sink.messages).toEqual([]);
  });
});
