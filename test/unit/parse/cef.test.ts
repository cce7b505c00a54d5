import { parseCef } from '../../../src/parse';

describe('parseCef: header', () => {
  it('reads the 7 header fields and keeps severity as written', () => {
    expect(parseCef('CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|Very-High|src=10.0.0.1')).toEqual({
      version: 0, deviceVendor: 'Security', deviceProduct: 'threatmanager', deviceVersion: '1.0',
      deviceEventClassId: '100', name: 'worm successfully stopped', severity: 'Very-High', extensions: { src: '10.0.0.1' },
    });
  });
  it.each([
    ['CEF:0|secu\\|rity|p|1|2|n|5|', 'deviceVendor', 'secu|rity'],
    ['CEF:0|secu\\\\rity|p|1|2|n|5|', 'deviceVendor', 'secu\\rity'],
    ['CEF:0|security\\\\\\||p|1|2|n|5|', 'deviceVendor', 'security\\|'],
    ['CEF:0|v|threatmanager\\\\|1|2|n|5|', 'deviceProduct', 'threatmanager\\'],
    ['CEF:0|v|p|1|2|keep \\n and \\= here|5|', 'name', 'keep \\n and \\= here'],
    ['CEF:0|v|a=b|1|2|n|5|', 'deviceProduct', 'a=b'],
    ['CEF:1|v|p|1|2|n|10', 'severity', '10'], // no closing pipe
    ['CEF:0|||1.0|100|n|10|', 'deviceVendor', ''],
  ])('%s', (text, field, value) => {
    expect((parseCef(text) as unknown as Record<string, unknown>)[field]).toBe(value);
  });
  it('finds CEF after a syslog header or any prefix', () => {
    expect(parseCef('<134>Sep 19 08:26:10 host CEF:0|V|P|1|2|N|5|a=b')?.extensions).toEqual({ a: 'b' });
    expect(parseCef('Syslogdate Sysloghost CEF:0|V|P|1|2|N|5|a=b')?.deviceVendor).toBe('V');
  });
  it.each(['', 'CEF', 'CEF:|a|b', 'CEF:x|a|b|c|d|e|f|', 'CEF:0|a|b|c', 'hello CEF: world'])('rejects %j', (t) => {
    expect(parseCef(t)).toBeUndefined();
  });
});

describe('parseCef: extensions', () => {
  const ext = (s: string): Record<string, string> | undefined => parseCef(`CEF:0|V|P|1|2|N|5|${s}`)?.extensions;
  it.each([
    ['src=10.0.0.1 dst=2.1.2.2 spt=1232', { src: '10.0.0.1', dst: '2.1.2.2', spt: '1232' }],
    [' src=1  dst=2  spt=3', { src: '1', dst: '2', spt: '3' }],
    ['msg=spaces in value act=blocked a \\= b', { msg: 'spaces in value', act: 'blocked a = b' }],
    ['msg=line1\\nline2\\rend', { msg: 'line1\nline2\rend' }],
    ['path=C:\\\\Windows\\\\x', { path: 'C:\\Windows\\x' }],
    ['moo=this\\|has a pipe', { moo: 'this\\|has a pipe' }],
    ['moo=this|has a pipe', { moo: 'this|has a pipe' }],
    ['moo=this \\has \\ backslashs\\', { moo: 'this \\has \\ backslashs\\' }],
    ['moo=this =has = equals\\=', { moo: 'this =has = equals=' }],
    ['request=https://x/?id=1&a=b dst=2.2.2.2', { request: 'https://x/?id=1&a=b', dst: '2.2.2.2' }],
    ['ua=Guid:test= cs1= cs1Label=Foo Bar', { ua: 'Guid:test=', cs1: '', cs1Label: 'Foo Bar' }],
    ['ad.field[0]=f0 ad.Error_,Code=32 x-y=1', { 'ad.field[0]': 'f0', 'ad.Error_,Code': '32', 'x-y': '1' }],
    ['src=1 trailing=spaces   ', { src: '1', trailing: 'spaces' }],
    ['target=aaaaaああああaaaa msg=x', { target: 'aaaaaああああaaaa', msg: 'x' }],
    ['not a pair at all', {}],
    ['', {}],
    ['a=1 a=2', { a: '2' }],
  ])('%s', (s, want) => {
    expect(ext(s)).toEqual(want);
  });
});
