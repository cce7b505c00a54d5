/**
 * The audit trail across files: rotation by size and by UTC day, retention with anchor.json, and
 * verifyAudit finding each kind of tampering by file and line. Written through the module itself
 * (openAudit/audit/closeAudit) with a faked clock, into temp dirs.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, closeAudit, openAudit, verifyAudit } from '../../src/observe/audit';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const MIN = 4096; // the schema's minimum max_file_bytes
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T10:00:00Z');
const PAD = 'x'.repeat(300); // ~430-byte records: 9 to a 4096-byte file

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sg-audit-rot-'));
  dirs.push(d);
  return d;
}

let clock = T0;
const now = () => new Date(clock);

/** The trail's files in chain order: by day, then by index (-10 after -9). */
function trailFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^audit-\d{8}(-\d+)?\.jsonl$/.test(f))
    .sort((a, b) => (a.slice(6, 14) === b.slice(6, 14) ? index(a) - index(b) : a < b ? -1 : 1));
}

function index(f: string): number {
  const m = /^audit-\d{8}-(\d+)\.jsonl$/.exec(f);
  return m === null ? 0 : Number(m[1]);
}

function linesOf(dir: string, f: string): string[] {
  return readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1);
}

function recordsOf(dir: string, f: string): Array<Record<string, unknown> & { seq: number; type: string; prev: string }> {
  return linesOf(dir, f).map((l) => JSON.parse(l));
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A trail of n padded records in one day, rotated at 4096 bytes. */
async function rotated(n: number, key?: Buffer): Promise<string> {
  const dir = tempDir();
  clock = T0;
  openAudit({ dir, key, maxFileBytes: MIN, now });
  for (let i = 0; i < n; i++) audit('test', { i, pad: PAD });
  await closeAudit();
  return dir;
}

function copyOf(dir: string): string {
  const c = tempDir();
  cpSync(dir, c, { recursive: true });
  return c;
}

function editLines(dir: string, f: string, edit: (l: string[]) => string[] | string): void {
  const out = edit(linesOf(dir, f));
  writeFileSync(join(dir, f), typeof out === 'string' ? out : `${out.join('\n')}\n`);
}

describe('rotation by size', () => {
  let dir: string;
  let fs: string[];
  beforeAll(async () => {
    dir = await rotated(30);
    fs = trailFiles(dir);
  });

  test('files are closed before they pass maxFileBytes, named -1, -2 ... after the day\'s first, and the chain runs on across them', () => {
    expect(fs.length).toBeGreaterThanOrEqual(3);
    expect(fs.slice(0, 3)).toEqual(['audit-20260301.jsonl', 'audit-20260301-1.jsonl', 'audit-20260301-2.jsonl']);
    for (const f of fs) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(MIN);
    for (let i = 0; i < fs.length - 1; i++) expect(statSync(join(dir, fs[i])).size).toBeGreaterThan(MIN - 500);
    let prev = '0'.repeat(64);
    let seq = 0;
    for (const f of fs) {
      for (const l of linesOf(dir, f)) {
        const r = JSON.parse(l);
        expect([r.seq, r.prev]).toEqual([++seq, prev]);
        prev = sha(l);
      }
    }
    expect(seq).toBe(30);
    expect(verifyAudit(dir)).toEqual({ ok: true, records: 30, files: fs.length, hmac: false });
  });

  test('more than ten files a day: -10 comes after -9 (numeric order), and the trail still verifies', async () => {
    const d = await rotated(100);
    const names = readdirSync(d).filter((f) => f.startsWith('audit-'));
    expect(names).toContain('audit-20260301-10.jsonl');
    expect(recordsOf(d, 'audit-20260301-10.jsonl')[0].prev).toBe(sha(linesOf(d, 'audit-20260301-9.jsonl').pop()!));
    expect(verifyAudit(d)).toMatchObject({ ok: true, records: 100, files: names.length });
  });

  test('a reopened trail goes on in its newest file, and rotates from there', async () => {
    const d = copyOf(dir);
    const newest = fs[fs.length - 1];
    const before = linesOf(d, newest).length;
    openAudit({ dir: d, maxFileBytes: MIN, now });
    audit('after_restart', { pad: PAD });
    await closeAudit();
    expect(trailFiles(d)).toEqual(fs);
    expect(linesOf(d, newest).length).toBe(before + 1);
    expect(recordsOf(d, newest).pop()).toMatchObject({ seq: 31, type: 'after_restart' });
    expect(verifyAudit(d)).toMatchObject({ ok: true, records: 31 });
  });

  test('an edited byte in the middle file: found at that record, by file and line', () => {
    const d = copyOf(dir);
    editLines(d, fs[1], (l) => { l[2] = l[2].replace('"i":', '"j":'); return l; });
    expect(verifyAudit(d).problem).toBe(`${join(d, fs[1])}:3: the record was altered (its hash does not match the prev of the record after it)`);
  });

  test('the last line of a file edited: found there, by the first line of the next file', () => {
    const d = copyOf(dir);
    editLines(d, fs[0], (l) => { l[l.length - 1] = l[l.length - 1].replace(PAD, PAD.replace('x', 'y')); return l; });
    const n = readFileSync(join(d, fs[0]), 'utf8').split('\n').filter(Boolean).length;
    expect(verifyAudit(d).problem).toBe(`${join(d, fs[0])}:${n}: the record was altered (its hash does not match the prev of the record after it)`);
  });

  test('a line deleted from the middle file: the record after it names the missing one', () => {
    const d = copyOf(dir);
    const seq = recordsOf(d, fs[1])[1].seq;
    editLines(d, fs[1], (l) => l.filter((_, i) => i !== 1));
    expect(verifyAudit(d).problem).toBe(`${join(d, fs[1])}:2: record ${seq} is missing here (removed, or moved elsewhere)`);
  });

  test('two lines swapped in the middle file: found at the first of them', () => {
    const d = copyOf(dir);
    const seq = recordsOf(d, fs[1])[1].seq;
    editLines(d, fs[1], (l) => { [l[1], l[2]] = [l[2], l[1]]; return l; });
    expect(verifyAudit(d).problem).toBe(`${join(d, fs[1])}:2: record ${seq} is missing here (removed, or moved elsewhere)`);
  });

  test('the last file cut mid-record, or its last records removed', () => {
    const last = fs[fs.length - 1];
    const n = linesOf(dir, last).length;
    expect(n).toBeGreaterThanOrEqual(2);
    const cut = copyOf(dir);
    editLines(cut, last, (l) => `${l.join('\n')}\n`.slice(0, -40));
    expect(verifyAudit(cut).problem).toBe(`${join(cut, last)}:${n}: the file ends inside a record: it was cut short`);
    const short = copyOf(dir);
    editLines(short, last, (l) => l.slice(0, -2));
    expect(verifyAudit(short).problem).toBe(`${join(short, last)}:${n - 1}: the trail ends at record 28, but record 30 was written (${last}): records at the end were removed or the file was cut`);
  });

  test('the middle file deleted: the first record of the next file names the missing records', () => {
    const d = copyOf(dir);
    const gone = recordsOf(d, fs[1]);
    unlinkSync(join(d, fs[1]));
    expect(verifyAudit(d).problem).toBe(`${join(d, fs[2])}:1: record ${gone[0].seq}..${gone[gone.length - 1].seq} is missing here: a file before this one was removed (or cut at its end)`);
  });

  test('the first file deleted, no anchor.json: found; verify --from the next file trusts its start', () => {
    const d = copyOf(dir);
    const gone = recordsOf(d, fs[0]);
    unlinkSync(join(d, fs[0]));
    expect(verifyAudit(d).problem).toBe(`${join(d, fs[1])}:1: record 1..${gone.length} is missing before this file: the oldest files were removed (there is no anchor.json, which the gateway writes when it deletes files past retention)`);
    expect(verifyAudit(d, undefined, fs[1])).toEqual({ ok: true, records: 30 - gone.length, files: fs.length - 1, hmac: false });
    expect(verifyAudit(d, undefined, join(d, fs[2]))).toMatchObject({ ok: true, files: fs.length - 2 });
    expect(verifyAudit(d, undefined, 'audit-20990101.jsonl').problem).toMatch(/audit-20990101\.jsonl: no such audit file \(the files are audit-20260301-1\.jsonl \.\. /);
  });

  test('verify --from still finds a break after its start', () => {
    const d = copyOf(dir);
    editLines(d, fs[2], (l) => l.filter((_, i) => i !== 2));
    expect(verifyAudit(d, undefined, fs[1]).problem).toMatch(new RegExp(`^${esc(join(d, fs[2]))}:3: record \\d+ is missing here`));
  });
});

describe('rotation by day', () => {
  test('a new UTC day begins a new file; a clock set back does not begin one that sorts earlier', async () => {
    const dir = tempDir();
    clock = Date.parse('2026-03-01T23:59:59Z');
    openAudit({ dir, maxFileBytes: MIN, now });
    audit('late', {});
    clock += 2000;
    audit('early', {});
    clock -= 3 * DAY;
    audit('clock_back', {});
    await closeAudit();
    expect(trailFiles(dir)).toEqual(['audit-20260301.jsonl', 'audit-20260302.jsonl']);
    expect(recordsOf(dir, 'audit-20260302.jsonl').map((r) => r.type)).toEqual(['early', 'clock_back']);
    expect(verifyAudit(dir)).toMatchObject({ ok: true, records: 3, files: 2 });
  });
});

describe('retention', () => {
  /** Two records a day on days 0..6 with retention 3 days; returns the dir and its files. */
  async function week(key?: Buffer): Promise<string> {
    const dir = tempDir();
    clock = T0;
    openAudit({ dir, key, maxFileBytes: MIN, retentionDays: 3, now });
    for (let d = 0; d < 7; d++) {
      clock = T0 + d * DAY;
      audit('day', { d, n: 1 });
      audit('day', { d, n: 2 });
    }
    await closeAudit();
    return dir;
  }

  test('files of days older than retentionDays are deleted when a file is closed; anchor.json holds the last deleted record; verify starts there', async () => {
    const dir = await week();
    const fs = trailFiles(dir);
    // today 03-07, retention 3 days: 03-04 .. 03-07 kept
    expect(fs).toEqual(['audit-20260304.jsonl', 'audit-20260305.jsonl', 'audit-20260306.jsonl', 'audit-20260307.jsonl']);
    const anchor = JSON.parse(readFileSync(join(dir, 'anchor.json'), 'utf8'));
    const first = recordsOf(dir, fs[0])[0];
    expect(anchor).toMatchObject({ seq: first.seq - 1, hash: first.prev, file: 'audit-20260303.jsonl' });
    expect(anchor.mac).toBeUndefined();
    expect(existsSync(join(dir, 'anchor.json.tmp'))).toBe(false);
    const all = fs.flatMap((f) => recordsOf(dir, f));
    const pruned = all.filter((r) => r.type === 'audit_files_pruned');
    // pruned at each day's first record: 03-01 (records 1-2) on 03-05, 03-02 on 03-06, 03-03 on 03-07
    expect(pruned.map((r) => [r.files, r.up_to_seq])).toEqual([
      [['audit-20260301.jsonl'], 2], [['audit-20260302.jsonl'], 4], [['audit-20260303.jsonl'], 6],
    ]);
    expect(pruned[pruned.length - 1].up_to_seq).toBe(anchor.seq);
    expect(verifyAudit(dir)).toEqual({ ok: true, records: all.length, files: 4, hmac: false, prunedUpTo: anchor.seq });
  });

  test('the oldest kept file deleted too (anchor.json not updated): found at the next file\'s first record', async () => {
    const dir = await week();
    const fs = trailFiles(dir);
    const gone = recordsOf(dir, fs[0]);
    unlinkSync(join(dir, fs[0]));
    expect(verifyAudit(dir).problem).toBe(`${join(dir, fs[1])}:1: record ${gone[0].seq}..${gone[gone.length - 1].seq} is missing before this file: files were removed from the start of the trail without anchor.json (which ends at record ${gone[0].seq - 1}) being updated`);
  });

  test('without a key, a file deleted and anchor.json rewritten to match is still found: no audit_files_pruned record covers it', async () => {
    const dir = await week();
    const fs = trailFiles(dir);
    const last = linesOf(dir, fs[0]).pop()!;
    unlinkSync(join(dir, fs[0]));
    writeFileSync(join(dir, 'anchor.json'), JSON.stringify({ seq: JSON.parse(last).seq, hash: sha(last), file: fs[0], time: new Date(clock).toISOString() }));
    expect(verifyAudit(dir).problem).toMatch(/anchor\.json: says records up to \d+ were deleted, but the trail records deletions only up to \d+ \(audit_files_pruned\): files were removed and anchor\.json rewritten by hand$/);
  });

  test('at open, files past retention are deleted too; a file the anchor already covers (an interrupted prune) is skipped by verify and deleted', async () => {
    const dir = await week();
    const leftover = copyOf(dir); // still holds 03-04, which the next prune deletes
    clock = T0 + 8 * DAY; // 03-09: 03-04 and 03-05 are past retention; 03-07 is the newest and stays
    openAudit({ dir, maxFileBytes: MIN, retentionDays: 3, now });
    await closeAudit();
    // the audit_files_pruned record is the first of 03-09: a file of its own
    const kept = ['audit-20260306.jsonl', 'audit-20260307.jsonl', 'audit-20260309.jsonl'];
    expect(trailFiles(dir)).toEqual(kept);
    const anchor = JSON.parse(readFileSync(join(dir, 'anchor.json'), 'utf8'));
    expect(anchor.file).toBe('audit-20260305.jsonl');
    expect(recordsOf(dir, 'audit-20260309.jsonl')).toMatchObject([{ type: 'audit_files_pruned', files: ['audit-20260304.jsonl', 'audit-20260305.jsonl'], up_to_seq: anchor.seq }]);
    expect(verifyAudit(dir)).toMatchObject({ ok: true, files: 3, prunedUpTo: anchor.seq });
    // a prune that wrote anchor.json and stopped before deleting 03-04 and 03-05: only 03-04 left
    // does not end at the anchor, so it is not skipped
    cpSync(join(leftover, 'audit-20260304.jsonl'), join(dir, 'audit-20260304.jsonl'));
    expect(verifyAudit(dir).problem).toMatch(/audit-20260304\.jsonl:1: records are out of order/);
    cpSync(join(leftover, 'audit-20260305.jsonl'), join(dir, 'audit-20260305.jsonl'));
    expect(verifyAudit(dir)).toMatchObject({ ok: true, files: 3 });
    openAudit({ dir, maxFileBytes: MIN, retentionDays: 3, now });
    await closeAudit();
    expect(trailFiles(dir)).toEqual(kept);
    expect(verifyAudit(dir)).toMatchObject({ ok: true, files: 3 });
  });

  test('files past retention that do not verify are kept as evidence, and the refusal is recorded', async () => {
    const dir = tempDir();
    clock = T0;
    openAudit({ dir, maxFileBytes: MIN, retentionDays: 3, now });
    for (let d = 0; d < 3; d++) {
      clock = T0 + d * DAY;
      audit('day', { d });
      audit('day', { d });
    }
    await closeAudit();
    editLines(dir, 'audit-20260301.jsonl', (l) => { l[0] = l[0].replace('"d":0', '"d":9'); return l; });
    clock = T0 + 6 * DAY;
    openAudit({ dir, maxFileBytes: MIN, retentionDays: 3, now });
    await closeAudit();
    expect(trailFiles(dir)).toEqual(['audit-20260301.jsonl', 'audit-20260302.jsonl', 'audit-20260303.jsonl', 'audit-20260307.jsonl']);
    expect(existsSync(join(dir, 'anchor.json'))).toBe(false);
    expect(recordsOf(dir, 'audit-20260307.jsonl').pop()).toMatchObject({
      type: 'audit_prune_refused', files: ['audit-20260301.jsonl', 'audit-20260302.jsonl'],
      problem: expect.stringMatching(/audit-20260301\.jsonl:1: the record was altered/),
    });
  });

  test('with a key: records and anchor.json are signed; an edit is found at its own line; a rewritten anchor fails its HMAC', async () => {
    const dir = await week(KEY);
    const fs = trailFiles(dir);
    expect(verifyAudit(dir, KEY)).toMatchObject({ ok: true, hmac: true, files: 4 });
    const anchorText = readFileSync(join(dir, 'anchor.json'), 'utf8');
    expect(JSON.parse(anchorText).mac).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAudit(dir, Buffer.from('another key of 32 bytes........!')).problem).toBe(`${join(dir, 'anchor.json')}: its HMAC does not match: it was altered or written without audit.key_file (files removed from the start and the anchor rewritten?)`);

    const edited = copyOf(dir);
    editLines(edited, fs[1], (l) => { l[0] = l[0].replace('"n":1', '"n":3'); return l; });
    expect(verifyAudit(edited, KEY).problem).toBe(`${join(edited, fs[1])}:1: the HMAC does not match: the record was altered or written without the key`);

    // the oldest kept file deleted and the anchor moved on to its last record, keeping the old mac
    const forged = copyOf(dir);
    const last = linesOf(forged, fs[0]).pop()!;
    unlinkSync(join(forged, fs[0]));
    const a = JSON.parse(anchorText);
    writeFileSync(join(forged, 'anchor.json'), JSON.stringify({ ...a, seq: JSON.parse(last).seq, hash: sha(last) }));
    expect(verifyAudit(forged, KEY).problem).toBe(`${join(forged, 'anchor.json')}: its HMAC does not match: it was altered or written without audit.key_file (files removed from the start and the anchor rewritten?)`);
    // without anchor.json at all: the first kept record cannot chain to genesis
    const noAnchor = copyOf(dir);
    unlinkSync(join(noAnchor, 'anchor.json'));
    expect(verifyAudit(noAnchor, KEY).problem).toMatch(new RegExp(`^${esc(join(noAnchor, fs[0]))}:1: record 1\\.\\.\\d+ is missing before this file: the oldest files were removed`));
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
