import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CRC32C_IMPL, crc32c, crc32cJs } from '../../../src/journal/crc32c';
import { openJournal, type Journal, type JournalOptions } from '../../../src/journal/journal';
import { createReader } from '../../../src/journal/reader';
import { frameRecord, scanRecords } from '../../../src/journal/record';
import { KEY, keyOf } from '../../../src/journal/event-record';
import { eventsOf, recordsOf } from '../../helpers/journal-records';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sg-journal-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const opts = (o: Partial<JournalOptions> = {}): JournalOptions => ({ dir, fsync: 'never', fsyncIntervalMs: 1000, segmentBytes: 64 << 20, ...o });
const doc = (i: number) => JSON.stringify({ message: `event ${i}`, n: i });

async function readAll(j: Journal, from = { segment: j.segments()[0].first, offset: 0, seq: j.segments()[0].first }) {
  const r = createReader(j, from);
  const docs: string[] = [];
  const seqs: number[] = [];
  let skipped = 0;
  for (;;) {
    const res = await r.read(64 * 1024);
    skipped += res.skipped;
    for (const ev of res.events) {
      docs.push(ev.doc.toString());
      seqs.push(ev.seq);
    }
    if (res.events.length === 0 && res.skipped === 0) break;
  }
  await r.close();
  return { docs, seqs, skipped };
}

async function appendDocs(j: Journal, from: number, n: number, per = 100) {
  for (let i = from; i < from + n; i += per) {
    const docs = Array.from({ length: Math.min(per, from + n - i) }, (_, k) => doc(i + k));
    await j.append(recordsOf(docs), docs.length);
  }
  await j.durable();
}

describe('CRC-32C', () => {
  test('matches the published check values (RFC 3720 B.4, iSCSI)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });
  test('the native implementation is the one in use here, and agrees with the JavaScript one', () => {
    expect(CRC32C_IMPL).toBe('native'); // @node-rs/crc32 ships a linux-x64-gnu binary
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (b, x, y) => {
      const s = b.length ? x % b.length : 0;
      const e = s + (b.length - s ? y % (b.length - s + 1) : 0);
      expect(crc32c(b, s, e)).toBe(crc32cJs(b, s, e));
    }));
  });
  test('slicing-by-8 equals the bytewise definition at every length and offset', () => {
    const bytewise = (b: Uint8Array) => {
      let c = ~0;
      for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; }
      return ~c >>> 0;
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(7), (b, cut) => {
      const s = Math.min(cut, b.length);
      expect(crc32cJs(b, s)).toBe(bytewise(b.subarray(s)));
    }));
  });
});

