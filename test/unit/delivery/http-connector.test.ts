import { openHttpDestination } from '../../../connectors/http';
import { classify, type HttpAnswer } from '../../../connectors/http/client';
import { parseRetryAfter, backoffMs } from '../../../src/delivery/backoff';
import type { HttpDestinationConfig } from '../../../src/config/types';
import type { JournalEvent } from '../../../src/journal/event-record';

const cfg: HttpDestinationConfig = {
  name: 'h', type: 'http', url: 'http://127.0.0.1:1/x', headers: {}, gzip: false, timeoutMs: 1000, tls: { insecureSkipVerify: false },
  batch: { maxEvents: 10, maxBytes: 1 << 20, maxWaitMs: 10 }, retry: { initialMs: 1, maxMs: 2 }, concurrency: 1,
};
const ev = (doc: string): JournalEvent => ({ seq: 0, receivedAt: 0, format: 'json', truncated: false, keys: {}, doc: Buffer.from(doc) });

describe('http destination', () => {
  test.each<[HttpAnswer, string]>([
    [{ status: 200, body: '' }, 'delivered'],
    [{ status: 204, body: '' }, 'delivered'],
    [{ status: 429, body: 'slow down', retryAfter: '7' }, 'retry'],
    [{ status: 503, body: '' }, 'retry'],
    [{ status: 500, body: '' }, 'retry'],
    [{ status: 408, body: '' }, 'retry'],
    [{ status: 401, body: 'bad token' }, 'retry'],
    [{ status: 400, body: 'bad' }, 'split'],
    [{ status: 413, body: '' }, 'split'],
  ])('answer %j is %s', (a, expected) => {
    const v = classify(a);
    expect(v === 'split' ? 'split' : v.outcome).toBe(expected);
    if (a.retryAfter) expect(v).toMatchObject({ delayMs: 7000 });
  });

  test('a 400 is narrowed down by halving until the events at fault are alone; the rest are delivered', async () => {
    const posts: string[][] = [];
    const post = async (body: Buffer) => {
      const lines = body.toString().split('\n').filter(Boolean);
      posts.push(lines);
      return lines.some((l) => l.includes('bad')) ? { status: 400, body: '{"error":"parse"}' } : { status: 200, body: '' };
    };
    const c = openHttpDestination(cfg, post);
    const events = ['a', 'b', 'bad1', 'c', 'd', 'e', 'bad2', 'f'].map((x) => ev(JSON.stringify({ x })));
    const encoded = events.map((e) => c.encode(e));
    const v = await c.send({ events, encoded, bytes: 0 }, new AbortController().signal) as Array<{ outcome: string; response?: string }>;
    expect(v.map((x) => x.outcome)).toEqual(['delivered', 'delivered', 'reject', 'delivered', 'delivered', 'delivered', 'reject', 'delivered']);
    expect(v[2].response).toBe('{"error":"parse"}');
    // every good event was accepted exactly once
    const accepted = posts.filter((p) => !p.some((l) => l.includes('bad'))).flat();
    expect(accepted.sort()).toEqual(events.filter((_, i) => i !== 2 && i !== 6).map((e) => e.doc.toString() ).sort());
  });

  test('401 marks the destination misconfigured (down) until a request succeeds', async () => {
    let status = 401;
    const c = openHttpDestination(cfg, async () => ({ status, body: 'no' }));
    const b = { events: [ev('{}')], encoded: [Buffer.from('{}\n')], bytes: 3 };
    await c.send(b, new AbortController().signal);
    expect(c.misconfigured?.()).toMatch(/HTTP 401/);
    status = 200;
    await c.send(b, new AbortController().signal);
    expect(c.misconfigured?.()).toBeUndefined();
  });
});

describe('backoff', () => {
  test('full jitter under a ceiling that doubles up to max', () => {
    const p = { initialMs: 100, maxMs: 1000 };
    expect(backoffMs(p, 0, () => 0.999)).toBe(99);
    expect(backoffMs(p, 3, () => 0.999)).toBe(799);
    expect(backoffMs(p, 10, () => 0.999)).toBe(999);
    expect(backoffMs(p, 10, () => 0)).toBe(0);
  });
  test('Retry-After: seconds or an HTTP date, capped; garbage ignored', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('999999', now)).toBe(600000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
