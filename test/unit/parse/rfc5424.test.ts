import { parseRfc5424, structuredDataOf } from '../../../src/parse';
import type { ParseContext } from '../../../src/parse';

const ctx: ParseContext = { timezone: 'UTC', now: Date.UTC(2026, 0, 10) };

describe('parseRfc5424: header fields', () => {
  it('reads the RFC example with 2 SD elements and a BOM', () => {
    const p = parseRfc5424('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] \uFEFFAn application event', ctx);
    expect(p).toMatchObject({
      format: 'rfc5424', header: 'rfc5424', pri: 165, version: 1, timestamp: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      hostname: 'mymachine.example.com', appname: 'evntslog', procid: undefined, msgid: 'ID47', message: 'An application event',
      sdText: '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    });
    expect(structuredDataOf(p!)).toEqual(
      { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' }, 'examplePriority@32473': { class: 'high' } });
    expect(p?.structuredData).toBe(structuredDataOf(p!)); // decoded once, cached
    expect(p?.timestampMicros).toBeUndefined();
  });

  it.each([
    ['<0>1 - - - - - -', { pri: 0, version: 1, timestamp: undefined, hostname: undefined, appname: undefined, procid: undefined, msgid: undefined, structuredData: undefined, message: '' }],
    ['<191>999 - h a p m -', { pri: 191, version: 999, hostname: 'h', appname: 'a', procid: 'p', msgid: 'm' }],
    ['<13>1 - - - - - - ', { message: '' }], // trailing space, empty MSG
    ['<13>1 - host app 1 ID', { hostname: 'host', msgid: 'ID', structuredData: undefined, message: '' }], // SD missing at the end
    ['<13>1 - - - - - - \uFEFF', { message: '' }],
    ['<13>1 - - - - - - x\ny', { message: 'x\ny' }],
  ])('NILVALUE / lenient ends: %j', (text, want) => {
    const { structuredData, ...rest } = want as Record<string, unknown>;
    const p = parseRfc5424(text, ctx);
    expect(p).toMatchObject(rest);
    if ('structuredData' in want) {
      expect(structuredDataOf(p!)).toEqual(structuredData);
      expect(p?.sdText).toBeUndefined();
    }
  });

  it.each([
    ['2003-08-24T05:14:15Z', Date.UTC(2003, 7, 24, 5, 14, 15), undefined],
    ['2003-08-24T05:14:15.1Z', Date.UTC(2003, 7, 24, 5, 14, 15, 100), undefined],
    ['2003-08-24T05:14:15.12Z', Date.UTC(2003, 7, 24, 5, 14, 15, 120), undefined],
    ['2003-08-24T05:14:15.123Z', Date.UTC(2003, 7, 24, 5, 14, 15, 123), undefined],
    ['2003-08-24T05:14:15.1234Z', Date.UTC(2003, 7, 24, 5, 14, 15, 123), 400],
    ['2003-08-24T05:14:15.000003-07:00', Date.UTC(2003, 7, 24, 12, 14, 15, 0), 3],
    ['2003-08-24T05:14:15.999999+05:30', Date.UTC(2003, 7, 23, 23, 44, 15, 999), 999],
    ['2018-12-31T23:59:59.999999-23:59', Date.UTC(2019, 0, 1, 23, 58, 59, 999), 999],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), undefined],
  ])('timestamp %s', (stamp, ms, micros) => {
    const p = parseRfc5424(`<13>1 ${stamp} h a - - -`, ctx);
    expect(p?.timestamp).toBe(ms);
    expect(p?.timestampMicros).toBe(micros);
  });

  it('reads a stamp without offset in ctx.timezone', () => {
    const p = parseRfc5424('<13>1 2026-07-01T12:00:00 h a - - -', { timezone: 'Europe/Berlin', now: 0 });
    expect(p?.timestamp).toBe(Date.UTC(2026, 6, 1, 10, 0, 0));
  });

  it.each([
    ['', 'empty'],
    ['<13>Jan  1 00:00:00 host app: x', 'RFC 3164'],
    ['<192>1 - - - - - -', 'PRI > 191'],
    ['<13>0 - - - - - -', 'VERSION 0'],
    ['<13>1 2003-09-31T22:14:15Z - - - - -', 'day out of range'],
    ['<13>1 2018-02-29T22:14:15Z - - - - -', 'Feb 29 in a non-leap year'],
    ['<13>1 2006-01-02t15:04:05Z - - - - -', 'lower-case t'],
    ['<13>1 2003-09-29T22:09:01.000000000009Z - - - - -', '12 fraction digits'],
    ['<13>1 2003-08-24T05:14:15-24:00 - - - - -', 'offset hour 24'],
    ['<13>1 - - - - - X', 'SD neither - nor ['],
    ['<13>1 - - - - - []', 'empty SD-ID'],
    ['<13>1 - - - - - [id a="1"', 'unterminated SD element'],
    ['<13>1 - - - - - [id a="1]', 'unterminated value'],
    ['<13>1 - - - - - [id a=1]', 'unquoted value'],
    ['<13>1 - - abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij - - -', 'APP-NAME > 48'],
    ['<13>1 -   - - - -', 'double space'],
    ['<111>1 2024-01-15T12:34:56+00:00 vwxyz-edcba LEEF:1.0|V|P|1|E|a=1\tb=2', 'LEEF after a short header'],
  ])('rejects %j (%s)', (text) => {
    expect(parseRfc5424(text, ctx)).toBeUndefined();
  });
});

describe('parseRfc5424: structured data', () => {
  it.each([
    ['[a x="q\\"uote"]', { a: { x: 'q"uote' } }],
    ['[a x="back\\\\slash"]', { a: { x: 'back\\slash' } }],
    ['[a x="br\\]acket"]', { a: { x: 'br]acket' } }],
    ['[a x="keep\\n and \\t"]', { a: { x: 'keep\\n and \\t' } }], // other \x kept as both chars
    ['[a x="\\]\\"\\\\\\\\\\]\\""]', { a: { x: ']"\\\\]"' } }],
    ['[a x=""]', { a: { x: '' } }],
    ['[a]', { a: {} }],
    ['[a x="1"][b y="2" z="3"][c]', { a: { x: '1' }, b: { y: '2', z: '3' }, c: {} }],
    ['[a x= "1"]', { a: { x: '1' } }], // space after = (rsyslog and VRL accept it)
    ['[a x="1" ]', { a: { x: '1' } }],
    ['[a x="un]escaped"]', { a: { x: 'un]escaped' } }],
    ['[a x="1"][a y="2"]', { a: { x: '1', y: '2' } }], // repeated SD-ID merged
    ['[a x="κόσμε ⌘"]', { a: { x: 'κόσμε ⌘' } }],
  ])('%s', (sd, want) => {
    const p = parseRfc5424(`<13>1 - - - - - ${sd} msg`, ctx);
    expect(p?.structuredData).toBeUndefined(); // lazy: only the text is kept
    expect(p?.sdText).toBe(sd);
    expect(structuredDataOf(p!)).toEqual(want);
    expect(p?.message).toBe('msg');
  });

  it('keeps `__proto__` as a plain field', () => {
    const p = parseRfc5424('<13>1 - - - - - [__proto__ __proto__="x"]', ctx);
    const sd = structuredDataOf(p!) as Record<string, Record<string, string>>;
    expect(Object.keys(sd)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(sd)).toBe(Object.prototype);
    const params = Object.getOwnPropertyDescriptor(sd, '__proto__')?.value as Record<string, string>;
    expect(Object.keys(params)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined(); // Object.prototype untouched
  });

  it('a later `__proto__` element does not write into Object.prototype', () => {
    const p = parseRfc5424('<13>1 - - - - - [a x="1"][__proto__ y="2"][__proto__ z="3"]', ctx);
    const sd = structuredDataOf(p!) as Record<string, Record<string, string>>;
    expect(Object.keys(sd)).toEqual(['a', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(sd, '__proto__')?.value).toEqual({ y: '2', z: '3' });
    expect(({} as Record<string, unknown>).y).toBeUndefined();
    expect(({} as Record<string, unknown>).z).toBeUndefined();
  });

  it('structuredDataOf: undefined without SD, and for other formats', () => {
    expect(structuredDataOf(parseRfc5424('<13>1 - - - - - - msg', ctx)!)).toBeUndefined();
    expect(structuredDataOf({ format: 'kv', header: 'none', message: 'a=1' })).toBeUndefined();
  });
});
