import { openElasticsearch, type EsAnswer, type EsTransport } from '../../../connectors/elasticsearch';
import { classifyBulk, createEsTransport, type BulkContext, type BulkOutcome } from '../../../connectors/elasticsearch/client';
import { createBulkEncoder, DEFAULT_DATASET, eventIdToken, sanitizeDataStreamPart } from '../../../connectors/elasticsearch/encode';
import { probeElasticsearch } from '../../../connectors/elasticsearch/probe';
import fc from 'fast-check';
import type { ElasticsearchDestinationConfig } from '../../../src/config/types';
import type { EncodedBatch } from '../../../src/delivery/connector';
import type { JournalEvent } from '../../../src/journal/event-record';
import type { Format } from '../../../src/parse';
import { batchContext, processOne } from '../../../src/pipeline';
import { startEsDouble, type EsDouble } from '../../helpers/es-double';

const API_KEY = 'c2llbWdhdGUtaWQ6c3VwZXItc2VjcmV0LWtleQ=='; // "encoded" form of siemgate-id:super-secret-key
const PASSWORD = 'hunter2-very-secret';

const base: ElasticsearchDestinationConfig = {
  name: 'es', type: 'elasticsearch', endpoints: ['http://127.0.0.1:1'], apiKey: API_KEY, namespace: 'default',
  gzip: false, timeoutMs: 2000, tls: { insecureSkipVerify: false },
  batch: { maxEvents: 100, maxBytes: 1 << 20, maxWaitMs: 10 }, retry: { initialMs: 1, maxMs: 2 }, concurrency: 1,
};

let seq = 0;
function event(doc: string | Buffer, format: Format = 'rfc5424', keys: JournalEvent['keys'] = {}): JournalEvent {
  return { seq: seq++, receivedAt: Date.now(), format, truncated: false, keys, doc: typeof doc === 'string' ? Buffer.from(doc) : doc };
}

/** A document as the gateway's pipeline writes it (the same code `siemgate parse` runs). */
function pipelineEvent(line: string): JournalEvent {
  const now = Date.parse('2026-11-23T10:00:00.000Z');
  const r = processOne(line, 0, { input: 'fw', transport: 'tcp', ip: '10.0.0.1', port: 514 }, undefined, batchContext(now), { timezone: 'UTC', now });
  return event(r.line, r.format);
}

function lines(b: Buffer): [Record<string, any>, Record<string, any>, string] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = b.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  const parts = text.slice(0, -1).split('\n');
  expect(parts).toHaveLength(2);
  return [JSON.parse(parts[0]), JSON.parse(parts[1]), parts[1]];
}

