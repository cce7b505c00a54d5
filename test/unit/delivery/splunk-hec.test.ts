import { createAckTracker } from '../../../connectors/splunk-hec/acks';
import { classifyHec } from '../../../connectors/splunk-hec/client';
import fc from 'fast-check';
import { encodeHecEvent, hecTime, originalJson } from '../../../connectors/splunk-hec/encode';
import type { SplunkHecDestinationConfig } from '../../../src/config/types';
import { eventsOf, recordsOf } from '../../helpers/journal-records';

const cfg: SplunkHecDestinationConfig = {
  name: 'splunk', type: 'splunk_hec', endpoints: ['http://127.0.0.1:1'], token: 't', gzip: false, timeoutMs: 1000,
  tls: { insecureSkipVerify: false }, batch: { maxEvents: 10, maxBytes: 1 << 20, maxWaitMs: 10 }, retry: { initialMs: 1, maxMs: 2 }, concurrency: 1,
};

describe('HEC event encoding (protocols.md §4.2)', () => {
  const raw = '<134>1 2026-11-23T10:00:00.000Z fw01 app - - - he said "hi" \\ ok';
  const doc = JSON.stringify({ '@timestamp': '2026-11-23T10:00:00.123Z', event: { original: raw, id: 'x' }, message: 'he said' });
  const [ev] = eventsOf(recordsOf([doc], () => ({ time: '2026-11-23T10:00:00.123Z', host: 'fw01', input: 'tcp', sourceIp: '10.0.0.1' })));

  test('syslog sources: event is the raw device text; time in epoch seconds with ms; metadata as flat indexed fields', () => {
    const obj = JSON.parse(encodeHecEvent(ev, cfg).toString());
    expect(obj).toEqual({
      time: 1795428000.123, host: 'fw01', source: 'siemgate:tcp', sourcetype: 'syslog', event: raw,
      fields: { siemgate_input: 'tcp', siemgate_format: 'rfc5424', siemgate_peer: '10.0.0.1' },
    });
    expect(encodeHecEvent(ev, cfg).toString().endsWith('}\n')).toBe(true);
  });

  test('a HEC sender\'s own source goes on to Splunk; a configured source overrides it', () => {
    const [fromHec] = eventsOf(recordsOf([doc], () => ({ time: '2026-11-23T10:00:00.123Z', host: 'app1', input: 'hec', source: '/var/log/app.log', sourcetype: 'app:json' })));
    expect(JSON.parse(encodeHecEvent(fromHec, cfg).toString())).toMatchObject({ source: '/var/log/app.log', sourcetype: 'app:json' });
    expect(JSON.parse(encodeHecEvent(fromHec, { ...cfg, source: 'gw' }).toString())).toMatchObject({ source: 'gw' });
    // the cached header part is per source: another source in the same batch is not mixed up
    expect(JSON.parse(encodeHecEvent(ev, cfg).toString()).source).toBe('siemgate:tcp');
  });

  test('config sets index, sourcetype and source when the event names none', () => {
    const obj = JSON.parse(encodeHecEvent(ev, { ...cfg, index: 'netfw', sourcetype: 'cisco:asa', source: 'gw' }).toString());
    expect(obj).toMatchObject({ index: 'netfw', sourcetype: 'cisco:asa', source: 'gw' });
  });

  test('envelope pieces built once per input, sourcetype, index and peer never leak from one event to the next', () => {
    const evs = eventsOf(recordsOf([doc, doc, doc, doc], (i) => [
      { host: 'fw01', input: 'tcp', sourceIp: '10.0.0.1' },
      { host: 'fw02', input: 'udp', sourceIp: '10.0.0.2', index: 'netfw', sourcetype: 'cisco:asa' },
      { host: 'fw01', input: 'tcp', sourceIp: '10.0.0.1', sourcetype: 'pan:traffic' },
      { input: 'tcp', sourceIp: '10.0.0.3' },
    ][i]));
    const got = [...evs, ...evs].map((e) => JSON.parse(encodeHecEvent(e, cfg).toString()));
    const want = [
      { host: 'fw01', source: 'siemgate:tcp', sourcetype: 'syslog', fields: { siemgate_input: 'tcp', siemgate_format: 'rfc5424', siemgate_peer: '10.0.0.1' } },
      { host: 'fw02', source: 'siemgate:udp', sourcetype: 'cisco:asa', index: 'netfw', fields: { siemgate_input: 'udp', siemgate_format: 'rfc5424', siemgate_peer: '10.0.0.2' } },
      { host: 'fw01', source: 'siemgate:tcp', sourcetype: 'pan:traffic', fields: { siemgate_input: 'tcp', siemgate_format: 'rfc5424', siemgate_peer: '10.0.0.1' } },
      { host: '10.0.0.3', source: 'siemgate:tcp', sourcetype: 'syslog', fields: { siemgate_input: 'tcp', siemgate_format: 'rfc5424', siemgate_peer: '10.0.0.3' } },
    ];
    got.forEach((o, i) => {
      const { time: _t, event, ...rest } = o;
      expect(event).toBe(raw);
      expect(rest).toEqual(want[i % 4]);
    });
  });

  test('originalJson finds the escaped string without parsing the document', () => {
    expect(JSON.parse(originalJson(Buffer.from(doc))!.toString())).toBe(raw);
    expect(originalJson(Buffer.from('{"a":1}'))).toBeUndefined();
  });
});

