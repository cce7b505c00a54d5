import fc from 'fast-check';
import { compileDissect, runDissect } from '../../../src/mapping/extract/dissect';
import { kvKeys, runKv, runKvWanted } from '../../../src/mapping/extract/kv';
import { runCsv } from '../../../src/mapping/extract/csv';
import { lineTailAt, type Scope } from '../../../src/mapping/scope';
import type { MapInput } from '../../../src/mapping';
import { compileTimeFormat } from '../../../src/mapping/extract/time-pattern';

describe('dissect', () => {
  const values: string[] = [];
  it('splits on the literals between fields; the last takes the rest', () => {
    const p = compileDissect('%{a} [%{b}] %{c}');
    expect(runDissect(p, 'x [y z] rest of it', values)).toBe(true);
    expect(values.slice(0, 3)).toEqual(['x', 'y z', 'rest of it']);
  });
  it('fails when a literal is missing, and honours a leading literal', () => {
    const p = compileDissect('DENY %{a} -> %{b}');
    expect(runDissect(p, 'ALLOW 1 -> 2', values)).toBe(false);
    expect(runDissect(p, 'DENY 1 2', values)).toBe(false);
  });
  it('-> skips repeated delimiters', () => {
    const p = compileDissect('%{a->} %{b}');
    expect(runDissect(p, 'x     y', values)).toBe(true);
    expect(values.slice(0, 2)).toEqual(['x', 'y']);
  });
  it('refuses two adjacent fields', () => {
    expect(() => compileDissect('%{a}%{b}')).toThrow(/nothing between them/);
  });
});

describe('kv', () => {
  it('reads quoted values with escapes and skips words without =', () => {
    const out: Array<[string, string]> = [];
    runKv('date=2024-01-01 devname="FG 100" msg="say \\"hi\\"" lonely srcport=5', { separator: ' ', delimiter: '=' }, (k, v) => out.push([k, v]));
    expect(out).toEqual([['date', '2024-01-01'], ['devname', 'FG 100'], ['msg', 'say "hi"'], ['srcport', '5']]);
  });

  it('with a set of wanted keys, gives only those (the others passed over, quoted or not) and counts every pair', () => {
    const text = 'date=2024-01-01 devname="FG 100" msg="say \\"x=1 y\\"" lonely srcport=5 =orphan dst="a b"';
    const all: Array<[string, string]> = [];
    const n = runKv(text, { separator: ' ', delimiter: '=' }, (k, v) => all.push([k, v]));
    const some: Array<[string, string]> = [];
    const m = runKv(text, { separator: ' ', delimiter: '=' }, (k, v) => some.push([k, v]), new Map([['srcport', 1], ['dst', 2], ['absent', 3]]));
    expect(all.map(([k]) => k)).toEqual(['date', 'devname', 'msg', 'srcport', 'dst']);
    expect(some).toEqual(all.filter(([k]) => k === 'srcport' || k === 'dst'));
    expect(some).toEqual([['srcport', '5'], ['dst', 'a b']]);
    expect(m).toBe(n);
    expect(n).toBe(5);
  });
});

