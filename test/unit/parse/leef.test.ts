import { parseLeef } from '../../../src/parse';

describe('parseLeef', () => {
  it('LEEF 1.0 with TAB', () => {
    expect(parseLeef('LEEF:1.0|Vendor|Product|Version|EventID|src=192.0.2.0\tdst=172.50.123.1\tusrName=joe.black')).toEqual({
      version: '1.0', vendor: 'Vendor', product: 'Product', productVersion: 'Version', eventId: 'EventID', delimiter: '\t',
      attributes: { src: '192.0.2.0', dst: '172.50.123.1', usrName: 'joe.black' },
    });
  });
  it.each([
    ['^', '^'], ['0x5E', '^'], ['x5E', '^'], ['0x09', '\t'], ['x7C', '|'], ['', '\t'],
  ])('LEEF 2.0 delimiter field %j', (field, delim) => {
    const a = ['src=1', 'dst=2', 'msg=a b'].join(delim);
    const l = parseLeef(`LEEF:2.0|V|P|1|E|${field}|${a}`);
    expect(l?.delimiter).toBe(delim);
    expect(l?.attributes).toEqual({ src: '1', dst: '2', msg: 'a b' });
  });
  it('LEEF 2.0 without the delimiter field (attributes right after EventID)', () => {
    expect(parseLeef('LEEF:2.0|V|P|1|E|src=1\tdst=2')).toMatchObject({ delimiter: '\t', attributes: { src: '1', dst: '2' } });
  });
  it('LEEF 1.0 with `|` between attributes (PAN-OS template)', () => {
    expect(parseLeef('LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|8.1.8|allow|cat=TRAFFIC|devTime=Sep 03 2020 14:54:59 GMT|usrName=')).toMatchObject({
      delimiter: '|', attributes: { cat: 'TRAFFIC', devTime: 'Sep 03 2020 14:54:59 GMT', usrName: '' },
    });
  });
  it('LEEF 1.0 whose TABs became spaces', () => {
    expect(parseLeef('LEEF:1.0|V|P|1|E|src=1 dst=2 msg=hello world')).toMatchObject({ delimiter: ' ', attributes: { src: '1', dst: '2', msg: 'hello world' } });
  });
  it('after a syslog header', () => {
    expect(parseLeef('<111>Jan 15 12:34:56 host LEEF:1.0|V|P|1|E|a=1')?.attributes).toEqual({ a: '1' });
  });
  it.each(['', 'LEEF:', 'LEEF:1.0|a|b', 'LEEF:x|a|b|c|d|'])('rejects %j', (t) => {
    expect(parseLeef(t)).toBeUndefined();
  });
});
