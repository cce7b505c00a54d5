import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parseMessage } from '../../../src/parse';
import { toEcs } from '../../../src/pipeline/ecs';
import { writeEcs } from '../../../src/pipeline/ecs-writer';
import { batchContext } from '../../../src/pipeline/process-batch';
import type { Peer, SenderMeta } from '../../../src/inputs/types';

// writeEcs is the fast path; toEcs is the reference. They must write the same document.
const CORPUS = resolve(__dirname, '../../../../shared/corpus');
const peers: Peer[] = [
  { input: 'udp', transport: 'udp', ip: '192.0.2.7', port: 514 },
  { input: 'tls', transport: 'tls', ip: '2001:db8::1', port: 6514 },
  { input: 'parse', transport: 'tcp', ip: '', port: 0 },
];

function same(raw: string, peer: Peer, meta?: SenderMeta, truncated = false): void {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0, 42);
  const p = parseMessage(raw, { timezone: 'Europe/Berlin', now });
  const fast = JSON.parse(writeEcs(p, batchContext(now), { id: 'id-1', peer, raw, truncated, meta }));
  const ref = JSON.parse(JSON.stringify(toEcs(p, { id: 'id-1', receivedAt: now, peer, raw, truncated, meta })));
  expect(fast).toEqual(ref);
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

describe('writeEcs writes the same document as toEcs', () => {
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
});

