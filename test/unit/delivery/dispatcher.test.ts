import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connector, EncodedBatch, Verdict } from '../../../src/delivery/connector';
import { deadLetterPath, openDeadLetters, readDeadLetters, requestReplay } from '../../../src/delivery/dead-letters';
import { startDispatcher, type Dispatcher, type DestinationLedger } from '../../../src/delivery/dispatcher';
import { compileWhere } from '../../../src/delivery/where';
import { loadCursors, newCursor, saveCursorAsync, type CursorState } from '../../../src/journal/cursors';
import { openJournal, type Journal } from '../../../src/journal/journal';
import { recordsOf } from '../../helpers/journal-records';

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-dispatch-'));
  journal = openJournal({ dir: join(dir, 'journal'), fsync: 'never', fsyncIntervalMs: 1000, segmentBytes: 1 << 20 });
});
afterEach(async () => {
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A destination double whose answer per event is decided by the test. */
function fakeConnector(answer: (docs: string[], attempt: number) => Verdict | Verdict[]) {
  const received: string[] = [];
  let attempt = 0;
  const c: Connector = {
    target: 'fake',
    encode: (ev) => Buffer.from(ev.doc),
    async send(b: EncodedBatch) {
      const docs = b.encoded.map((x) => x.toString());
      const v = answer(docs, attempt++);
      const vs = Array.isArray(v) ? v : docs.map(() => v);
      vs.forEach((x, i) => { if (x.outcome === 'delivered') received.push(docs[i]); });
      return v;
    },
    async close() {},
  };
  return { c, received };
}

const doc = (i: number, src = 'a') => JSON.stringify({ message: `m${i}`, src });

function start(c: Connector, o: { cursor?: CursorState; where?: Parameters<typeof compileWhere>[0]; concurrency?: number; maxEvents?: number } = {}): Dispatcher {
  return startDispatcher({
    name: 'dest', dataDir: dir, connector: c, journal, cursor: o.cursor ?? newCursor('dest', journal.end()),
    saveCursor: (s) => saveCursorAsync(journal.dir, s), deadLetters: openDeadLetters(dir, 'dest'),
    batch: { maxEvents: o.maxEvents ?? 50, maxBytes: 1 << 20, maxWaitMs: 5 }, retry: { initialMs: 5, maxMs: 20 },
    concurrency: o.concurrency ?? 1, where: compileWhere(o.where), commitIntervalMs: 10,
  });
}

async function append(from: number, n: number, src = (i: number) => 'a') {
  const docs = Array.from({ length: n }, (_, k) => doc(from + k, src(from + k)));
  await journal.append(recordsOf(docs, (k) => ({ input: 'in', sourceIp: src(from + k) })), n);
  await journal.durable();
}

const balanced = (l: DestinationLedger) => l.journaled === l.delivered + l.filtered + l.deadLettered + l.dropped + l.pending;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('delivers everything in journal order, commits the cursor, and the ledger balances at every instant', async () => {
  const { c, received } = fakeConnector(() => ({ outcome: 'delivered' }));
  const d = start(c);
  const checks: boolean[] = [];
  const t = setInterval(() => checks.push(balanced(d.status().ledger)), 1);
  for (let i = 0; i < 1000; i += 100) await append(i, 100);
  await until(() => received.length === 1000);
  await d.stop(1000);
  clearInterval(t);
  expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => doc(i)));
  expect(checks.length).toBeGreaterThan(0);
  expect(checks.every(Boolean)).toBe(true);
  const l = d.status().ledger;
  expect(l).toMatchObject({ journaled: 1000, delivered: 1000, pending: 0, deadLettered: 0 });
  const saved = loadCursors(journal.dir).get('dest')!;
  expect(saved.position.seq).toBe(1000);
  expect(saved.delivered).toBe(1000);
});

test('a lost "written" notification delays but never stalls delivery, also across a segment roll', async () => {
  // the journal as the dispatcher sees it, with every write notification lost
  const muted: Journal = { ...journal, onWritten: () => () => undefined };
  const { c, received } = fakeConnector(() => ({ outcome: 'delivered' }));
  const d = startDispatcher({
    name: 'dest', dataDir: dir, connector: c, journal: muted, cursor: newCursor('dest', journal.end()),
    saveCursor: (st) => saveCursorAsync(journal.dir, st), deadLetters: openDeadLetters(dir, 'dest'),
    batch: { maxEvents: 50, maxBytes: 1 << 20, maxWaitMs: 5 }, retry: { initialMs: 5, maxMs: 20 },
    concurrency: 1, where: compileWhere(undefined), commitIntervalMs: 10,
  });
  await new Promise((r) => setTimeout(r, 20)); // the dispatcher has read nothing and gone to sleep
  const big = 'x'.repeat(3000);
  const docs = Array.from({ length: 600 }, (_, i) => JSON.stringify({ message: `m${i}`, pad: big }));
  for (let i = 0; i < 600; i += 100) {
    await journal.append(recordsOf(docs.slice(i, i + 100), () => ({ input: 'in', sourceIp: 'a' })), 100);
    await journal.durable();
  }
  expect(journal.segments().length).toBeGreaterThan(1); // 1.8 MB over 1 MiB segments
  await until(() => received.length === 600);
  await d.stop(1000);
  expect(received).toEqual(docs);
});

