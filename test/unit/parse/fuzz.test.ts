import fc from 'fast-check';
import { parseCef, parseJson, parseKv, parseLeef, parseMessage, parseRfc3164, parseRfc5424, structuredDataOf } from '../../../src/parse';
import type { ParseContext, Parsed } from '../../../src/parse';

const ctx: ParseContext = { timezone: 'Europe/Berlin', now: Date.UTC(2026, 5, 1) };
const RUNS = 2000;
const asciiChar = fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c));

const parsers: Array<[string, (s: string) => unknown]> = [
  ['parseMessage', (s) => parseMessage(s, ctx)],
  ['parseRfc5424', (s) => parseRfc5424(s, ctx)],
  ['parseRfc3164', (s) => parseRfc3164(s, ctx)],
  ['parseCef', parseCef],
  ['parseLeef', parseLeef],
  ['parseKv', (s) => parseKv(s)],
  ['parseJson', (s) => parseJson(s)],
];

/** Strings biased towards the syntax the parsers look for. */
const syntaxy = fc.array(fc.constantFrom('<', '>', '13', '1', ' ', '-', '[', ']', '"', '\\', '=', '|', ':', 'CEF:0|', 'LEEF:2.0|',
  'x5E', '^', '\t', '{', '}', 'Jan', ' 5 ', '10:11:12', '2026-01-05T10:11:12', '.123', 'Z', '+01:00', 'host', 'app[1]:', '%ASA-6-1:',
  '\uFEFF', 'é', '\n', 'a', '0', '*'), { maxLength: 40 }).map((a) => a.join(''));

describe('fuzz: no parser throws', () => {
  it.each(parsers)('%s on arbitrary strings', (_name, parse) => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), syntaxy), (s) => { parse(s); }), { numRuns: RUNS });
  });
  it.each(parsers)('%s on random bytes decoded as utf8 and latin1', (_name, parse) => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const buf = Buffer.from(b);
      parse(buf.toString('utf8'));
      parse(buf.toString('latin1'));
      parse(`<13>1 - - - - - - ${buf.toString('latin1')}`);
    }), { numRuns: RUNS });
  });
  it('parseMessage always returns a kept, well-formed result', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), syntaxy), (s) => {
      const p: Parsed = parseMessage(s, ctx);
      expect(typeof p.message).toBe('string');
      if (p.format === 'unknown') expect(p.message).toBe(s);
      if (p.pri !== undefined) expect(p.pri >= 0 && p.pri <= 191).toBe(true);
      if (p.timestamp !== undefined) expect(Number.isFinite(p.timestamp)).toBe(true);
    }), { numRuns: RUNS });
  });
});

describe('fuzz: RFC 5424 built from parts round-trips', () => {
  const printAscii = (min: number, max: number): fc.Arbitrary<string> =>
    fc.string({ unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
  const header = (max: number): fc.Arbitrary<string | undefined> =>
    fc.option(printAscii(1, max).filter((s) => s !== '-'), { nil: undefined });
  const sdName = fc.string({
    unit: fc.integer({ min: 33, max: 126 }).filter((c) => c !== 61 && c !== 93 && c !== 34).map((c) => String.fromCharCode(c)),
    minLength: 1, maxLength: 32,
  });
  const sdValue = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', ']', ' ', '='), asciiChar, fc.constantFrom('é', '⌘')), maxLength: 20 });
  const sd = fc.option(fc.dictionary(sdName, fc.dictionary(sdName, sdValue, { maxKeys: 4 }), { minKeys: 1, maxKeys: 3 }), { nil: undefined });
  const esc = (v: string): string => v.replace(/[\\"\]]/g, (c) => `\\${c}`);

  it('pri, version, timestamp, hostname, appname, procid, msgid, SD, msg', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 191 }), fc.integer({ min: 1, max: 999 }),
      fc.option(fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true }), { nil: undefined }),
      header(255), header(48), header(128), header(32), sd, fc.string({ maxLength: 50 }),
      (pri, version, date, host, app, procid, msgid, data, msg) => {
        const sdText = data === undefined ? '-' : Object.entries(data)
          .map(([id, ps]) => `[${id}${Object.entries(ps).map(([k, v]) => ` ${k}="${esc(v)}"`).join('')}]`).join('');
        const text = `<${pri}>${version} ${date === undefined ? '-' : date.toISOString()} ${host ?? '-'} ${app ?? '-'} ${procid ?? '-'} ${msgid ?? '-'} ${sdText}${msg === '' ? '' : ` ${msg}`}`;
        const p = parseRfc5424(text, ctx);
        expect(p).toBeDefined();
        const r = p as Parsed;
        expect(r.pri).toBe(pri);
        expect(r.version).toBe(version);
        expect(r.timestamp).toBe(date?.getTime());
        expect(r.hostname).toBe(host);
        expect(r.appname).toBe(app);
        expect(r.procid).toBe(procid);
        expect(r.msgid).toBe(msgid);
        expect(r.sdText).toBe(data === undefined ? undefined : sdText);
        expect(structuredDataOf(r)).toEqual(data);
        expect(r.message).toBe(msg.charCodeAt(0) === 0xfeff ? msg.slice(1) : msg);
        expect(parseMessage(text, ctx).header).toBe('rfc5424');
      },
    ), { numRuns: RUNS });
  });

  it('CEF extensions built from parts round-trip', () => {
    const key = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC0123456789_.'.split('')), minLength: 1, maxLength: 12 });
    const val = fc.string({ unit: fc.oneof(fc.constantFrom('=', '\\', '\n', '\r', '|', 'x y'), asciiChar), maxLength: 20 })
      .map((v) => v.trim()).filter((v) => !/ [A-Za-z0-9_.,[\]-]+=/.test(` ${v}`) && !v.includes('  '));
    const escV = (v: string): string => v.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    fc.assert(fc.property(fc.dictionary(key, val, { maxKeys: 6 }), (ext) => {
      const text = `CEF:0|V|P|1|2|N|5|${Object.entries(ext).map(([k, v]) => `${k}=${escV(v)}`).join(' ')}`;
      expect(parseCef(text)?.extensions).toEqual(ext);
    }), { numRuns: RUNS });
  });
});
