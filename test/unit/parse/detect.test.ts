import { parseMessage } from '../../../src/parse';
import type { ParseContext } from '../../../src/parse';

const ctx: ParseContext = { timezone: 'UTC', now: Date.UTC(2026, 0, 10) };

describe('parseMessage: format and header detection', () => {
  it.each([
    ['<13>1 2026-01-05T10:00:00Z h a - - - hello', 'rfc5424', 'rfc5424'],
    ['<13>1 - h a - - - CEF:0|V|P|1|2|N|5|src=1', 'cef', 'rfc5424'],
    ['<13>1 - h a - - - LEEF:2.0|V|P|1|E|^|a=1^b=2', 'leef', 'rfc5424'],
    ['<13>1 - h a - - - {"a":1}', 'json', 'rfc5424'],
    ['<13>1 - h a - - - a=1 b=2', 'kv', 'rfc5424'],
    ['<13>Jan  5 10:00:00 host app: hello', 'rfc3164', 'rfc3164'],
    ['<134>Sep 19 08:26:10 host CEF:0|V|P|1|2|N|5|src=1', 'cef', 'rfc3164'],
    ['Sep 29 08:26:10 host CEF:1|Security|threatmanager|1.0|100|worm|10|src=10.0.0.1', 'cef', 'rfc3164'],
    ['<14>Jan  5 10:00:00 host suricata[1]: {"event_type":"alert"}', 'json', 'rfc3164'],
    ['Jan  3 13:45:36 192.168.5.1 id=firewall sn=000SERIAL msg="Connection Opened"', 'kv', 'rfc3164'],
    ['<111>1 2024-01-15T12:34:56+00:00 vwxyz-edcba LEEF:1.0|V|P|1|E|a=1\tb=2', 'leef', 'rfc3164'],
    ['<14>Jan  5 10:00:00 host app: prefix CEF:0|V|P|1|2|N|5|a=b', 'cef', 'rfc3164'],
    ['CEF:0|V|P|1|2|N|5|src=1', 'cef', 'none'],
    ['Syslogdate Sysloghost CEF:0|V|P|1|2|N|5|src=1', 'cef', 'none'],
    ['LEEF:1.0|V|P|1|E|a=1\tb=2', 'leef', 'none'],
    ['{"timestamp":"2018-10-03T14:42:44.836744+0000","event_type":"alert"}', 'json', 'none'],
    ['date=2020-04-23 time=12:32:48 devname="testswitch3"', 'kv', 'none'],
  ])('%s → %s / %s', (text, format, header) => {
    const p = parseMessage(text, ctx);
    expect(p.format).toBe(format);
    expect(p.header).toBe(header);
    expect(p.error).toBeUndefined();
  });

  it('keeps the header fields when the payload is CEF', () => {
    const p = parseMessage('<134>Sep 19 08:26:10 fw1 CEF:0|V|P|1|2|N|5|src=1', ctx);
    expect(p).toMatchObject({ pri: 134, hostname: 'fw1', message: 'CEF:0|V|P|1|2|N|5|src=1', cef: { deviceVendor: 'V', extensions: { src: '1' } } });
  });

  it.each([
    ['', 'empty message'],
    ['hello world', 'no syslog header'],
    ['sshd[123]: Accepted password', 'no syslog header'],
    ['{broken json', 'no syslog header'],
    ['CEF:nope', 'no syslog header'],
  ])('keeps what no parser accepts: %j', (text, why) => {
    const p = parseMessage(text, ctx);
    expect(p).toMatchObject({ format: 'unknown', header: 'none', message: text, tags: ['parse_error'] });
    expect(p.error).toContain(why);
  });

  it('a broken RFC 5424 still yields its PRI through the 3164 reader', () => {
    const p = parseMessage('<165>1 2003-10-11T22:14:15.003Z host app - ID [bad sd', ctx);
    expect(p.header).toBe('rfc3164');
    expect(p.pri).toBe(165);
    expect(p.tags).toContain('rfc5424_malformed');
  });

  it('every result has the same keys in the same order (one object shape)', () => {
    const keys = (t: string): string[] => Object.keys(parseMessage(t, ctx));
    const ref = keys('<13>1 - - - - - -');
    for (const t of ['<13>Jan  5 10:00:00 h a: x', 'CEF:0|V|P|1|2|N|5|a=b', 'x', '{"a":1}']) expect(keys(t)).toEqual(ref);
  });

  it('never throws, even on non-string input at the border', () => {
    expect(parseMessage(undefined as unknown as string, ctx).format).toBe('unknown');
    expect(parseMessage('<13>Jan  5 10:00:00 h a: x', undefined as unknown as ParseContext).format).toBe('unknown');
  });
});