test('every encoding is released once, after its event is settled: never while a resend may still use it', async () => {
  const releases = new Map<Buffer, number>();
  const sentAfterRelease: string[] = [];
  const received: string[] = [];
  let attempt = 0;
  const c: Connector = {
    target: 'fake',
    encode: (ev) => { const b = Buffer.from(ev.doc); releases.set(b, 0); return b; },
    release: (encoded) => { for (const b of encoded) releases.set(b, (releases.get(b) ?? 0) + 1); },
    async send(b: EncodedBatch) {
      attempt++;
      for (const x of b.encoded) if ((releases.get(x) ?? 0) > 0) sentAfterRelease.push(x.toString());
      // per event: some retried once, some rejected, the rest delivered
      return b.encoded.map((x) => {
        const i = Number(/m(\d+)/.exec(x.toString())![1]);
        if (i % 7 === 0) return { outcome: 'reject', reason: 'mapper_parsing_exception' };
        if (i % 3 === 0 && attempt % 2 === 1) return { outcome: 'retry', reason: 'HTTP 429' };
        received.push(x.toString());
        return { outcome: 'delivered' };
      });
    },
    async close() {},
  };
  const d = start(c);
  for (let i = 0; i < 300; i += 100) await append(i, 100);
  await until(() => d.status().ledger.delivered + d.status().ledger.deadLettered === 300);
  await d.stop(1000);
  expect(sentAfterRelease).toEqual([]);
  expect(releases.size).toBe(300);
  expect([...releases.values()].every((n) => n === 1)).toBe(true);
  expect(received).toHaveLength(300 - Math.ceil(300 / 7));
});

test('a connector answering fewer verdicts than events is retried whole, even when all it said was delivered', async () => {
  let attempt = 0;
  const { c, received } = fakeConnector((docs) => {
    attempt++;
    const all = docs.map((): Verdict => ({ outcome: 'delivered' }));
    return attempt === 1 ? all.slice(1) : all; // first answer one short
  });
  const d = start(c);
  await append(0, 20);
  await until(() => d.status().ledger.delivered === 20);
  await d.stop(1000);
  expect(d.status().lastError).toMatch(/connector answered 19 verdicts for 20 events/);
  expect(new Set(received).size).toBe(20);
});

test('unavailable, then back: retried with backoff until delivered once each, state degraded then up', async () => {
  let ok = false;
  const { c, received } = fakeConnector(() => (ok ? { outcome: 'delivered' } : { outcome: 'retry', reason: 'HTTP 503' }));
  const d = start(c);
  await append(0, 30);
  await until(() => d.status().retries >= 3);
  expect(d.status().state).toBe('degraded');
  expect(d.status().reason).toBe('HTTP 503');
  expect(d.status().ledger.pending).toBe(30);
  ok = true;
  await until(() => received.length === 30);
  await until(() => d.status().state === 'up');
  await d.stop(1000);
  expect(received).toEqual(Array.from({ length: 30 }, (_, i) => doc(i)));
});

test('a Retry-After delay from the connector is waited out', async () => {
  const times: number[] = [];
  const { c } = fakeConnector((_, attempt) => {
    times.push(Date.now());
    return attempt === 0 ? { outcome: 'retry', reason: 'HTTP 429', delayMs: 300 } : { outcome: 'delivered' };
  });
  const d = start(c);
  await append(0, 1);
  await until(() => times.length === 2);
  expect(times[1] - times[0]).toBeGreaterThanOrEqual(290);
  await d.stop(1000);
});

