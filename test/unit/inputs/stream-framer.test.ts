import fc from 'fast-check';
import type { Framing, OversizeAction } from '../../../src/config/types';
import { StreamFramer } from '../../../src/inputs/stream-framer';
import { FLAG_TRUNCATED, type Peer } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';

const peer: Peer = { input: 't', transport: 'tcp', ip: '127.0.0.1', port: 1 };

function frame(
  input: string | Buffer | Array<string | Buffer>,
  framing: Framing,
  opts: { max?: number; oversize?: OversizeAction; end?: boolean } = {},
): RecordingSink {
  const sink = new RecordingSink();
  const f = new StreamFramer(
    { framing, maxMessageBytes: opts.max ?? 1024, oversize: opts.oversize ?? 'truncate' }, sink, peer);
  const chunks = Array.isArray(input) ? input : [input];
  for (const c of chunks) f.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  if (opts.end) f.end();
  return sink;
}

/** Every way of cutting `s` in two, plus byte-by-byte. */
function splits(s: string): string[][] {
  const out: string[][] = [[s], s.split('')];
  for (let i = 1; i < s.length; i++) out.push([s.slice(0, i), s.slice(i)]);
  return out;
}

describe('stream framer: message boundaries per mode', () => {
  const cases: Array<[string, Framing, string, string[]]> = [
    ['lf: LF trailer', 'lf', '<13>a\n<13>b\n', ['<13>a', '<13>b']],
    ['lf: CRLF trailer drops the CR', 'lf', '<13>a\r\n<13>b\r\n', ['<13>a', '<13>b']],
    ['lf: NUL trailer', 'lf', '<13>a\0<13>b\0', ['<13>a', '<13>b']],
    ['lf: NUL then LF is one trailer', 'lf', '<13>a\0\n<13>b\0\n', ['<13>a', '<13>b']],
    ['lf: digits are just text', 'lf', '5 hello\n', ['5 hello']],
    ['lf: CR inside a line is kept', 'lf', 'a\rb\n', ['a\rb']],
    ['octet: back to back', 'octet', '5 hello3 abc', ['hello', 'abc']],
    ['octet: LF inside a message is data', 'octet', '5 a\nb\nc2 zz', ['a\nb\nc', 'zz']],
    ['octet: one trailing LF or CRLF counted in the frame is not part of the message', 'octet', '6 a\nb\nc\n6 a\nb\r\n\n4 zz\r\n', ['a\nb\nc', 'a\nb\r\n', 'zz']],
    ['octet: separators between frames are skipped', 'octet', '5 hello\n\r\n 3 abc\0', ['hello', 'abc']],
    ['auto: octet then lf then octet', 'auto', '5 hello<13>line\n3 abc', ['hello', '<13>line', 'abc']],
    ['auto: LF after an octet frame is its trailer', 'auto', '5 hello\n<13>x\n', ['hello', '<13>x']],
    ['auto: CRLF after an octet frame is its trailer', 'auto', '5 hello\r\n<13>x\n', ['hello', '<13>x']],
    ['auto: digits without SP are a line', 'auto', '2024-01-01T00:00:00Z h app: x\n3 abc', ['2024-01-01T00:00:00Z h app: x', 'abc']],
    ['auto: a 0 starts a line', 'auto', '0 zero\n', ['0 zero']],
    ['auto: digits then LF are a line', 'auto', '123\n<13>y\n', ['123', '<13>y']],
    ['octet: count without SP is read as a line, next frame intact', 'octet', '12abc\n5 hello', ['12abc', 'hello']],
    ['auto: count above maxFrameBytes is read as a line', 'auto', '99999999999 x\n2 ok', ['99999999999 x', 'ok']],

  ];
  test('octet: a count above maxFrameBytes (200k) is still a frame; truncated or refused, its bytes are skipped exactly and the frames after it kept', () => {
    const big = `250001 ${'x'.repeat(250001)}`;
    for (const cut of [1, 7, 1000, 250008]) {
      const input = `${big}5 hello3 bye`;
      const t = frame([input.slice(0, cut), input.slice(cut)], 'octet');
      expect(t.texts()).toEqual(['x'.repeat(1024), 'hello', 'bye']);
      expect(t.messages[0].flags & FLAG_TRUNCATED).toBe(FLAG_TRUNCATED);
      const r = frame([input.slice(0, cut), input.slice(cut)], 'octet', { oversize: 'reject' });
      expect(r.texts()).toEqual(['hello', 'bye']);
      expect(r.rejects.map((x) => x.reason)).toEqual(['oversize']);
    }
  });
  test.each(cases)('%s', (_name, framing, input, expected) => {
    for (const chunks of splits(input)) {
      const sink = frame(chunks, framing);
      expect(sink.texts()).toEqual(expected);
      expect(sink.rejects).toEqual([]);
    }
  });
});