describe('HEC time', () => {
  test('read by hand from the pipeline\'s timestamps, it is what Date.parse and toFixed(3) give, for any time or text (fast-check)', () => {
    const expected = (iso: string | undefined, r: number) => { const ms = iso === undefined ? NaN : Date.parse(iso); return ((Number.isNaN(ms) ? r : ms) / 1000).toFixed(3); };
    const received = 1795489000123;
    fc.assert(fc.property(fc.integer({ min: 0, max: 4102444799999 }), (ms) => {
      const iso = new Date(ms).toISOString();
      expect(hecTime(iso, received)).toBe(expected(iso, received));
    }), { numRuns: 2000 });
    // neighbours in one hour, across an hour, a day and a year
    for (const iso of ['2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z', '2026-11-24T03:00:00.001Z', '2026-11-24T03:59:59.998Z', '2026-11-24T04:00:00.000Z']) {
      expect(hecTime(iso, received)).toBe(expected(iso, received));
    }
    // anything else, by the slow way: other forms, junk, leap seconds, absent
    fc.assert(fc.property(fc.oneof(fc.string(), fc.constantFrom('2026-11-24T03:04:60.000Z', '2026-11-24T03:61:00.000Z', '2026-13-24T03:04:05.000Z', '2026-11-24T03:04:05Z', '2026-11-24 03:04:05.000Z', '1969-12-31T23:59:59.999Z', '2026-11-24T03:04:05.12aZ')), (iso) => {
      expect(hecTime(iso, received)).toBe(expected(iso, received));
    }));
    expect(hecTime(undefined, received)).toBe('1795489000.123');
  });
});