test('permanent rejections go to the dead-letter file with the reason; a replay delivers them after the cause is fixed', async () => {
  let fixed = false;
  const { c, received } = fakeConnector((docs) => docs.map((x) => (!fixed && JSON.parse(x).message.endsWith('7')
    ? { outcome: 'reject', reason: 'mapping conflict on field n', response: '{"error":"mapper_parsing_exception"}' }
    : { outcome: 'delivered' })));
  let d = start(c);
  await append(0, 100);
  await until(() => d.status().ledger.pending === 0);
  const l = d.status().ledger;
  expect(l.deadLettered).toBe(10);
  expect(l.delivered).toBe(90);
  await d.stop(1000);
  const { lines } = readDeadLetters(deadLetterPath(dir, 'dest'));
  expect(lines.map((x) => (x.event as { message: string }).message)).toEqual(['m7', 'm17', 'm27', 'm37', 'm47', 'm57', 'm67', 'm77', 'm87', 'm97']);
  expect(lines[0]).toMatchObject({ reason: 'mapping conflict on field n', response: '{"error":"mapper_parsing_exception"}', destination: 'dest', seq: 7 });

  fixed = true;
  expect(requestReplay(dir, 'dest')?.events).toBe(10);
  d = start(c, { cursor: loadCursors(journal.dir).get('dest') });
  await until(() => received.length === 100);
  await until(() => d.status().ledger.deadLettered === 0);
  await d.stop(1000);
  const saved = loadCursors(journal.dir).get('dest')!;
  expect(saved).toMatchObject({ delivered: 100, deadLettered: 0 });
  expect(existsSync(deadLetterPath(dir, 'dest'))).toBe(false);
});

test('where: events that do not match are counted as filtered, not sent', async () => {
  const { c, received } = fakeConnector(() => ({ outcome: 'delivered' }));
  const d = start(c, { where: { sourceIp: ['b'] } });
  await append(0, 40, (i) => (i % 4 === 0 ? 'b' : 'a'));
  await until(() => d.status().ledger.pending === 0);
  await d.stop(1000);
  expect(received).toHaveLength(10);
  expect(d.status().ledger).toMatchObject({ filtered: 30, delivered: 10 });
});

test('after a restart, only what was not acknowledged is sent again', async () => {
  let calls = 0;
  const { c, received } = fakeConnector(() => (++calls > 2 ? { outcome: 'retry', reason: 'down' } : { outcome: 'delivered' }));
  let d = start(c, { maxEvents: 10 });
  await append(0, 20);
  await until(() => received.length === 20);
  await append(20, 20);
  await until(() => d.status().retries > 0);
  await d.stop(0);
  const cursor = loadCursors(journal.dir).get('dest')!;
  expect(cursor.position.seq).toBe(20);
  calls = -100;
  d = start(c, { cursor });
  await until(() => received.length === 40);
  await d.stop(1000);
  expect(received.slice(20)).toEqual(Array.from({ length: 20 }, (_, i) => doc(20 + i)));
});

test('lanes are per device: one relay forwarding several hosts uses every lane, and each host keeps its order', async () => {
  let inFlight = 0;
  let most = 0;
  const received: string[] = [];
  const c: Connector = {
    target: 'fake',
    encode: (ev) => Buffer.from(ev.doc),
    async send(b: EncodedBatch) {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      received.push(...b.encoded.map((x) => x.toString()));
      return { outcome: 'delivered' };
    },
    async close() {},
  };
  const d = start(c, { concurrency: 4, maxEvents: 10 });
  const docs = Array.from({ length: 400 }, (_, i) => JSON.stringify({ message: `m${i}`, host: `h${i % 4}` }));
  // one peer (a relay), four devices behind it
  await journal.append(recordsOf(docs, (k) => ({ input: 'in', sourceIp: '10.9.9.9', host: `h${k % 4}` })), 400);
  await until(() => received.length === 400, 10000);
  await d.stop(1000);
  expect(most).toBeGreaterThan(1);
  for (let h = 0; h < 4; h++) {
    const mine = received.map((x) => JSON.parse(x)).filter((x) => x.host === `h${h}`).map((x) => Number(x.message.slice(1)));
    expect(mine).toEqual(Array.from({ length: 100 }, (_, j) => h + 4 * j));
  }
});

test('with several lanes and random failures, each source keeps its order', async () => {
  // whole requests fail at random (busy, timeouts): a later batch of a source never overtakes an earlier one
  const { c, received } = fakeConnector(() => (Math.random() < 0.3 ? { outcome: 'retry', reason: 'flaky' } : { outcome: 'delivered' }));
  const d = start(c, { concurrency: 4, maxEvents: 7 });
  const srcOf = (i: number) => `10.0.0.${i % 5}`;
  for (let i = 0; i < 500; i += 50) await append(i, 50, srcOf);
  await until(() => received.length === 500, 10000);
  await d.stop(1000);
  for (let s = 0; s < 5; s++) {
    const mine = received.map((x) => JSON.parse(x)).filter((x) => x.src === `10.0.0.${s}`).map((x) => Number(x.message.slice(1)));
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
    expect(mine).toHaveLength(100);
  }
  expect(d.status().ledger).toMatchObject({ delivered: 500, pending: 0 });
});
