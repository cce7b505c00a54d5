import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, closeAudit, openAudit, verifyAudit } from '../../../src/observe/audit';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');

async function trail(records: number, key?: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-audit-'));
  openAudit({ dir, key });
  for (let i = 0; i < records; i++) audit('test', { i, note: `record ${i}` });
  await closeAudit();
  return dir;
}

function theFile(dir: string): string {
  return join(dir, readdirSync(dir).find((f) => f.startsWith('audit-'))!);
}

/** A copy of the trail with its one file's lines changed by `edit`. */
function tampered(dir: string, edit: (lines: string[]) => string[] | string): string {
  const copy = mkdtempSync(join(tmpdir(), 'sg-audit-t-'));
  cpSync(dir, copy, { recursive: true });
  const f = theFile(copy);
  const lines = readFileSync(f, 'utf8').split('\n').slice(0, -1);
  const out = edit(lines);
  writeFileSync(f, typeof out === 'string' ? out : `${out.join('\n')}\n`);
  return copy;
}

describe('audit trail', () => {
  it('a clean trail verifies; a reopened one goes on with the same chain', async () => {
    const dir = await trail(5);
    expect(verifyAudit(dir)).toMatchObject({ ok: true, records: 5, files: 1, hmac: false });
    openAudit({ dir });
    audit('after_restart', {});
    await closeAudit();
    expect(verifyAudit(dir)).toMatchObject({ ok: true, records: 6 });
    const last = JSON.parse(readFileSync(theFile(dir), 'utf8').trim().split('\n').pop()!);
    expect([last.seq, last.type]).toEqual([6, 'after_restart']);
  });

  it('the last record edited is found by head.json, at its own line', async () => {
    const dir = await trail(6);
    let n = 0;
    const bad = tampered(dir, (l) => { n = l.length; l[n - 1] = l[n - 1].replace('"seq"', '"seq" '); return l; });
    expect(verifyAudit(bad).problem).toMatch(new RegExp(`audit-\\d{8}\\.jsonl:${n}: the last record was altered`));
  });

  it('an edited byte is found at the record itself (the prev of the record after it no longer matches), with file and line', async () => {
    const dir = await trail(6);
    const bad = tampered(dir, (l) => { l[2] = l[2].replace('record 2', 'record X'); return l; });
    const v = verifyAudit(bad);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(/audit-\d{8}\.jsonl:3: the record was altered/);
  });

  it('a deleted line: the record that follows names what is missing', async () => {
    const v = verifyAudit(tampered(await trail(6), (l) => l.filter((_, i) => i !== 3)));
    expect(v.problem).toMatch(/:4: record 4 is missing here \(removed, or moved elsewhere\)/);
  });

  it('two lines swapped: out of order', async () => {
    const v = verifyAudit(tampered(await trail(6), (l) => { [l[1], l[2]] = [l[2], l[1]]; return l; }));
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(/:2: record 2 is missing|:2: .*out of order|:3: .*out of order/);
  });

  it('the last records removed, or the file cut mid-record: head.json shows it', async () => {
    const dir = await trail(6);
    expect(verifyAudit(tampered(dir, (l) => l.slice(0, 4))).problem).toMatch(/the trail ends at record 4, but record 6 was written/);
    expect(verifyAudit(tampered(dir, (l) => `${l.join('\n')}\n`.slice(0, -20))).problem).toMatch(/:6: the file ends inside a record: it was cut short/);
  });

  it('after a crash: head.json one record behind and a record cut mid-write are not breaks; the chain goes on', async () => {
    const dir = await trail(4);
    const f = theFile(dir);
    const lines = readFileSync(f, 'utf8').trim().split('\n');
    // the crash came after record 4 was appended and before head.json said so
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    writeFileSync(join(dir, 'head.json'), JSON.stringify({ seq: 3, hash: createHash('sha256').update(lines[2]).digest('hex'), file: f }));
    expect(verifyAudit(dir)).toMatchObject({ ok: true, records: 4 });
    // and a fifth record was being written
    writeFileSync(f, `${readFileSync(f, 'utf8')}{"seq":5,"time":"2026-`, { flag: 'w' });
    expect(verifyAudit(dir).problem).toMatch(/the file ends inside a record/);
    openAudit({ dir });
    audit('after_crash', {});
    await closeAudit();
    expect(verifyAudit(dir)).toMatchObject({ ok: true, records: 6 });
    const recs = readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.slice(4).map((r) => [r.seq, r.type])).toEqual([[5, 'audit_tail_cut'], [6, 'after_crash']]);
    expect(recs[4].bytes).toBe('{"seq":5,"time":"2026-'.length);
  });

  it('with a key every record is signed: a rewritten chain without the key, or the wrong key, fails', async () => {
    const dir = await trail(4, KEY);
    expect(verifyAudit(dir, KEY)).toMatchObject({ ok: true, records: 4, hmac: true });
    expect(verifyAudit(dir, Buffer.from('another key of 32 bytes........!')).problem).toMatch(/:1: the HMAC does not match/);
    expect(verifyAudit(await trail(3), KEY).problem).toMatch(/:1: the HMAC does not match/);
  });
});

describe('burstLimited', () => {
  const { burstLimited } = require('../../../src/observe/log') as typeof import('../../../src/observe/log');
  it('lets a burst through per key, counts the rest, and reports the count with the next one after the interval', () => {
    const got: number[] = [];
    const limit = burstLimited(3, 1000);
    const realNow = Date.now;
    let t = 1_000_000;
    Date.now = () => t;
    try {
      for (let i = 0; i < 10; i++) limit('peer', (held) => got.push(held));
      limit('other', (held) => got.push(100 + held));
      t += 1000;
      limit('peer', (held) => got.push(held));
    } finally {
      Date.now = realNow;
    }
    expect(got).toEqual([0, 0, 0, 100, 7]);
  });
});