describe('kv with a table of wanted keys (runKvWanted)', () => {
  // texts from the characters that matter: separators, delimiters, quotes, escapes, whitespace a
  // key may be trimmed of (tab, no-break space), non-ASCII, and letters some keys start with
  const chars = fc.constantFrom(' ', ' ', '=', '=', ':', ';', '"', '\\', '\t', '\u00a0', 'é', 'a', 'a', 'b', 'A', 'x', '1');
  const text = fc.array(chars, { maxLength: 60 }).map((a) => a.join(''));
  const key = fc.array(fc.constantFrom('a', 'b', 'A', 'x', '1', 'é', ' ', '\t'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
  const opts = fc.constantFrom({ separator: ' ', delimiter: '=' }, { separator: ';', delimiter: ':' }, { separator: ', ', delimiter: '=' }, { separator: ' ', delimiter: '=>' });
  it('gives exactly runKv\'s wanted pairs, values and count, for any text and key set', () => {
    fc.assert(fc.property(text, fc.uniqueArray(key, { maxLength: 6 }), opts, (t, keys, o) => {
      const table = kvKeys(keys);
      const want: Array<[string, string]> = [];
      const got: Array<[string, string]> = [];
      const n = runKv(t, o, (k, v) => want.push([k, v]), new Map(keys.map((k) => [k, 1])));
      const m = runKvWanted(t, o, table, (i, v) => got.push([keys[i], v]));
      expect(got).toEqual(want);
      expect(m).toBe(n);
    }), { numRuns: 5000 });
  });
  it('from an offset, gives what it gives for the text after it, whatever comes before', () => {
    fc.assert(fc.property(text, text, fc.uniqueArray(key, { maxLength: 6 }), opts, (before, t, keys, o) => {
      const table = kvKeys(keys);
      const want: Array<[number, string]> = [];
      const got: Array<[number, string]> = [];
      const n = runKvWanted(t, o, table, (i, v) => want.push([i, v]));
      const m = runKvWanted(before + t, o, table, (i, v) => got.push([i, v]), before.length);
      expect(got).toEqual(want);
      expect(m).toBe(n);
    }), { numRuns: 3000 });
  });
  it('finds keys in place on a device line, with quoted values and words without =', () => {
    const keys = ['SRC', 'SPT', 'DST', 'msg'];
    const got: Array<[string, string]> = [];
    const n = runKvWanted('SRC=10.0.0.1 DST=10.0.0.2 DF SPT=53 SEQ=1 msg="a \\"b\\" c"', { separator: ' ', delimiter: '=' }, kvKeys(keys), (i, v) => got.push([keys[i], v]));
    expect(got).toEqual([['SRC', '10.0.0.1'], ['DST', '10.0.0.2'], ['SPT', '53'], ['msg', 'a "b" c']]);
    expect(n).toBe(5);
  });
});

describe('csv', () => {
  it('keeps empty columns and quoted separators', () => {
    const cols: string[] = [];
    const n = runCsv('1,,"a,b","say ""x""",', ',', cols);
    expect(cols.slice(0, n)).toEqual(['1', '', 'a,b', 'say "x"', '']);
  });
  it('from an offset, gives the fields of the text after it, whatever comes before', () => {
    const text = fc.array(fc.constantFrom(',', ',', '"', '"', 'a', 'b', ' ', 'é'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(fc.property(text, text, (before, t) => {
      const want: string[] = [];
      const got: string[] = [];
      const n = runCsv(t, ',', want);
      const m = runCsv(before + t, ',', got, before.length);
      expect(m).toBe(n);
      expect(got.slice(0, m)).toEqual(want.slice(0, n));
    }), { numRuns: 3000 });
  });
});

describe('lineTailAt: where a step\'s text starts in the received line', () => {
  const scope = (raw: string): Scope => ({ ev: { raw } as MapInput, vals: [], kv: undefined, warnings: undefined, trace: undefined, names: [] });
  const long = 'SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=443 DPT=5000';
  it('is the offset of a long text that ends the line, so that the line read from there is the text', () => {
    const raw = `<4>May 14 12:34:00 fw kernel: [UFW BLOCK] IN=eth0 OUT= ${long}`;
    const at = lineTailAt(scope(raw), long);
    expect(at).toBe(raw.length - long.length);
    expect(raw.slice(at)).toBe(long);
    expect(lineTailAt(scope(long), long)).toBe(0);
  });
  it('is -1 for a text that does not end the line, is longer than it, or too short to be worth the check', () => {
    expect(lineTailAt(scope(`x ${long} y`), long)).toBe(-1);
    expect(lineTailAt(scope(long.slice(1)), long)).toBe(-1);
    expect(lineTailAt(scope('a b SRC=1 DST=2'), 'SRC=1 DST=2')).toBe(-1);
  });
});

describe('timestamp formats', () => {
  const now = Date.UTC(2024, 5, 1);
  it('reads a device layout in the given zone', () => {
    const p = compileTimeFormat('yyyy/MM/dd HH:mm:ss');
    expect(new Date(p('2024/03/10 12:00:00', 'America/New_York', now)!).toISOString()).toBe('2024-03-10T16:00:00.000Z');
  });
  it('infers a missing year and honours an explicit offset', () => {
    const p = compileTimeFormat('MMM d HH:mm:ss Z');
    expect(new Date(p('May 3 10:00:00 +02:00', 'UTC', now)!).toISOString()).toBe('2024-05-03T08:00:00.000Z');
  });
  it('UNIX seconds with fractions; nonsense is undefined', () => {
    expect(compileTimeFormat('UNIX')('1700000000.5', 'UTC', now)).toBe(1700000000500);
    expect(compileTimeFormat('yyyy-MM-dd HH:mm:ss')('not a time', 'UTC', now)).toBeUndefined();
  });
});
