import fc from 'fast-check';
import { fieldsOf, isKv, parseJson, parseKv, parseMessage } from '../../../src/parse';

describe('parseKv', () => {
  it.each([
    ['date=2019-05-10 time=11:37:47 devname="FG 1" msg="say \\"hi\\""', { date: '2019-05-10', time: '11:37:47', devname: 'FG 1', msg: 'say "hi"' }],
    ['IN=eth0 OUT= MAC=52:54 SRC=1.2.3.4 DF PROTO=TCP SYN', { IN: 'eth0', OUT: '', MAC: '52:54', SRC: '1.2.3.4', PROTO: 'TCP' }],
    ['id=firewall\tsn=0 msg="Connection Opened" src=2.2.2.2:36701:WAN', { id: 'firewall', sn: '0', msg: 'Connection Opened', src: '2.2.2.2:36701:WAN' }],
    ['a="unterminated value', undefined],
    ['a=1', undefined], // one pair is not "mostly kv"
    ['hello world a=1 b=2', undefined],
    ['user01 : TTY=pts/0 ; PWD=/home', undefined],
    ['a=1 x y z w b=2', undefined], // more stray tokens than pairs
    ['', undefined],
  ])('%j', (text, want) => {
    expect(parseKv(text)).toEqual(want);
  });
});

describe('parseJson', () => {
  it.each([
    ['{"a":1,"b":{"c":"d"}}', { a: 1, b: { c: 'd' } }],
    ['  {"a":1}  ', { a: 1 }],
    ['[1,2]', undefined],
    ['{"a":', undefined],
    ['{not json}', undefined],
    ['"str"', undefined],
  ])('%j', (text, want) => {
    expect(parseJson(text)).toEqual(want);
  });
});

describe('isKv and fieldsOf: detection decides, the pairs are built when read', () => {
  it('isKv says what parseKv would, for any text', () => {
    const chars = fc.constantFrom(' ', ' ', '\t', '=', '=', '"', '\\', 'a', 'b', 'k', '1', '\n');
    fc.assert(fc.property(fc.array(chars, { maxLength: 40 }).map((a) => a.join('')), (t) => {
      expect(isKv(t)).toBe(parseKv(t) !== undefined);
    }), { numRuns: 5000 });
  });
  it('from an offset into a longer text, as of that text\'s tail (how detection scans a message)', () => {
    const chars = fc.constantFrom(' ', '\t', '=', '"', '\\', 'a', 'k', '1');
    const text = fc.array(chars, { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(fc.property(text, text, (head, tail) => {
      expect(isKv(head + tail, head.length)).toBe(isKv(tail));
      expect(parseKv(head + tail, head.length)).toEqual(parseKv(tail));
    }), { numRuns: 3000 });
  });
  it('a parsed message is always the tail of the text it was parsed from', () => {
    const lines = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.tuple(fc.constantFrom('<13>Jan  1 00:00:00 h app: ', '<13>1 2024-01-01T00:00:00Z h a - - - ', '<13>1 2024-01-01T00:00:00Z h a - - [x@1 a="b"] \ufeff', '<189>', ' <13>Jan  1 00:00:00 h '), fc.string({ maxLength: 40 })).map(([a, b]) => a + b),
    );
    fc.assert(fc.property(lines, (t) => {
      const p = parseMessage(t, { timezone: 'UTC', now: 0 });
      expect(t.endsWith(p.message)).toBe(true);
    }), { numRuns: 3000 });
  });
  it('with lazyKv, a kv message carries no pairs until fieldsOf builds them (once); without, at once; a JSON one at once', () => {
    const line = '<13>Jan  1 00:00:00 fw1 date=2024-01-01 devname="FG 1" srcip=10.0.0.1';
    expect(parseMessage(line, { timezone: 'UTC', now: Date.UTC(2024, 5, 1) }).fields).toEqual({ date: '2024-01-01', devname: 'FG 1', srcip: '10.0.0.1' });
    const p = parseMessage(line, { timezone: 'UTC', now: Date.UTC(2024, 5, 1), lazyKv: true });
    expect(p.format).toBe('kv');
    expect(p.fields).toBeUndefined();
    const f = fieldsOf(p);
    expect(f).toEqual({ date: '2024-01-01', devname: 'FG 1', srcip: '10.0.0.1' });
    expect(fieldsOf(p)).toBe(f);
    const j = parseMessage('<13>Jan  1 00:00:00 app1 {"a":1}', { timezone: 'UTC', now: Date.UTC(2024, 5, 1), lazyKv: true });
    expect([j.format, j.fields]).toEqual(['json', { a: 1 }]);
    expect(fieldsOf(parseMessage('<13>Jan  1 00:00:00 h plain text', { timezone: 'UTC', now: 0, lazyKv: true }))).toBeUndefined();
  });
});
