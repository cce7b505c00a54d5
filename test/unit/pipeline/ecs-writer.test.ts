import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parseMessage } from '../../../src/parse';
import { isoTime, toEcs } from '../../../src/pipeline/ecs';
import { preparePeer, writeEcs } from '../../../src/pipeline/ecs-writer';
import { isoTimeAt } from '../../../src/pipeline/ecs-time';
import { ascii, commit, finishOutput, outputOffset, reserve, startOutput } from '../../../src/pipeline/json-out';
import { batchContext, processBatch } from '../../../src/pipeline/process-batch';
import { eventsOf } from '../../helpers/journal-records';
import { FLAG_TRUNCATED, type Peer, type SenderMeta } from '../../../src/inputs/types';

// writeEcs is the fast path; toEcs is the reference. They must write the same document, byte for
// byte: Buffer.from(JSON.stringify(toEcs(...))).
const CORPUS = resolve(__dirname, '../../../../shared/corpus');
const peers: Peer[] = [
  { input: 'udp', transport: 'udp', ip: '192.0.2.7', port: 514 },
  { input: 'tls', transport: 'tls', ip: '2001:db8::1', port: 6514 },
  { input: 'parse', transport: 'tcp', ip: '', port: 0 },
];
const ZONE = 'Europe/Berlin';
const zones = { udp: ZONE, tls: ZONE, parse: ZONE };
const now = Date.UTC(2026, 10, 23, 12, 0, 0, 42);

/** Bytes as latin1 text: one char per byte, so equal strings are equal bytes (and diffs readable). */
const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const reference = (raw: string, id: string, peer: Peer, meta: SenderMeta | undefined, truncated: boolean) => {
  const p = parseMessage(raw, { timezone: ZONE, now });
  return bytes(Buffer.from(JSON.stringify(toEcs(p, { id, receivedAt: now, peer, raw, truncated, meta })), 'utf8'));
};

function same(text: string, peer: Peer, meta?: SenderMeta, truncated = false): void {
  // 1. writeEcs alone, on the string (any JS string, lone surrogates included)
  const p = parseMessage(text, { timezone: ZONE, now });
  startOutput(16); // small, so that growing mid-document is exercised
  writeEcs(p, batchContext(now), { id: 'id-1', peer: preparePeer(peer), raw: text, rawBytes: undefined, rawStart: 0, rawEnd: 0, truncated, meta });
  expect(bytes(finishOutput())).toBe(reference(text, 'id-1', peer, meta, truncated));

  inBatch(Buffer.from(text, 'utf8'), peer, meta, truncated);
}

/** The document of the message `msg` (bytes) as it lands in processBatch's output, amid others. */
function inBatch(msg: Buffer, peer: Peer, meta?: SenderMeta, truncated = false): void {
  const before = Buffer.from('<13>1 - h a - - - before');
  const data = Buffer.concat([before, msg]);
  const raw = data.toString('utf8', before.length); // what processBatch parses
  const done = processBatch({
    seq: 1, receivedAt: now, count: 2, data, ends: new Uint32Array([before.length, data.length]),
    flags: new Uint8Array([0, truncated ? FLAG_TRUNCATED : 0]), peerIndex: new Uint16Array([0, 0]),
    peers: [peer.input, peer.transport, peer.ip, peer.port], metas: [undefined, meta],
  }, zones);
  // the output is journal records: each one's CRC checks, and its document is the reference's bytes
  const events = eventsOf(done.out);
  expect(events).toHaveLength(2);
  const doc = bytes(events[1].doc);
  const parsed = JSON.parse(events[1].doc.toString('utf8')) as { event: { id: string }; '@timestamp': string };
  expect(doc).toBe(reference(raw, parsed.event.id, peer, meta, truncated));
  // the routing keys beside it say the same as the document
  expect(events[1].keys.time).toBe(parsed['@timestamp']);
  expect(events[1].keys.input).toBe(peer.input);
  expect(events[1].receivedAt).toBe(now);
  expect(events[1].truncated).toBe(truncated);
}

function corpusLines(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.log')) out.push(...readFileSync(path, 'utf8').split('\n').filter(Boolean));
    }
  };
  walk(CORPUS);
  return out;
}