describe('bulk encoding (protocols.md §5.1)', () => {
  test('a slab is written again only once every event encoded in it is released', () => {
    const e = createBulkEncoder(base);
    const pad = 'x'.repeat(2000);
    let n = 0;
    const encodeMany = (count: number) => Array.from({ length: count }, () => e.encode(event(JSON.stringify({ message: `m${n++}`, pad }))));
    const first = encodeMany(2500); // ~5 MB: two 4 MiB slabs
    const slabs = [...new Set(first.map((b) => b.buffer))];
    expect(slabs).toHaveLength(2);
    const copies = first.map((b) => Buffer.from(b));
    const inFirst = first.filter((b) => b.buffer === slabs[0]);
    e.release(inFirst.slice(1)); // one event of the first slab still held
    const more = encodeMany(2500);
    expect(more.some((b) => b.buffer === slabs[0])).toBe(false);
    first.forEach((b, i) => expect(b.equals(copies[i])).toBe(true));
    e.release([inFirst[0]]); // now every event in it is released
    const moreCopies = more.map((b) => Buffer.from(b));
    const later = encodeMany(2500);
    expect(later.some((b) => b.buffer === slabs[0])).toBe(true);
    // what is still held, in the second slab and the newer ones, is untouched
    first.forEach((b, i) => { if (b.buffer !== slabs[0]) expect(b.equals(copies[i])).toBe(true); });
    more.forEach((b, i) => expect(b.equals(moreCopies[i])).toBe(true));
    expect(lines(later[later.length - 1])[1].message).toBe(`m${n - 1}`);
  });

  const enc = createBulkEncoder(base);

  test('a pipeline document: create into logs-siemgate.syslog-default, _id = event.id, data_stream spliced first, the rest byte for byte', () => {
    const ev = pipelineEvent('<134>1 2026-11-23T10:00:00.000Z fw01 app - - [event id="not-this"] he said "hi" \\ ok, é ✓');
    const docText = ev.doc.toString('utf8');
    const doc = JSON.parse(docText);
    expect(doc.event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [action, source, sourceText] = lines(enc.encode(ev));
    expect(action).toEqual({ create: { _index: 'logs-siemgate.syslog-default', _id: doc.event.id } });
    expect(sourceText).toBe(`{"data_stream":{"type":"logs","dataset":"siemgate.syslog","namespace":"default"},${docText.slice(1)}`);
    expect(source).toEqual({ ...doc, data_stream: { type: 'logs', dataset: 'siemgate.syslog', namespace: 'default' } });
    expect(enc.dataStreamOf(ev)).toBe('logs-siemgate.syslog-default');
  });

  test('the default dataset by format: syslog kinds → siemgate.syslog, cef, leef, json → siemgate.generic', () => {
    expect(DEFAULT_DATASET).toEqual({
      rfc5424: 'siemgate.syslog', rfc3164: 'siemgate.syslog', kv: 'siemgate.syslog', unknown: 'siemgate.syslog',
      cef: 'siemgate.cef', leef: 'siemgate.leef', json: 'siemgate.generic',
    });
    const cef = pipelineEvent('<134>Nov 23 10:00:00 fw CEF:0|Vendor|Product|1.0|100|Blocked|5|src=10.1.1.1 act=deny');
    expect(cef.format).toBe('cef');
    expect(lines(enc.encode(cef))[0].create._index).toBe('logs-siemgate.cef-default');
    for (const f of ['rfc3164', 'kv', 'unknown', 'leef', 'json'] as Format[]) {
      expect(lines(enc.encode(event('{"@timestamp":"x"}', f)))[0].create._index).toBe(`logs-${DEFAULT_DATASET[f]}-default`);
    }
  });

  test('the event\'s dataset wins over the configured one, which wins over the format default; namespace from config', () => {
    const e = createBulkEncoder({ ...base, dataset: 'network.fw', namespace: 'prod' });
    expect(e.dataStreamOf(event('{}', 'cef'))).toBe('logs-network.fw-prod');
    expect(e.dataStreamOf(event('{}', 'cef', { dataset: 'cisco.asa' }))).toBe('logs-cisco.asa-prod');
    const [, src] = lines(e.encode(event('{"@timestamp":"t"}', 'cef', { dataset: 'cisco.asa' })));
    expect(src.data_stream).toEqual({ type: 'logs', dataset: 'cisco.asa', namespace: 'prod' });
    expect(e.dataStreamOf(event('{}', 'cef', { dataset: '' }))).toBe('logs-network.fw-prod'); // nothing left: the fallback
  });

  test('dataset sanitising: lowercase, forbidden characters and - replaced, unicode kept, ≤ 100 bytes on a character boundary', () => {
    expect(sanitizeDataStreamPart('Cisco-ASA:FW/01 #x,y*z?"<a>|b\\c\td')).toBe('cisco_asa_fw_01__x_y_z___a__b_c_d');
    expect(sanitizeDataStreamPart('Ünïcødé.Logs')).toBe('ünïcødé.logs');
    expect(sanitizeDataStreamPart('é'.repeat(60))).toBe('é'.repeat(50));
    const odd = sanitizeDataStreamPart('a' + 'é'.repeat(60))!;
    expect([odd, Buffer.byteLength(odd)]).toEqual(['a' + 'é'.repeat(49), 99]);
    expect(sanitizeDataStreamPart('')).toBeUndefined();
    const e = createBulkEncoder(base);
    const [action, src] = lines(e.encode(event('{"@timestamp":"t"}', 'rfc5424', { dataset: 'Palo Alto-Traffic' })));
    expect(action.create._index).toBe('logs-palo_alto_traffic-default');
    expect(src.data_stream.dataset).toBe('palo_alto_traffic');
  });

  test('event.id is found at the top level of the event object only; escapes and nested look-alikes do not fool it', () => {
    const doc = '{"@timestamp":"t","log":{"syslog":{"structured_data":{"event":{"id":"fake"}}}},"note":"\\"event\\":{\\"id\\":\\"no\\"} \\\\","event":{"original":"x\\\\\\"id\\":\\"nope","kind":{"id":"deeper"},"id":"real-id"}}';
    expect(JSON.parse(doc).event.id).toBe('real-id');
    expect(lines(enc.encode(event(doc)))[0].create._id).toBe('real-id');
  });

  test('no usable event.id (absent, nested only, not a string, empty, over 512 bytes): no _id (such events are not deduplicated)', () => {
    for (const doc of [
      '{"@timestamp":"t","message":"m"}',
      '{"@timestamp":"t","labels":{"event":{"id":"nested"}}}',
      '{"@timestamp":"t","event":{"id":42}}',
      '{"@timestamp":"t","event":{"id":""}}',
      `{"@timestamp":"t","event":{"id":"${'x'.repeat(513)}"}}`,
    ]) {
      expect(lines(enc.encode(event(doc)))[0]).toEqual({ create: { _index: 'logs-siemgate.syslog-default' } });
    }
    expect(eventIdToken(Buffer.from(`{"event":{"id":"${'x'.repeat(512)}"}}`))).toBeDefined();
  });

  test('an _id with JSON escapes and unicode travels as the same JSON string', () => {
    const id = 'ab"c\\d✓é';
    const [action] = lines(enc.encode(event(JSON.stringify({ '@timestamp': 't', event: { id } }), 'json')));
    expect(action.create._id).toBe(id);
  });

  test('a JSON document with its own top-level data_stream is left as it is and goes to the stream it names; a nested one is not mistaken for it', () => {
    const own = '{"@timestamp":"t","data_stream":{"type":"logs","dataset":"app","namespace":"x"},"event":{"id":"i"}}';
    const [action, doc] = lines(enc.encode(event(own, 'json')));
    expect(action.create._index).toBe('logs-app-x');
    expect(JSON.stringify(doc)).toBe(own);
    expect(enc.dataStreamOf(event(own, 'json'))).toBe('logs-app-x');
    // parts it leaves out are ours; parts a name cannot hold are made valid ones
    expect(lines(enc.encode(event('{"data_stream":{"dataset":"My-App"}}', 'json')))[0].create._index).toBe('logs-my_app-default');
    expect(lines(enc.encode(event('{"data_stream":{"type":"metrics","namespace":"prod"}}', 'json')))[0].create._index).toBe('metrics-siemgate.generic-prod');
    expect(lines(enc.encode(event('{"data_stream":"nonsense"}', 'json')))[0].create._index).toBe('logs-siemgate.generic-default');
    // a type no built-in template makes a data stream of would become a plain index: logs instead
    expect(lines(enc.encode(event('{"data_stream":{"type":"audit","dataset":"app"}}', 'json')))[0].create._index).toBe('logs-app-default');
    const nested = '{"@timestamp":"t","labels":{"data_stream":"n"}}';
    expect(lines(enc.encode(event(nested, 'json')))[1].data_stream).toEqual({ type: 'logs', dataset: 'siemgate.generic', namespace: 'default' });
  });

  test('whatever names a document or the pipeline gives, the index is one Elasticsearch takes (fast-check)', () => {
    const valid = (n: string) => n === n.toLowerCase() && !/^[-_+]/.test(n) && !/[\\/*?"<>| ,#:]/.test(n) && Buffer.byteLength(n) <= 255 && n !== '.' && n !== '..';
    const e = createBulkEncoder({ ...base, namespace: 'Prod Zone' });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 150 }), fc.string({ maxLength: 150 }), fc.string({ maxLength: 20 }), (dataset, ns, type) => {
      const doc = JSON.stringify({ '@timestamp': 't', data_stream: { type, dataset, namespace: ns } });
      const [action] = lines(e.encode(event(doc, 'json')));
      expect([action.create._index, valid(action.create._index)]).toEqual([action.create._index, true]);
    }), { numRuns: 1000 });
  });

  test('an empty document still becomes valid JSON; whitespace inside the braces is kept', () => {
    expect(lines(enc.encode(event('{}')))[2]).toBe('{"data_stream":{"type":"logs","dataset":"siemgate.syslog","namespace":"default"}}');
    expect(lines(enc.encode(event('{ }')))[2]).toBe('{"data_stream":{"type":"logs","dataset":"siemgate.syslog","namespace":"default"} }');
  });

  test('any document, with or without an event.id, in any format: exactly the action line and the spliced document (fast-check)', () => {
    const e = createBulkEncoder({ ...base, namespace: 'prod' });
    const formats: Format[] = ['rfc5424', 'rfc3164', 'cef', 'leef', 'json', 'kv', 'unknown'];
    fc.assert(fc.property(
      fc.dictionary(fc.string(), fc.jsonValue()), fc.option(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', maxLength: 600 }), fc.integer())), fc.boolean(), fc.constantFrom(...formats),
      (obj, id, ownDs, format) => {
        const o: Record<string, unknown> = { ...obj };
        if (id !== null) o.event = { ...(typeof o.event === 'object' && o.event !== null && !Array.isArray(o.event) ? o.event : {}), id };
        if (ownDs) o.data_stream = { type: 'logs', dataset: 'own', namespace: 'x' };
        const text = JSON.stringify(o);
        const out = e.encode(event(text, format));
        const [action, , source] = lines(out);
        const ev = o.event as { id?: unknown } | undefined;
        const evId = ev !== null && typeof ev === 'object' && !Array.isArray(ev) ? ev.id : undefined;
        const usable = typeof evId === 'string' && evId !== '' && Buffer.byteLength(JSON.stringify(evId)) - 2 <= 512;
        const keep = format === 'json' && Object.prototype.hasOwnProperty.call(o, 'data_stream');
        const stream = keep ? 'logs-own-x' : `logs-${DEFAULT_DATASET[format]}-prod`;
        expect(action).toEqual({ create: usable ? { _index: stream, _id: evId } : { _index: stream } });
        const field = `"data_stream":{"type":"logs","dataset":"${DEFAULT_DATASET[format]}","namespace":"prod"}`;
        expect(source).toBe(keep ? text : text === '{}' ? `{${field}}` : `{${field},${text.slice(1)}`);
        expect(out.length).toBe(Buffer.byteLength(`${JSON.stringify(action)}\n${source}\n`)); // no stray bytes from the slab
      }), { numRuns: 500 });
  });
});

// ------------------------------------------------------------------------ classification

const ctx: BulkContext = { credential: 'api_key', namespace: 'default', streamOf: (i) => `logs-s${i}-default` };
const kinds = (o: BulkOutcome) => (o.verdicts === 'split' ? 'split' : o.verdicts.map((v) => v.outcome).join(','));
const ans = (status: number, body: unknown, retryAfter?: string): EsAnswer => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfter });
const esErr = (status: number, type: string, reason: string) => ({ error: { root_cause: [{ type, reason }], type, reason }, status });
const items = (...results: Array<[number, string?, string?]>) => ({
  errors: results.some(([s]) => s >= 300),
  items: results.map(([status, type, reason]) => ({ create: type === undefined ? { status } : { status, error: { type, reason } } })),
});

describe('_bulk answers: per-item policy (protocols.md §5.2)', () => {
  test('errors:false delivers all without reading the items', () => {
    const o = classifyBulk(ans(200, '{"errors":false,"items":"not even parsed"}'), 3, ctx);
    expect([kinds(o), o.duplicates, o.misconfigured]).toEqual(['delivered,delivered,delivered', 0, undefined]);
  });

  test.each<[string, string, [number, string?, string?]]>([
    ['201 created', 'delivered', [201]],
    ['200 ok', 'delivered', [200]],
    ['409 version conflict on create = duplicate', 'delivered', [409, 'version_conflict_engine_exception', '[x]: version conflict, document already exists (current version [1])']],
    ['429 es_rejected_execution_exception', 'retry', [429, 'es_rejected_execution_exception', 'rejected execution']],
    ['500', 'retry', [500, 'exception', 'boom']],
    ['503 unavailable_shards_exception', 'retry', [503, 'unavailable_shards_exception', 'primary shard is not active']],
    ['400 document_parsing_exception', 'reject', [400, 'document_parsing_exception', 'data stream timestamp field [@timestamp] is missing']],
    ['400 mapper_parsing_exception', 'reject', [400, 'mapper_parsing_exception', 'failed to parse field [x]']],
    ['400 illegal_argument_exception', 'reject', [400, 'illegal_argument_exception', 'only write ops with an op_type of create are allowed in data streams']],
    ['404 index_not_found_exception', 'reject', [404, 'index_not_found_exception', 'no such index [logs-s0-default]']],
    ['403 security_exception', 'retry', [403, 'security_exception', 'action [indices:data/write/bulk[s]] is unauthorized']],
    ['403 cluster_block_exception', 'retry', [403, 'cluster_block_exception', 'index [x] blocked by: [FORBIDDEN/8/index write (api)]']],
  ])('%s → %s', (_name, expected, result) => {
    const o = classifyBulk(ans(200, items([201], result)), 2, ctx);
    expect(kinds(o)).toBe(`delivered,${expected}`);
    expect(o.duplicates).toBe(result[0] === 409 ? 1 : 0);
  });

  test('a rejected item carries Elasticsearch\'s "error.type: reason" and the item JSON as the response', () => {
    const body = items([201], [400, 'document_parsing_exception', '[1:35] failed to parse field [source.ip] of type [ip]']);
    const o = classifyBulk(ans(200, body), 2, ctx);
    expect((o.verdicts as any[])[1]).toEqual({ // eslint-disable-line @typescript-eslint/no-explicit-any
      outcome: 'reject',
      reason: 'document_parsing_exception: [1:35] failed to parse field [source.ip] of type [ip] (Elasticsearch 400 on logs-s1-default)',
      response: JSON.stringify(body.items[1]),
    });
    expect(o.misconfigured).toBeUndefined();
  });

  test('403 items: retried, and the destination is down with which privileges to grant on which stream', () => {
    const o = classifyBulk(ans(200, items([201], [403, 'security_exception', 'unauthorized'])), 2, ctx);
    expect(o.misconfigured).toMatch(/the API key may not write to logs-s1-default: grant the index privileges create_doc and auto_configure on logs-\*-default/);
  });

  test('404 items: rejected, and down with the template to check; a missing pipeline: retried and down', () => {
    expect(classifyBulk(ans(200, items([404, 'index_not_found_exception', 'no such index'])), 1, ctx).misconfigured).toMatch(/index template with data_stream/);
    const p = classifyBulk(ans(200, items([400, 'illegal_argument_exception', 'pipeline with id [enrich] does not exist'])), 1, { ...ctx, pipeline: 'enrich' });
    expect(kinds(p)).toBe('retry');
    expect(p.misconfigured).toMatch(/create the ingest pipeline "enrich"/);
  });

  test('an items array of another length, or an unreadable one, is not trusted: all retried', () => {
    const o = classifyBulk(ans(200, items([201], [429, 'es_rejected_execution_exception', 'r'])), 3, ctx);
    expect(kinds(o)).toBe('retry,retry,retry');
    expect((o.verdicts as Array<{ reason: string }>)[0].reason).toBe('Elasticsearch answered 2 item results for 3 actions; not trusted, all 3 are sent again');
    expect(kinds(classifyBulk(ans(200, '{"errors":true,"items":[{"create":'), 1, ctx))).toBe('retry');
  });

  test('a 200 that is no _bulk answer (a proxy page): retried, endpoint failed, down', () => {
    const o = classifyBulk(ans(200, '<html>login</html>'), 2, ctx);
    expect([kinds(o), o.endpointFailed]).toEqual(['retry,retry', true]);
    expect(o.misconfigured).toMatch(/not a proxy/);
  });
});

describe('_bulk answers: whole request (protocols.md §5.2)', () => {
  test('413 → split', () => {
    expect(kinds(classifyBulk(ans(413, ''), 4, ctx))).toBe('split');
  });

  test('429 → retry all with Retry-After, endpoint passed over; 5xx → retry all', () => {
    const o = classifyBulk(ans(429, esErr(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation'), '3'), 2, ctx);
    expect([kinds(o), o.endpointFailed, (o.verdicts as Array<{ delayMs?: number }>)[0].delayMs]).toEqual(['retry,retry', true, 3000]);
    expect((o.verdicts as Array<{ reason: string }>)[0].reason).toBe('Elasticsearch 429 es_rejected_execution_exception: rejected execution of coordinating operation');
    for (const s of [500, 502, 503, 504]) expect(kinds(classifyBulk(ans(s, ''), 1, ctx))).toBe('retry');
  });

  test.each<[BulkContext['credential'], RegExp]>([
    ['api_key', /api_key \/ api_key_file holds the key's "encoded" value/],
    ['basic', /check username and password \/ password_file/],
    ['none', /the cluster requires credentials: set api_key/],
  ])('401 with %s → retry all, down, naming the credential to check', (credential, hint) => {
    const o = classifyBulk(ans(401, esErr(401, 'security_exception', 'unable to authenticate with provided credentials and anonymous access is not allowed for this request')), 2, { ...ctx, credential });
    expect(kinds(o)).toBe('retry,retry');
    expect(o.misconfigured).toMatch(/^Elasticsearch 401 security_exception: unable to authenticate/);
    expect(o.misconfigured).toMatch(hint);
  });

  test('403 → retry all, down, with the privileges to grant', () => {
    const o = classifyBulk(ans(403, esErr(403, 'security_exception', 'action [indices:data/write/bulk] is unauthorized')), 1, ctx);
    expect([kinds(o), o.misconfigured]).toEqual(['retry', expect.stringMatching(/create_doc and auto_configure on logs-\*-default/)]);
  });

  test('400 (malformed request) → reject all with Elasticsearch\'s reason', () => {
    const body = JSON.stringify(esErr(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'));
    const o = classifyBulk(ans(400, body), 2, ctx);
    expect(kinds(o)).toBe('reject,reject');
    expect((o.verdicts as any[])[0]).toEqual({ // eslint-disable-line @typescript-eslint/no-explicit-any
      outcome: 'reject', reason: 'Elasticsearch 400 illegal_argument_exception: The bulk request must be terminated by a newline [\\n] (the whole request was refused)', response: body,
    });
  });

  test('404 / 405 / 3xx: not an Elasticsearch base URL → retry, down', () => {
    for (const s of [301, 404, 405]) {
      const o = classifyBulk(ans(s, '{"error":"no handler found for uri [/x/_bulk] and method [POST]"}'), 1, ctx);
      expect([kinds(o), o.misconfigured]).toEqual(['retry', expect.stringMatching(/check endpoints \(base URL/)]);
    }
  });
});

// ------------------------------------------------------------------------ the connector

function batchOf(c: { encode(ev: JournalEvent): Buffer }, evs: JournalEvent[]): EncodedBatch {
  const encoded = evs.map((e) => c.encode(e));
  return { events: evs, encoded, bytes: encoded.reduce((n, b) => n + b.length, 0) };
}
const docEvent = (i: number, extra = '') => event(`{"@timestamp":"2026-11-23T10:00:00Z","event":{"id":"id-${i}"},"message":"m${i}${extra}"}`);
const signal = new AbortController().signal;
/** Items in a _bulk body: two lines each. */
const count = (body: Buffer) => body.toString().split('\n').length >> 1;

describe('the connector', () => {
  test('413 halves the request until it fits; one event that never fits is rejected, the rest delivered in order', async () => {
    const sizes: number[] = [];
    const t: EsTransport = {
      async bulk(_e, body) {
        const n = count(body);
        sizes.push(n);
        if (n > 2 || body.includes('huge')) return { status: 413, body: '' };
        return { status: 200, body: JSON.stringify(items(...Array.from({ length: n }, (): [number] => [201]))) };
      },
    };
    const c = openElasticsearch(base, t);
    const evs = [0, 1, 2, 3, 4].map((i) => docEvent(i, i === 3 ? 'huge' : ''));
    const v = await c.send(batchOf(c, evs), signal) as Array<{ outcome: string; reason?: string }>;
    expect(v.map((x) => x.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'reject', 'delivered']);
    expect(v[3].reason).toMatch(/^Elasticsearch 413 from http:\/\/127\.0\.0\.1:1: the event \(\d+ bytes as a _bulk item\) is larger than the cluster's http\.max_content_length/);
    expect(sizes).toEqual([5, 2, 3, 1, 2, 1, 1]);
  });

  test('round robin while healthy; an endpoint that fails is passed over for a while; duplicates are counted', async () => {
    const calls: string[] = [];
    let aDown = false;
    const t: EsTransport = {
      async bulk(e, body) {
        calls.push(e);
        if (aDown && e === 'http://a') throw new Error('connect ECONNREFUSED 10.0.0.1:9200');
        return { status: 200, body: JSON.stringify(items(...Array.from({ length: count(body) }, (): [number, string] => [409, 'version_conflict_engine_exception']))) };
      },
    };
    const c = openElasticsearch({ ...base, endpoints: ['http://a', 'http://b'] }, t);
    const send = () => c.send(batchOf(c, [docEvent(1)]), signal) as Promise<Array<{ outcome: string; reason?: string }>>;
    await send(); await send(); await send();
    expect(calls).toEqual(['http://a', 'http://b', 'http://a']);
    expect(c.duplicates()).toBe(3);
    aDown = true;
    const failed = await send(); // b
    expect(failed[0].outcome).toBe('delivered');
    const v = await send(); // a: refused
    expect(v[0]).toEqual({ outcome: 'retry', reason: 'http://a: connect ECONNREFUSED 10.0.0.1:9200' });
    await send(); await send();
    expect(calls.slice(3)).toEqual(['http://b', 'http://a', 'http://b', 'http://b']);
  });

  test('misconfigured() reports a 401 until a request succeeds; never a secret anywhere', async () => {
    let status = 401;
    const t: EsTransport = {
      async bulk() {
        if (status === 401) return { status, body: JSON.stringify(esErr(401, 'security_exception', 'unable to authenticate with provided credentials and anonymous access is not allowed for this request')) };
        return { status: 200, body: '{"errors":false,"items":[{"create":{"status":201}}]}' };
      },
    };
    const cfg = { ...base, endpoints: ['http://siemgate:leaked-url-password@es.example:9200'] };
    const c = openElasticsearch(cfg, t);
    const v = await c.send(batchOf(c, [docEvent(1)]), signal) as Array<{ outcome: string; reason: string }>;
    expect(v[0].outcome).toBe('retry');
    const msg = c.misconfigured!()!;
    expect(msg).toMatch(/^http:\/\/es\.example:9200: Elasticsearch 401 security_exception/);
    for (const text of [msg, v[0].reason, c.target]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('super-secret-key');
      expect(text).not.toContain('leaked-url-password');
    }
    status = 200;
    await c.send(batchOf(c, [docEvent(2)]), signal);
    expect(c.misconfigured!()).toBeUndefined();
  });
});

// ------------------------------------------------------------------------ transport and probe against the double

describe('transport and probe against the Elasticsearch double', () => {
  let es: EsDouble;
  beforeEach(async () => {
    es = await startEsDouble({
      apiKeys: {
        [API_KEY]: { user: 'siemgate' },
        [Buffer.from('narrow-id:narrow-secret').toString('base64')]: { user: 'narrow', indices: ['logs-siemgate.*-default'], cluster: [] },
        [Buffer.from('none-id:none-secret').toString('base64')]: { user: 'nobody', indices: ['other-*'] },
      },
      users: { writer: { user: 'writer', password: PASSWORD } },
    });
  });
  afterEach(() => es.close());

  test('the request: POST /_bulk with filter_path (+ pipeline), x-ndjson, gzip, ApiKey; an id:key pasted raw is encoded', async () => {
    es.pipelines.add('enrich');
    const t = createEsTransport({ ...base, endpoints: [es.url], gzip: true, pipeline: 'enrich', apiKey: 'siemgate-id:super-secret-key' });
    const c = openElasticsearch({ ...base, endpoints: [es.url] }, t);
    const a = await t.bulk(es.url, batchOf(c, [docEvent(1)]).encoded[0], signal);
    expect(a).toEqual({ status: 200, body: '{"errors":false,"items":[{"create":{"status":201}}]}', retryAfter: undefined });
    const r = es.requests[0];
    expect([r.method, r.path, r.query, r.gzip, r.headers['content-type'], r.headers.authorization]).toEqual([
      'POST', '/_bulk', { filter_path: 'errors,items.*.status,items.*.error.type,items.*.error.reason', pipeline: 'enrich' }, true, 'application/x-ndjson', `ApiKey ${API_KEY}`,
    ]);
    expect(es.indexed.get('logs-siemgate.syslog-default')![0]).toMatchObject({ _id: 'id-1', pipeline: 'enrich' });
  });

  test('Basic auth, and a whole batch through the real transport: each event once, 409 on the resend', async () => {
    const cfg = { ...base, endpoints: [es.url], apiKey: undefined, username: 'writer', password: PASSWORD };
    const c = openElasticsearch(cfg);
    const evs = [0, 1, 2].map((i) => docEvent(i));
    expect((await c.send(batchOf(c, evs), signal) as Array<{ outcome: string }>).map((v) => v.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect((await c.send(batchOf(c, evs), signal) as Array<{ outcome: string }>).map((v) => v.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(c.duplicates()).toBe(3);
    expect(es.docs().map((d) => d._id)).toEqual(['id-0', 'id-1', 'id-2']);
    expect(es.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`writer:${PASSWORD}`).toString('base64')}`);
  });

  test('probe: version and write privileges; security disabled; nothing is indexed', async () => {
    expect(await probeElasticsearch({ ...base, endpoints: [es.url] }, 2000)).toEqual([`${es.url}: Elasticsearch 8.15.0; the API key (api_key) may write to logs-*-default`]);
    es.security = 'disabled';
    expect(await probeElasticsearch({ ...base, endpoints: [es.url] }, 2000)).toEqual([
      `${es.url}: Elasticsearch 8.15.0; security is disabled, anyone who can reach it can write (the configured credentials are not checked)`,
    ]);
    expect(es.docs()).toHaveLength(0);
    expect(es.requests.every((r) => r.path !== '/_bulk')).toBe(true);
  });

  test('probe: a key without monitor but with the default streams passes with what it could not check', async () => {
    const [line] = await probeElasticsearch({ ...base, endpoints: [es.url], apiKey: Buffer.from('narrow-id:narrow-secret').toString('base64') }, 2000);
    expect(line).toBe(`${es.url}: Elasticsearch (version not checked: the credentials lack the monitor cluster privilege); the API key (api_key) may write to ` +
      'logs-siemgate.syslog-default, logs-siemgate.cef-default, logs-siemgate.leef-default, logs-siemgate.generic-default but not to all of logs-*-default: events the mappings put into other datasets would be refused (403)');
  });

  test('probe failures: one line each, endpoint first, what to do; no secret', async () => {
    const dead = 'http://127.0.0.1:1'; // nothing listens on port 1
    const fail = async (cfg: Partial<ElasticsearchDestinationConfig>) => {
      try {
        await probeElasticsearch({ ...base, endpoints: [es.url], ...cfg }, 2000);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('the probe passed');
    };
    const m1 = await fail({ apiKey: 'bm90LXRoZS1rZXk6bm9wZQ==', endpoints: [es.url, dead] });
    expect(m1.split('\n  ')).toEqual([
      `${es.url}: credentials refused: check that api_key / api_key_file holds the key's "encoded" value and that the key is not expired or invalidated`,
      expect.stringMatching(new RegExp(`^${dead}: not reachable \\(.*ECONNREFUSED.*\\); check the URL, the network path and tls\\.ca_file$`)),
    ]);
    expect(await fail({ apiKey: Buffer.from('none-id:none-secret').toString('base64') })).toBe(
      `${es.url}: the API key (api_key) may not write to logs-siemgate.syslog-default, logs-siemgate.cef-default, logs-siemgate.leef-default, logs-siemgate.generic-default ` +
      '(missing create_doc, auto_configure); grant the index privileges create_doc and auto_configure on logs-*-default to its role');
    expect(await fail({ apiKey: undefined, username: 'writer', password: 'wrong-password' })).toBe(`${es.url}: credentials refused: check username and password / password_file`);
    expect(await fail({ apiKey: undefined })).toBe(`${es.url}: the cluster requires credentials: set api_key (or api_key_file) or username and password`);
    es.version = '7.8.1';
    const old = await fail({});
    expect(old).toBe(`${es.url}: Elasticsearch 7.8.1 has no data streams; upgrade to 7.9 or later`);
    for (const m of [m1, old]) expect(m).not.toMatch(/secret|bm90LXRoZS1rZXk|wrong-password/);
  });
});
