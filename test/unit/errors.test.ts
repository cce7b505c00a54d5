import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E } from '../../src/errors';

// docs/errors.md has one row per code; both directions are checked (as fastify does for its Errors.md).
const doc = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
const documented = [...doc.matchAll(/^\| `(SG_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
const defined = Object.values(E).map((e) => e.code);

describe('error codes', () => {
  test('every code in src/errors.ts has a row in docs/errors.md', () => {
    expect(defined.filter((c) => !documented.includes(c))).toEqual([]);
  });
  test('every row in docs/errors.md is a code that exists', () => {
    expect(documented.filter((c) => !defined.includes(c))).toEqual([]);
  });
  test('codes are unique and shaped SG_<AREA>_<WHAT>', () => {
    expect(new Set(defined).size).toBe(defined.length);
    for (const c of defined) expect(c).toMatch(/^SG_[A-Z]+_[A-Z0-9_]+$/);
  });
});