describe('writeEcs writes the same bytes as JSON.stringify(toEcs(...))', () => {
  const lines = statSync(CORPUS, { throwIfNoEntry: false }) ? corpusLines() : [];

  test('over every line of ../shared/corpus', () => {
    if (lines.length === 0) throw new Error(`corpus not found at ${CORPUS}: clone the project with shared/ beside it`);
    lines.forEach((l, i) => same(l, peers[i % peers.length]));
    expect(lines.length).toBeGreaterThan(1000);
  });

  test('with sender metadata (HEC), truncation and odd characters', () => {
    same('<13>1 2026-01-01T00:00:00Z h "quoted\\app" - - [a b="c\\"d\\]"] tab\there \u0001 ü', peers[0],
      { time: 1767225600.5, host: 'h"x', sourcetype: 's', index: 'i', source: 'src', fields: { a: 'b', n: 1, arr: ['x'] } }, true);
    same('CEF:0|V\\|x|P|1|100|N\\\\a|Very-High|src=1.2.3.4 msg=with \\= eq cs1=x\\ny', peers[1]);
    same('LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5', peers[0]);
  });

  test('for any text (fast-check)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.nat(2), (s, i) => same(s, peers[i])), { numRuns: 1500 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `<${s.length % 192}>1 2026-01-01T00:00:00Z ${s}`), (s) => same(s, peers[0])), { numRuns: 1500 });
  });

  test('message bytes that are not ASCII or not UTF-8 (fast-check; the raw bytes are copied only when ASCII)', () => {
    const header = Buffer.from('<165>1 2026-01-01T00:00:00Z host app - ID [x@1 a="b"] ');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60, size: 'max' }), fc.nat(2), (tail, i) => inBatch(Buffer.concat([header, tail]), peers[i])), { numRuns: 1000 });
    inBatch(Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xff, 0xc3, 0x28, 0x22, 0x5c, 0x01, 0xe2, 0x82]), peers[0]);
  });

  test('ASCII message bytes, copied 4 at a time where none needs escaping (fast-check: the bytes around each test boundary)', () => {
    const header = Buffer.from('<165>1 2026-01-01T00:00:00Z host app - ID [x@1 a="b"] ');
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 127 }),
      fc.constantFrom(0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x41),
    );
    fc.assert(fc.property(fc.array(byte, { maxLength: 80, size: 'max' }), fc.nat(2), (tail, i) => {
      inBatch(Buffer.concat([header, Buffer.from(tail)]), peers[i]);
      inBatch(Buffer.from(tail), peers[i]); // no header: the whole text is the message
    }), { numRuns: 1500 });
  });

  // The writer copies SD straight from the wire text (sdText) and falls back to the objects where
  // copying would differ (repeated SD-ID merged, repeated param last-wins, all-digit names first).
  test('structured data written from the wire text (fast-check: escapes, repeats, digit names)', () => {
    // small alphabets so that repeats and all-digit names are common; `\` is a legal SD-NAME char
    const sdName = fc.string({ unit: fc.constantFrom('a', 'b', '1', '2', '0', '@', '.', '\\', '_', 'x', 'z', '-'), minLength: 1, maxLength: 4 });
    const rawChar = fc.oneof(
      fc.constantFrom('"', '\\', ']', '[', ' ', '=', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '⌘', '\u2028', '\uD83D\uDE00'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    );
    // a value as written on the wire: escapes (`\"` `\\` `\]`), other `\x` kept, unescaped `]`
    const wireValue = fc.array(fc.oneof(
      rawChar.filter((c) => c !== '"' && c !== '\\'),
      fc.constantFrom('\\"', '\\\\', '\\]', '\\n', '\\x', '\\é', '\\ '),
    ), { maxLength: 8 }).map((a) => a.join(''));
    const param = fc.tuple(sdName, fc.constantFrom(' ', '  '), fc.constantFrom('=', ' =', '= ', ' = '), wireValue)
      .map(([k, sp, eq, v]) => `${sp}${k}${eq}"${v}"`);
    const element = fc.tuple(sdName, fc.array(param, { maxLength: 5 }), fc.constantFrom('', ' '))
      .map(([id, ps, tail]) => `[${id}${ps.join('')}${tail}]`);
    const sd = fc.array(element, { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
    fc.assert(fc.property(sd, fc.nat(2), (data, i) => {
      const raw = `<165>1 2026-01-01T00:00:00.123456Z host app 42 ID ${data} msg`;
      expect(parseMessage(raw, { timezone: 'UTC', now: 0 }).sdText).toBe(data); // the parser accepted it
      same(raw, peers[i]);
    }), { numRuns: 3000 });
  });

  test('structured data: repeats and digit names take the object path', () => {
    for (const sd of [
      '[a x="1"][a y="2"]', '[a x="1" x="2"]', '[a x="1" y="2" x="3"]', '[a 2="x" 1="y" b="z"]', '[2 x="1"][1 y="2"]',
      '[__proto__ __proto__="x"]', '[a x="1"][__proto__ y="2"][__proto__ z="3"]', '[a\\b c\\d="e\\f\\"\\]"]',
      `[a ${Array.from({ length: 40 }, (_, k) => `k${k}="${k}"`).join(' ')}]`,
      Array.from({ length: 40 }, (_, k) => `[id${k} v="${k}"]`).join(''),
    ]) same(`<13>1 - - - - - ${sd} m`, peers[0]);
  });

  test('timestamps written as bytes are isoTime\'s text (fast-check: any time, µs or not)', () => {
    const lead = ascii('@');
    const ms = fc.oneof(
      fc.double({ min: -8.7e15, max: 8.7e15, noNaN: false }),
      fc.integer({ min: Date.UTC(1969, 0), max: Date.UTC(2100, 0) }),
      fc.constantFrom(0, -1, 59_999, 60_000, 8.64e15, -8.64e15, 8.64e15 + 1, Infinity, NaN),
    );
    const micros = fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined });
    fc.assert(fc.property(ms, micros, (t, u) => {
      startOutput(16);
      const b = reserve(64);
      commit(isoTimeAt(b, outputOffset(), lead, t, u));
      expect(finishOutput().toString('latin1')).toBe(`@${isoTime(t, u)}`);
    }), { numRuns: 3000 });
  });
});