describe('HEC answers (protocols.md §4.3)', () => {
  const ans = (status: number, body: object | string, retryAfter?: string) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfter });
  const kinds = (o: ReturnType<typeof classifyHec>) => (o.verdicts === 'split' ? 'split' : o.verdicts.map((v) => v.outcome).join(','));

  test('200 (also codes 24/25) delivers all', () => {
    expect(kinds(classifyHec(ans(200, { text: 'Success', code: 0 }), 3, () => undefined))).toBe('delivered,delivered,delivered');
  });
  test('503 code 9 and 429: retry all, Retry-After honoured, endpoint marked failed', () => {
    const o = classifyHec(ans(503, { text: 'Server is busy', code: 9 }, '3'), 2, () => undefined);
    expect(kinds(o)).toBe('retry,retry');
    expect(o.endpointFailed).toBe(true);
    expect((o.verdicts as Array<{ delayMs?: number }>)[0].delayMs).toBe(3000);
    expect(kinds(classifyHec(ans(429, { code: 26 }), 1, () => undefined))).toBe('retry');
  });
  test.each([[401, 2], [401, 3], [403, 4], [403, 1]])('%i code %i: retry and misconfigured (down)', (status, code) => {
    const o = classifyHec(ans(status, { text: 'x', code }), 2, () => undefined);
    expect(kinds(o)).toBe('retry,retry');
    expect(o.misconfigured).toMatch(/check the token/);
  });
  test.each([6, 12, 13, 15])('400 code %i with invalid-event-number: before delivered, that one rejected, after sent again', (code) => {
    const o = classifyHec(ans(400, { text: 'bad', code, 'invalid-event-number': 2 }), 5, () => undefined);
    expect(kinds(o)).toBe('delivered,delivered,reject,retry,retry');
    expect(o.misconfigured).toBeUndefined();
  });
  test('400 code 7 names the object after the bad one (observed quirk); the index problem marks the destination down', () => {
    const o = classifyHec(ans(400, { text: 'Incorrect index', code: 7, 'invalid-event-number': 2 }), 4, (i) => (i === 1 ? 'nope' : 'main'));
    expect(kinds(o)).toBe('delivered,reject,retry,retry');
    expect((o.verdicts as Array<{ reason?: string }>)[1].reason).toMatch(/index "nope" is not allowed/);
    expect(o.misconfigured).toMatch(/allowed indexes/);
  });
  test('400 code 7: the later events for the same index are refused with it, not one request each; the others are sent again', () => {
    const idx = ['main', 'netfw', 'osnix', 'netfw', 'main', 'netfw'];
    const o = classifyHec(ans(400, { text: 'Incorrect index', code: 7, 'invalid-event-number': 2 }), 6, (i) => idx[i]);
    expect(kinds(o)).toBe('delivered,reject,retry,reject,retry,reject');
    expect((o.verdicts as Array<{ reason?: string }>)[5].reason).toMatch(/index "netfw" is not allowed/);
  });
  test('413 asks for halving; code 10 (channel missing) is a setting, not an event problem', () => {
    expect(kinds(classifyHec(ans(413, ''), 4, () => undefined))).toBe('split');
    const o = classifyHec(ans(400, { text: 'Data channel is missing', code: 10 }), 2, () => undefined);
    expect(kinds(o)).toBe('retry,retry');
    expect(o.misconfigured).toMatch(/code 10/);
  });
});

describe('indexer acknowledgement tracker (protocols.md §4.4)', () => {
  test('ids pending on an endpoint are asked for together; true settles, an id never true times out', async () => {
    const asked: number[][] = [];
    const indexed = new Set([1]);
    const t = createAckTracker(async (_e, ids) => {
      asked.push(ids);
      const acks: Record<string, boolean> = {};
      for (const id of ids) acks[String(id)] = indexed.delete(id); // true once, then false
      return { status: 200, body: JSON.stringify({ acks }) };
    }, 20, 150);
    const [a, b] = await Promise.all([t.wait('http://x', 1), t.wait('http://x', 2)]);
    expect([a, b]).toEqual([true, false]);
    expect(asked[0]).toEqual([1, 2]);
    expect(asked.slice(1).every((ids) => ids.length === 1 && ids[0] === 2)).toBe(true);
    t.close();
  });

  test('a token without acknowledgement (400 code 14): delivered on the 200, and the problem is reported', async () => {
    const t = createAckTracker(async () => ({ status: 400, body: '{"text":"ACK is disabled","code":14}' }), 10, 1000);
    expect(await t.wait('http://x', 0)).toBe(true);
    expect(t.problem()).toMatch(/no indexer acknowledgement; enable it in Splunk or set ack: false/);
    t.close();
  });
});
