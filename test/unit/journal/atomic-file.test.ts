import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceFile, replaceFileSoon, replacesSettled } from '../../../src/journal/atomic-file';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sg-atomic-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceFileSoon', () => {
  test('writes off the main thread; what is given meanwhile replaces what waits; the newest lands last', async () => {
    const f = join(dir, 'status.json');
    const errors: Error[] = [];
    for (let i = 0; i < 50; i++) replaceFileSoon(f, `v${i}`, (e) => errors.push(e));
    await replacesSettled();
    expect(readFileSync(f, 'utf8')).toBe('v49');
    expect(errors).toEqual([]);
    expect(readdirSync(dir)).toEqual(['status.json']); // no temporary file left
  });

  test('a last synchronous replace after replacesSettled() is what stays', async () => {
    const f = join(dir, 'status.json');
    for (let i = 0; i < 5; i++) replaceFileSoon(f, `soon${i}`, () => undefined);
    await replacesSettled();
    replaceFile(f, 'final');
    await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(f, 'utf8')).toBe('final');
  });

  test('a failed write is reported, and the next one still happens', async () => {
    const errors: string[] = [];
    replaceFileSoon(join(dir, 'missing', 'x.json'), 'a', (e) => errors.push(e.message));
    await replacesSettled();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ENOENT/);
    const f = join(dir, 'ok.json');
    replaceFileSoon(f, 'b', () => undefined);
    await replacesSettled();
    expect(readFileSync(f, 'utf8')).toBe('b');
  });
});