describe('stream framer: bad and empty frames', () => {
  test('octet mode: a non-digit frame start is skipped to the next LF and counted bad_frame', () => {
    for (const chunks of splits('<13>garbage line\n5 hello')) {
      const sink = frame(chunks, 'octet');
      expect(sink.texts()).toEqual(['hello']);
      expect(sink.rejected('bad_frame')).toBe(1);
    }
  });

  test('empty LF frames are counted as empty', () => {
    const sink = frame('a\n\n\r\nb\n', 'lf');
    expect(sink.texts()).toEqual(['a', 'b']);
    expect(sink.rejected('empty')).toBe(2);
  });

  test('a partial frame at end of stream is rejected as partial_frame', () => {
    const lf = frame('a\nunfinished', 'lf', { end: true });
    expect(lf.texts()).toEqual(['a']);
    expect(lf.rejected('partial_frame')).toBe(1);
    expect(lf.rejects[0].detail).toContain('unfinished');
    const octet = frame(['5 hel'], 'octet', { end: true });
    expect(octet.texts()).toEqual([]);
    expect(octet.rejected('partial_frame')).toBe(1);
    const digits = frame(['12'], 'auto', { end: true });
    expect(digits.rejected('partial_frame')).toBe(1);
    const clean = frame('a\n', 'lf', { end: true });
    expect(clean.rejects).toEqual([]);
  });

  test('a line the peer ended the stream after is a message (LF and auto); an octet frame short of its count is still partial', () => {
    const run = (input: string, framing: Framing) => {
      const sink = new RecordingSink();
      const f = new StreamFramer({ framing, maxMessageBytes: 1024, oversize: 'truncate' }, sink, peer);
      f.push(Buffer.from(input, 'latin1'));
      f.end(true);
      return sink;
    };
    expect(run('a\nlast\r', 'lf').texts()).toEqual(['a', 'last']);
    expect(run('a\n12345', 'auto').texts()).toEqual(['a', '12345']);
    const octet = run('1 a5 hel', 'octet');
    expect(octet.texts()).toEqual(['a']);
    expect(octet.rejected('partial_frame')).toBe(1);
  });
});

describe('stream framer: max_message_bytes', () => {
  test('lf: truncate hands over the first max bytes flagged and skips the rest', () => {
    for (const chunks of splits('abcdefghij\nok\n')) {
      const sink = frame(chunks, 'lf', { max: 4 });
      expect(sink.messages.map((m) => [m.text, m.flags])).toEqual([['abcd', FLAG_TRUNCATED], ['ok', 0]]);
    }
  });

  test('lf: reject counts oversize and keeps the next message', () => {
    for (const chunks of splits('abcdefghij\nok\n')) {
      const sink = frame(chunks, 'lf', { max: 4, oversize: 'reject' });
      expect(sink.texts()).toEqual(['ok']);
      expect(sink.rejected('oversize')).toBe(1);
    }
  });

  test('lf: exactly max bytes (with CRLF) is not oversize', () => {
    for (const chunks of splits('abcd\r\nabcd\n')) {
      const sink = frame(chunks, 'lf', { max: 4 });
      expect(sink.messages.map((m) => [m.text, m.flags])).toEqual([['abcd', 0], ['abcd', 0]]);
    }
  });

  test('octet: truncate and reject', () => {
    for (const chunks of splits('10 abcdefghij2 ok')) {
      const t = frame(chunks, 'octet', { max: 4 });
      expect(t.messages.map((m) => [m.text, m.flags])).toEqual([['abcd', FLAG_TRUNCATED], ['ok', 0]]);
      const r = frame(chunks, 'octet', { max: 4, oversize: 'reject' });
      expect(r.texts()).toEqual(['ok']);
      expect(r.rejected('oversize')).toBe(1);
    }
  });

  test('a long line does not hold more than max+1 bytes', () => {
    const sink = new RecordingSink();
    const f = new StreamFramer({ framing: 'lf', maxMessageBytes: 100, oversize: 'truncate' }, sink, peer);
    for (let i = 0; i < 1000; i++) f.push(Buffer.alloc(1000, 0x61));
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0].text).toHaveLength(100);
    f.push(Buffer.from('\nnext\n'));
    expect(sink.texts().slice(1)).toEqual(['next']);
  });
});

