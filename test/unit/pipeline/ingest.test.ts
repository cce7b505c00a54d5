import { createIngest } from '../../../src/pipeline/ingest';
import type { Peer } from '../../../src/inputs/types';
import { FLAG_JSON, FLAG_TRUNCATED } from '../../../src/inputs/types';
import { eventsOf } from '../../helpers/journal-records';

const tcp: Peer = { input: 'tcp', transport: 'tcp', ip: '127.0.0.1', port: 5000 };
const udp: Peer = { input: 'udp', transport: 'udp', ip: '127.0.0.1', port: 5001 };

function collect() {
  const lines: string[] = [];
  const output = async (out: Uint8Array) => {
    lines.push(...eventsOf(out).map((e) => e.doc.toString('utf8')));
  };
  return { lines, output };
}

const send = (ing: ReturnType<typeof createIngest>, peer: Peer, text: string, flags = 0) => {
  const b = Buffer.from(`xx${text}yy`);
  ing.message(peer, b, 2, b.length - 2, flags); // only [start,end) is the message
};

describe.each([0, 2])('ingest pipeline with %i worker(s)', (workers) => {
  test('ready() says how many workers have compiled the mappings and take batches', async () => {
    const { lines, output } = collect();
    const ing = createIngest({ workers, zones: { tcp: 'UTC' }, mapping: {}, output });
    await expect(ing.ready()).resolves.toBe(workers);
    send(ing, tcp, '<166>2024-01-15T12:34:56Z fw01 : %ASA-6-302014: Teardown TCP connection 7 for outside:203.0.113.7/443 to inside:10.1.1.5/51000 duration 0:00:05 bytes 4242 TCP FINs');
    await ing.close();
    expect(JSON.parse(lines[0]).siemgate.product).toBe('cisco_asa');
  });

  test('every message becomes one document, in order, and flush waits until they are written', async () => {
    const { lines, output } = collect();
    const ing = createIngest({ workers, zones: { tcp: 'UTC' }, output });
    const n = 5000; // several batches (MAX_BATCH_MESSAGES is 2048)
    for (let i = 0; i < n; i++) send(ing, tcp, `<13>1 2026-01-01T00:00:00Z h app - - - msg ${i}`);
    await ing.flush();
    expect(lines).toHaveLength(n);
    lines.forEach((l, i) => expect(JSON.parse(l).message).toBe(`msg ${i}`));
    const s = ing.stats();
    expect(s).toMatchObject({ received: n, written: n, inFlight: 0 });
    expect(s.formats.rfc5424).toBe(n);
    await ing.close();
  });

  test('output buffers given back are written again; documents stay right; a buffer it did not lend is left alone', async () => {
    const lines: string[] = [];
    const given: Uint8Array[] = [];
    let ing: ReturnType<typeof createIngest> | undefined;
    const output = async (out: Uint8Array) => {
      lines.push(...eventsOf(out).map((e) => e.doc.toString('utf8')));
      given.push(out);
      ing!.recycle(out); // read: give it back at once, as the journal does once every reader let go
    };
    ing = createIngest({ workers, zones: { tcp: 'UTC' }, output });
    const n = 9000; // batches enough for given-back buffers to be written again
    for (let i = 0; i < n; i++) send(ing, tcp, `<13>1 2026-01-01T00:00:00Z h app - - - msg ${i}`);
    await ing.flush();
    expect(lines).toHaveLength(n);
    lines.forEach((l, i) => expect(JSON.parse(l).message).toBe(`msg ${i}`));
    if (workers > 0) expect(given.every((g) => g.byteLength === 0)).toBe(true); // transferred back: detached here
    const twice = given[0];
    ing.recycle(twice); // once only: ignored
    const foreign = Buffer.from('not the ingest\'s');
    ing.recycle(foreign);
    expect(foreign.toString()).toBe('not the ingest\'s');
    await ing.close();
  });

  test('flags and sender metadata reach the document', async () => {
    const { lines, output } = collect();
    const ing = createIngest({ workers, zones: {}, output });
    send(ing, tcp, '<13>Jan  1 00:00:00 host app: cut', FLAG_TRUNCATED);
    const json = Buffer.from('{"message":"from app","user":{"name":"bob"}}');
    ing.message({ ...tcp, transport: 'http', input: 'http' }, json, 0, json.length, FLAG_JSON, { host: 'app01', sourcetype: 'st' });
    await ing.close();
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a.tags).toContain('truncated');
    expect(ing.stats().truncatedByInput).toEqual({ tcp: 1 });
    expect(b).toMatchObject({ message: 'from app', user: { name: 'bob' }, host: { hostname: 'app01' }, siemgate: { sourcetype: 'st', format: 'json' } });
  });
});

