import { gzipSync, deflateSync } from 'zlib';
import { startInput } from '../../../src/inputs';
import { FLAG_JSON, type RunningInput } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';
import { httpConfig, httpRequest, type HttpAnswer } from './input-fixtures';

const auth = { Authorization: 'Bearer good-token' };

describe('http input: POST /v1/events', () => {
  let input: RunningInput;
  let sink: RecordingSink;
  beforeEach(async () => {
    sink = new RecordingSink();
    input = await startInput(httpConfig(), sink);
  });
  afterEach(async () => { await input.close(); });

  const post = (body: string | Buffer, headers: Record<string, string | number> = {}, chunked = false): Promise<HttpAnswer> =>
    httpRequest(input.address.port, 'POST', '/v1/events', { headers: { ...auth, 'Content-Type': 'application/json', ...headers }, body, chunked });

  test('one object: handed over as its own JSON bytes with FLAG_JSON, 200 after flush', async () => {
    const r = await post(' {"msg":"hello","n":12345678901234567890}\n');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ accepted: 1 });
    expect(sink.messages).toEqual([expect.objectContaining({ text: '{"msg":"hello","n":12345678901234567890}', flags: FLAG_JSON })]);
    expect(sink.messages[0].peer).toMatchObject({ transport: 'http', input: 'http-test', ip: '127.0.0.1' });
    expect(sink.flushes).toBe(1);
  });

  test('an array of objects: each element as its own bytes', async () => {
    const r = await post('[{"a":1}, {"b":"x,]"} ,{"c":[1,{"d":2}]}]');
    expect(r.json).toEqual({ accepted: 3 });
    expect(sink.texts()).toEqual(['{"a":1}', '{"b":"x,]"}', '{"c":[1,{"d":2}]}']);
  });

  test('NDJSON by Content-Type and by content; blank lines and CRLF are fine', async () => {
    const nd = '{"a":1}\r\n\n{"b":2}\n{"c":3}';
    expect((await post(nd, { 'Content-Type': 'application/x-ndjson' })).json).toEqual({ accepted: 3 });
    expect((await post(nd)).json).toEqual({ accepted: 3 });
    expect(sink.texts()).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test('gzip bodies', async () => {
    const r = await post(gzipSync('{"a":1}\n{"b":2}\n'), { 'Content-Encoding': 'gzip' });
    expect(r.json).toEqual({ accepted: 2 });
    const bad = await post(Buffer.from('not gzip'), { 'Content-Encoding': 'gzip' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('SG_HTTP_BAD_GZIP');
  });

  test('400 for bad JSON names the place, and nothing from the request is accepted', async () => {
    const single = await post('{\n  "a": 1,\n  "b": }\n');
    expect(single.status).toBe(400);
    expect(single.json.error.code).toBe('SG_HTTP_BAD_JSON');
    expect(single.json.error.message).toMatch(/^line 3 column \d+: not valid JSON/);

    const nd = await post('{"a":1}\n{"b":2}\n{"c":\n{"d":4}\n', { 'Content-Type': 'application/x-ndjson' });
    expect(nd.status).toBe(400);
    expect(nd.json.error.message).toMatch(/^line 3( column \d+)?: not valid JSON/);
    expect(nd.json.error.message).toContain('resend the whole request');

    const arr = await post('[{"a":1},{"b":2},{"c":}]');
    expect(arr.json.error.message).toMatch(/^array index 2 /);

    const notObj = await post('[{"a":1},"text"]');
    expect(notObj.json.error).toEqual({ code: 'SG_HTTP_NOT_OBJECT', message: expect.stringMatching(/^array index 1: expected a JSON object, got a string/) });

    const ndNotObj = await post('{"a":1}\n[1]\n', { 'Content-Type': 'application/x-ndjson' });
    expect(ndNotObj.json.error.message).toMatch(/^line 2: expected a JSON object, got an array/);

    const empty = await post('  \n');
    expect(empty.json.error.code).toBe('SG_HTTP_EMPTY_BODY');

    expect(sink.messages).toEqual([]);
    expect(input.counters.httpBadRequests).toBe(6);
    expect(sink.rejected('bad_event')).toBe(6);
  });

  test('401 with WWW-Authenticate: Bearer for a missing or bad token; Splunk <token> is accepted', async () => {
    const none = await httpRequest(input.address.port, 'POST', '/v1/events', { body: '{"a":1}' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(none.json.error.code).toBe('SG_HTTP_AUTH_REQUIRED');
    const bad = await post('{"a":1}', { Authorization: 'Bearer wrong' });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(bad.json.error.code).toBe('SG_HTTP_AUTH_INVALID');
    expect(bad.text).not.toContain('wrong');
    const splunk = await post('{"a":1}', { Authorization: 'Splunk good-token' });
    expect(splunk.status).toBe(200);
    expect(input.counters.httpAuthFailures).toBe(2);
    expect(sink.messages).toHaveLength(1);
  });

  test('413 for a body over max_body_bytes, declared or streamed, and for a gzip bomb', async () => {
    const big = `{"a":"${'x'.repeat(70 * 1024)}"}`;
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('SG_HTTP_BODY_TOO_LARGE');
    const streamed = await post(big, {}, true);
    expect(streamed.status).toBe(413);
    const bomb = await post(gzipSync(big), { 'Content-Encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect(input.counters.httpTooLarge).toBe(3);
    expect(sink.messages).toEqual([]);
    // The server is still fine afterwards.
    expect((await post('{"ok":true}')).status).toBe(200);
  });

  test('415 for other encodings, 404 for other paths, 405 for other methods', async () => {
    const enc = await post(deflateSync('{"a":1}'), { 'Content-Encoding': 'deflate' });
    expect(enc.status).toBe(415);
    expect(enc.json.error.code).toBe('SG_HTTP_ENCODING');
    const nf = await httpRequest(input.address.port, 'POST', '/v2/nothing', { headers: auth, body: '{}' });
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe('SG_HTTP_NOT_FOUND');
    const m = await httpRequest(input.address.port, 'GET', '/v1/events', { headers: auth });
    expect(m.status).toBe(405);
    expect(m.headers.allow).toBe('POST');
    expect(m.json.error.code).toBe('SG_HTTP_METHOD');
  });

  test('auth: none needs no token', async () => {
    const openSink = new RecordingSink();
    const open = await startInput(httpConfig({ auth: 'none', tokens: [] }), openSink);
    try {
      const r = await httpRequest(open.address.port, 'POST', '/v1/events', { body: '{"a":1}' });
      expect(r.json).toEqual({ accepted: 1 });
    } finally {
      await open.close();
    }
  });
});