describe('stream framer: zero copy', () => {
  test('a message inside one chunk is handed over as a view of that chunk', () => {
    const seen: Buffer[] = [];
    const sink = new RecordingSink();
    const orig = sink.message.bind(sink);
    sink.message = (p, buf, s, e, fl, m) => { seen.push(buf); orig(p, buf, s, e, fl, m); };
    const chunk = Buffer.from('<13>a\n5 hello');
    new StreamFramer({ framing: 'auto', maxMessageBytes: 100, oversize: 'truncate' }, sink, peer).push(chunk);
    expect(seen).toEqual([chunk, chunk]);
    expect(seen[0]).toBe(chunk);
  });
});

describe('stream framer: properties', () => {
  const chunking = (bytes: Uint8Array, cuts: number[]): Buffer[] => {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let prev = 0;
    for (const p of [...points, bytes.length]) { out.push(Buffer.from(bytes.subarray(prev, p))); prev = p; }
    return out;
  };

  test('any bytes, any chunking, any mode: never throws and holds at most max+1 bytes per message', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }),
      fc.constantFrom<Framing>('lf', 'octet', 'auto'), fc.constantFrom<OversizeAction>('truncate', 'reject'),
      (bytes, cuts, framing, oversize) => {
        const sink = frame(chunking(bytes, cuts), framing, { max: 16, oversize, end: true });
        for (const m of sink.messages) expect(Buffer.byteLength(m.text, 'utf8')).toBeLessThanOrEqual(16 * 3);
      }));
  });

  test('garbage, then LF, then a good message: the good message survives', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b).toString('latin1').replace(/[\n\0]/g, 'x'))
        .filter((g) => !/^[1-9][0-9]* /.test(g)), // not itself a valid octet-count header
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.constantFrom<Framing>('lf', 'octet', 'auto'),
      (garbage, cuts, framing) => {
        const good = framing === 'lf' ? '<13>good message\n' : '16 <13>good message';
        const bytes = Buffer.from(`${garbage}\n${good}`, 'latin1');
        const sink = frame(chunking(bytes, cuts), framing, { max: 1024 });
        expect(sink.texts()).toContain('<13>good message');
      }));
  });

  test('octet-framed messages survive any chunking (octet and auto)', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.constantFrom<Framing>('octet', 'auto'),
      (msgs, cuts, framing) => {
        const wire = Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from(`${m.length} `), Buffer.from(m)])));
        const sink = new RecordingSink();
        const got: Buffer[] = [];
        sink.message = (_p, buf, s, e) => { got.push(Buffer.from(buf.subarray(s, e))); };
        const f = new StreamFramer({ framing, maxMessageBytes: 1024, oversize: 'truncate' }, sink, peer);
        for (const c of chunking(wire, cuts)) f.push(c);
        // one trailing LF (or CRLF) counted in a frame is not part of the message (as rsyslog)
        const unterminated = (m: Uint8Array) => {
          let e = m.length;
          if (m[e - 1] === 10) { e--; if (e > 0 && m[e - 1] === 13) e--; }
          return Buffer.from(m.subarray(0, e)).toString('hex');
        };
        expect(got.map((b) => b.toString('hex'))).toEqual(msgs.map(unterminated));
        expect(sink.rejects).toEqual([]);
      }));
  });

  test('lf-framed messages survive any chunking', () => {
    fc.assert(fc.property(
      fc.array(fc.string({ minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\r\n\0]/g, '_')), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (msgs, cuts) => {
        const wire = Buffer.from(msgs.map((m) => `${m}\n`).join(''));
        const sink = frame(chunking(wire, cuts), 'lf', { max: 4096 });
        expect(sink.texts()).toEqual(msgs);
      }));
  });
});
