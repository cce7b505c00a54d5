import { parseJson, parseKv } from '../../../src/parse';

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