describe('ingest backpressure and refusals', () => {
  test('stream inputs are paused above the high-water mark and resumed when the output catches up', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    const written: number[] = [];
    const ing = createIngest({
      workers: 0, zones: {}, highWaterBytes: 10_000,
      output: async (_out, count) => { await gate; written.push(count); },
    });
    let resumed = 0;
    ing.onResume(() => { resumed++; });
    for (let i = 0; i < 200; i++) send(ing, tcp, `<13>Jan  1 00:00:00 host app: ${'x'.repeat(100)} ${i}`);
    expect(ing.isPaused()).toBe(true);
    release();
    await ing.flush();
    expect(ing.isPaused()).toBe(false);
    expect(resumed).toBe(1);
    expect(written.reduce((x, y) => x + y, 0)).toBe(200);
    await ing.close();
  });

  test('datagrams beyond the hard limit are refused as pipeline_full and counted, never silently dropped', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    const ing = createIngest({ workers: 0, zones: {}, highWaterBytes: 1000, hardLimitBytes: 2000, output: async () => { await gate; } });
    for (let i = 0; i < 100; i++) send(ing, udp, `<13>Jan  1 00:00:00 host app: ${'y'.repeat(80)}`);
    const s = ing.stats();
    const refused = s.rejected.udp?.pipeline_full ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(s.received).toBe(100);
    release();
    await ing.close();
    expect(ing.stats().written + refused).toBe(100);
  });

  test('blocked (journal full): streams pause, datagrams are refused as journal_full and counted; unblocked: resumed', async () => {
    const ing = createIngest({ workers: 0, zones: {}, output: () => undefined });
    let resumed = 0;
    ing.onResume(() => { resumed++; });
    ing.block('the journal is at journal.max_bytes');
    expect(ing.isPaused()).toBe(true);
    send(ing, udp, '<13>Jan  1 00:00:00 host app: dropped');
    send(ing, tcp, '<13>Jan  1 00:00:00 host app: kept'); // already read before the pause took effect
    expect(ing.stats().rejected).toEqual({ udp: { journal_full: 1 } });
    ing.block(undefined);
    expect(ing.isPaused()).toBe(false);
    expect(resumed).toBe(1);
    await ing.flush();
    expect(ing.stats()).toMatchObject({ received: 2, written: 1 });
    await ing.close();
  });

  test('flush waits for durability as well as for the write', async () => {
    let durable: () => void = () => undefined;
    let asked = 0;
    const ing = createIngest({ workers: 0, zones: {}, output: () => undefined, durable: () => { asked++; return new Promise<void>((r) => { durable = r; }); } });
    send(ing, tcp, '<13>Jan  1 00:00:00 host app: x');
    let done = false;
    const f = ing.flush().then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(asked).toBe(1);
    expect(done).toBe(false);
    durable();
    await f;
    expect(done).toBe(true);
    await ing.close();
  });

  test('rejections count as received and are kept by input and reason', async () => {
    const ing = createIngest({ workers: 0, zones: {}, output: () => undefined });
    ing.reject(tcp, 'oversize', 2);
    ing.reject(tcp, 'bad_frame', 1);
    expect(ing.stats().rejected).toEqual({ tcp: { oversize: 2, bad_frame: 1 } });
    expect(ing.stats().received).toBe(3);
    await ing.close();
  });
});