describe('journal', () => {
  test('events come back in order, with their keys and documents, across segment rolls', async () => {
    const j = openJournal(opts({ segmentBytes: 4096 }));
    await appendDocs(j, 0, 500, 37);
    expect(j.head()).toBe(500);
    expect(j.segments().length).toBeGreaterThan(3);
    const { docs, seqs } = await readAll(j);
    expect(docs).toEqual(Array.from({ length: 500 }, (_, i) => doc(i)));
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => i));
    // segment names say where each starts: the event count of a sealed one is known without reading it
    const names = readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();
    expect(Number(names[0].slice(0, 16))).toBe(0);
    await j.close();
  });

  test('a reopened journal continues numbering where it stopped', async () => {
    let j = openJournal(opts({ segmentBytes: 4096 }));
    await appendDocs(j, 0, 120);
    await j.close();
    j = openJournal(opts({ segmentBytes: 4096 }));
    expect(j.head()).toBe(120);
    expect(j.recovery.cutBytes).toBe(0);
    await appendDocs(j, 120, 80);
    const { docs, seqs } = await readAll(j);
    expect(docs).toHaveLength(200);
    expect(docs[150]).toBe(doc(150));
    expect(seqs[199]).toBe(199);
    await j.close();
  });

  test.each([
    ['a record cut short (torn write)', (path: string, size: number) => truncateSync(path, size - 7)],
    ['a flipped byte in the last record', (path: string, size: number) => flip(path, size - 3)],
    ['a partial length header', (path: string, size: number) => { const fd = openSync(path, 'a'); writeSync(fd, Buffer.from([9, 0])); closeSync(fd); void size; }],
  ])('recovery after %s: cut at the first bad record, counted, every good record kept', async (_, damage) => {
    let j = openJournal(opts());
    await appendDocs(j, 0, 50, 10);
    await j.close();
    const seg = j.segments()[0].path;
    damage(seg, statSync(seg).size);
    const sizeBefore = statSync(seg).size;
    j = openJournal(opts());
    const lostLast = j.head() === 49;
    expect(j.head()).toBe(lostLast ? 49 : 50);
    expect(j.recovery.cutBytes).toBeGreaterThan(0);
    expect(statSync(seg).size).toBe(sizeBefore - j.recovery.cutBytes);
    // appending after the cut continues the sequence with no gap and nothing damaged in between
    await appendDocs(j, j.head(), 5);
    const { docs } = await readAll(j);
    expect(docs.slice(0, 49)).toEqual(Array.from({ length: 49 }, (_, i) => doc(i)));
    expect(docs).toHaveLength(j.head());
    await j.close();
  });

  test('fsync always: durable() resolves only once the batch is synced', async () => {
    const j = openJournal(opts({ fsync: 'always' }));
    const p = j.append(recordsOf([doc(1), doc(2)]), 2);
    await p;
    await j.durable();
    expect(j.head()).toBe(2);
    expect(j.queued()).toBe(0);
    expect(scanRecords(readFileSync(j.segments()[0].path), 0, statSync(j.segments()[0].path).size).records).toBe(2);
    await j.close();
  });

  test('release deletes sealed segments every cursor passed; dropOldest deletes regardless; readers count what they skip', async () => {
    const j = openJournal(opts({ segmentBytes: 2048 }));
    await appendDocs(j, 0, 300, 20);
    const segs = j.segments().map((s) => s.first);
    expect(segs.length).toBeGreaterThan(4);
    // a reader still at the start when the two oldest segments go
    const r = createReader(j, { segment: 0, offset: 0, seq: 0 });
    expect(j.release(segs[1])).toBe(segs[1]); // the first segment only
    expect(j.dropOldest()).toBe(segs[2] - segs[1]);
    const res = await r.read(1 << 20);
    expect(res.skipped).toBe(segs[2]);
    expect(res.skipReason).toBe('deleted');
    let n = 0;
    for (let x = await r.read(1 << 20); x.events.length > 0; x = await r.read(1 << 20)) n += x.events.length;
    expect(n).toBe(300 - segs[2]);
    await r.close();
    await j.close();
  });

  test('a reader that keeps up reads from memory, also from inside a batch and across batches', async () => {
    const j = openJournal(opts());
    const r = createReader(j, { segment: 0, offset: 0, seq: 0 });
    await appendDocs(j, 0, 400, 100); // four batches of 100
    // the file on disk is wiped: only what is read from memory can come back intact
    const seg = j.segments()[0].path;
    const size = statSync(seg).size;
    const fd = openSync(seg, 'r+');
    writeSync(fd, Buffer.alloc(size), 0, size, 0);
    closeSync(fd);
    // a small maxBytes still gives one whole batch; a large one several
    const first = await r.read(10);
    expect(first.events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const second = await r.read(1);
    expect(second.events.map((e) => e.doc.toString())).toEqual(Array.from({ length: 100 }, (_, i) => doc(100 + i)));
    const rest = await r.read(1 << 20);
    expect(rest.events.map((e) => e.doc.toString())).toEqual(Array.from({ length: 200 }, (_, i) => doc(200 + i)));
    expect(rest.next).toEqual({ segment: 0, offset: size, seq: 400 });

    // recent() itself, from inside a batch (where a read from disk cut by maxBytes leaves a
    // reader), and what it refuses
    await appendDocs(j, 400, 200, 100);
    const whole = j.recent({ segment: 0, offset: size, seq: 400 }, 1 << 20)!;
    expect(eventsOf(Buffer.concat(whole)).map((e) => e.doc.toString())).toEqual(Array.from({ length: 200 }, (_, i) => doc(400 + i)));
    const firstLen = 8 + Buffer.from(whole[0]).readUInt32LE(0);
    const inside = j.recent({ segment: 0, offset: size + firstLen, seq: 401 }, 1)!;
    expect(inside.length).toBe(1); // maxBytes reached with the rest of the first batch
    expect(eventsOf(inside[0]).map((e) => e.doc.toString())).toEqual(Array.from({ length: 99 }, (_, i) => doc(401 + i)));
    await r.close();
    expect(j.recent({ segment: 0, offset: size + firstLen, seq: 402 }, 1)).toBeUndefined(); // ordinal disagrees
    expect(j.recent({ segment: 0, offset: size + 3, seq: 401 }, 1)).toBeUndefined(); // not a record boundary
    await j.close();
  });

  test('a batch leaves memory once every reader has taken it; one far behind does not hold it', async () => {
    const j = openJournal(opts());
    const ahead = createReader(j, { segment: 0, offset: 0, seq: 0 });
    await appendDocs(j, 0, 100, 100);
    const behind = createReader(j, { segment: 0, offset: 0, seq: 0 }); // also at the batch
    const at = { segment: 0, offset: 0, seq: 0 };
    expect((await ahead.read(1 << 20)).events.length).toBe(100);
    expect(j.recent(at, 1)).toBeDefined(); // `behind` has not taken it
    expect((await behind.read(1 << 20)).events.length).toBe(100);
    expect(j.recent(at, 1)).toBeUndefined(); // both have
    // a reader at a position older than what is kept does not pin newer batches
    const at100 = { segment: 0, offset: statSync(j.segments()[0].path).size, seq: 100 };
    await appendDocs(j, 100, 100, 100);
    const late = createReader(j, { segment: 0, offset: 0, seq: 0 });
    expect(j.recent(at100, 1)).toBeDefined();
    await ahead.read(1 << 20);
    await behind.read(1 << 20);
    expect(j.recent(at100, 1)).toBeUndefined();
    expect((await late.read(1 << 20)).events.length).toBe(200); // from disk
    for (const r of [ahead, behind, late]) await r.close();
    await j.close();
  });

  test('onFree: a batch is given back only once no reader that took it from memory still holds it', async () => {
    const freed: Uint8Array[] = [];
    // what the ingest does with a freed batch: its memory is written again, here with garbage, so
    // that a reader still holding a view of it would see the damage
    const j = openJournal(opts({ onFree: (r) => { freed.push(r); r.fill(0x5a); } }));
    const fast = createReader(j, { segment: 0, offset: 0, seq: 0 }, { holdsViews: true });
    const slow = createReader(j, { segment: 0, offset: 0, seq: 0 }, { holdsViews: true });
    const plain = createReader(j, { segment: 0, offset: 0, seq: 0 }); // done with a read before the next
    await appendDocs(j, 0, 300, 100); // three batches
    const fastEvents = (await fast.read(1 << 20)).events;
    const slowEvents = (await slow.read(1 << 20)).events;
    expect(fastEvents.length).toBe(300);
    expect(slowEvents.length).toBe(300);
    expect((await plain.read(1 << 20)).events.length).toBe(300);
    fast.settled(300);
    expect(freed).toHaveLength(0); // `slow` still holds views of all three
    slow.settled(100); // let go of the first batch only
    expect(freed).toHaveLength(1);
    expect(slowEvents.slice(100).map((e) => e.doc.toString())).toEqual(Array.from({ length: 200 }, (_, i) => doc(100 + i)));
    slow.settled(300);
    expect(freed).toHaveLength(3);
    expect(new Set(freed).size).toBe(3);

    // a reader that never took a batch from memory (it was behind, reading the disk) does not hold
    // it; a closed reader holds nothing
    const behind = createReader(j, { segment: 0, offset: 0, seq: 0 }, { holdsViews: true });
    const at300 = { segment: 0, offset: statSync(j.segments()[0].path).size, seq: 300 };
    await appendDocs(j, 300, 100, 100);
    const ahead = createReader(j, j.end(), { holdsViews: true });
    const fresh = createReader(j, at300, { holdsViews: true });
    expect((await fresh.read(1 << 20)).events.map((e) => e.doc.toString())).toEqual(Array.from({ length: 100 }, (_, i) => doc(300 + i)));
    for (const r of [fast, slow, plain]) await r.read(1 << 20);
    for (const r of [fast, slow]) r.settled(400);
    expect(freed).toHaveLength(3); // `fresh` holds batch 4
    await fresh.close();
    expect(freed).toHaveLength(4);
    // `behind` reads from disk: its documents are its own, whatever happens to the batches in memory
    expect((await behind.read(1 << 20)).events.slice(0, 2).map((e) => e.doc.toString())).toEqual([doc(0), doc(1)]);
    for (const r of [fast, slow, plain, behind, ahead]) await r.close();
    await j.close();
  });

  test('a reader reading the disk writes a read buffer again only once its consumer let go of every event in it', async () => {
    let j = openJournal(opts());
    await appendDocs(j, 0, 300, 100);
    await j.close();
    j = openJournal(opts()); // nothing in memory: every read goes to the disk
    const start = { segment: 0, offset: 0, seq: 0 };
    const want = (from: number, n: number) => Array.from({ length: n }, (_, i) => doc(from + i));
    const text = (evs: Array<{ doc: Buffer }>) => evs.map((e) => e.doc.toString());

    const holder = createReader(j, start, { holdsViews: true });
    const a = (await holder.read(2048)).events;
    const b = (await holder.read(2048)).events;
    expect(a.length).toBeGreaterThan(10);
    const c = (await holder.read(2048)).events;
    // nothing settled: three reads, three buffers, every document intact
    expect(new Set([a[0].doc.buffer, b[0].doc.buffer, c[0].doc.buffer]).size).toBe(3);
    expect(text(a)).toEqual(want(0, a.length));
    expect(text(b)).toEqual(want(a.length, b.length));
    holder.settled(a[a.length - 1].seq + 1); // let go of a only
    const d = (await holder.read(2048)).events;
    const e = (await holder.read(2048)).events;
    expect(d[0].doc.buffer).toBe(a[0].doc.buffer); // a's buffer, written again
    expect(e[0].doc.buffer).not.toBe(b[0].doc.buffer);
    expect(text(b)).toEqual(want(a.length, b.length)); // b and c still held: untouched
    expect(text(c)).toEqual(want(a.length + b.length, c.length));
    expect(text(d)).toEqual(want(a.length + b.length + c.length, d.length));
    expect(text(e)).toEqual(want(a.length + b.length + c.length + d.length, e.length));
    await holder.close();

    // a consumer without views is done with a read when it asks for the next: one buffer, reused
    const plain = createReader(j, start);
    const p1 = (await plain.read(2048)).events;
    const first = text(p1);
    const p2 = (await plain.read(2048)).events;
    expect(first).toEqual(want(0, p1.length));
    expect(p2[0].doc.buffer).toBe(p1[0].doc.buffer);
    expect(text(p2)).toEqual(want(p1.length, p2.length));
    await plain.close();
    await j.close();
  });

  test('a full current segment that every reader has passed is rolled on request, so it can be released', async () => {
    const j = openJournal(opts({ segmentBytes: 1024 }));
    await j.append(recordsOf(Array.from({ length: 40 }, (_, i) => doc(i))), 40); // one batch, larger than a segment
    await j.durable();
    expect(j.segments()).toHaveLength(1);
    await j.rollIfFull();
    expect(j.segments()).toHaveLength(2);
    expect(j.release(j.head())).toBe(40);
    expect(j.bytes()).toBe(0);
    await appendDocs(j, 40, 3);
    const { docs } = await readAll(j, { segment: 40, offset: 0, seq: 40 });
    expect(docs).toEqual([doc(40), doc(41), doc(42)]);
    await j.close();
  });

  test('a damaged record in an older segment: the reader skips the rest of that segment and counts it', async () => {
    let j = openJournal(opts({ segmentBytes: 2048 }));
    await appendDocs(j, 0, 200, 10);
    await j.close();
    // damage found after a restart (records written by an earlier process are checked on reading)
    j = openJournal(opts({ segmentBytes: 2048 }));
    const [first, second] = j.segments();
    flip(first.path, 100); // inside the first or second record of segment 0
    const { docs, skipped } = await readAll(j);
    expect(docs.length + skipped).toBe(200);
    expect(skipped).toBeGreaterThan(0);
    expect(docs[docs.length - 1]).toBe(doc(199));
    expect(docs).toContain(doc(second.first));
    await j.close();
  });

  test('scanRecords never throws and never accepts damage, whatever the bytes (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 8 }), fc.nat(), fc.nat(255), (bodies, at, x) => {
      const buf = Buffer.concat(bodies.map(frameRecord));
      const good = scanRecords(buf, 0, buf.length);
      expect(good.records).toBe(bodies.length);
      if (buf.length === 0) return;
      const i = at % buf.length;
      if (buf[i] === x) return;
      buf[i] = x;
      const r = scanRecords(buf, 0, buf.length);
      expect(r.records).toBeLessThan(bodies.length);
      expect(r.stop).not.toBe('end');
    }));
  });
});

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at] ^= 0x5a;
  const fd = openSync(path, 'r+');
  writeSync(fd, b, at, 1, at);
  closeSync(fd);
}

describe('event keys', () => {
  test('keyOf reads one key without decoding the rest, and agrees with keys for every key, present or not', () => {
    fc.assert(fc.property(
      fc.record({ time: fc.string(), host: fc.string(), input: fc.string(), sourceIp: fc.string(), sourcetype: fc.string(), index: fc.string(), dataset: fc.string() }, { requiredKeys: [] }),
      (keys) => {
        const fresh = () => eventsOf(recordsOf(['{"message":"m"}'], () => keys))[0];
        for (const name of Object.keys(KEY) as Array<keyof typeof KEY>) {
          const ev = fresh();
          const one = keyOf(ev, name); // before keys were decoded
          expect(one).toBe(ev.keys[name]);
          expect(keyOf(ev, name)).toBe(one); // and after
        }
      },
    ), { numRuns: 200 });
  });
});
