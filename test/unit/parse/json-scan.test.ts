import { findJsonError, jsonErrorReason, lineColumn, scanArrayElements, scanValueEnd } from '../../../src/parse/json-scan';

describe('json scan', () => {
  test.each([
    ['{"a":"}"}{"b":1}', 0, 9],
    ['[1,[2,{"x":"]"}]] tail', 0, 17],
    ['"a\\"b" x', 0, 6],
    ['123,', 0, 3],
    ['{"a":', 0, -1],
    ['"open', 0, -1],
  ])('scanValueEnd(%j)', (text, pos, end) => {
    expect(scanValueEnd(Buffer.from(text), pos)).toBe(end);
  });

  test('multibyte UTF-8 does not confuse the scan', () => {
    const buf = Buffer.from('{"é":"→}"}{"b":1}');
    const end = scanValueEnd(buf, 0);
    expect(buf.toString('utf8', 0, end)).toBe('{"é":"→}"}');
  });

  test('scanArrayElements', () => {
    const buf = Buffer.from('[ {"a":1} , 2,"x" ]');
    const { ranges, complete } = scanArrayElements(buf, 0);
    expect(complete).toBe(true);
    expect(ranges.map(([s, e]) => buf.toString('utf8', s, e))).toEqual(['{"a":1}', '2', '"x"']);
    expect(scanArrayElements(Buffer.from('[1 2]'), 0).complete).toBe(false);
  });

  test.each([
    ['{"a":1}', undefined],
    ['[1, -2.5e3, true, null, "\\u00e9"]', undefined],
    ['{"a":}', [5, 'unexpected character "}"']],
    ['{"a" 1}', [5, "expected ':' after the property name"]],
    ['{"a":1,}', [7, 'expected a double-quoted property name']],
    ['{"a":1', [6, 'unexpected end of input']],
    ['[1 2]', [3, "expected ',' or ']'"]],
    ['{"a":1} x', [8, 'unexpected data after the JSON value']],
    ['"tab\there"', [4, 'control character in string (escape it)']],
    ['"\\x"', [2, 'bad escape in string']],
  ] as const)('findJsonError(%j)', (text, expected) => {
    const got = findJsonError(text);
    expect(got === undefined ? undefined : [got.pos, got.reason]).toEqual(expected);
    // Agrees with JSON.parse on validity.
    let valid = true;
    try { JSON.parse(text); } catch { valid = false; }
    expect(got === undefined).toBe(valid);
  });

  test('lineColumn and a reason that never echoes the input', () => {
    expect(lineColumn('ab\ncd\nef', 7)).toEqual({ line: 3, column: 2 });
    let msg = '';
    try { JSON.parse('{"secret": nope}'); } catch (e) { msg = (e as Error).message; }
    expect(jsonErrorReason(msg)).not.toContain('secret');
  });
});
