import { readCredential, TokenSet } from '../../../src/inputs/http-auth';

describe('http auth', () => {
  test('readCredential', () => {
    expect(readCredential(undefined)).toEqual({ kind: 'absent' });
    expect(readCredential('Bearer abc')).toEqual({ kind: 'token', scheme: 'bearer', token: 'abc' });
    expect(readCredential('splunk abc')).toEqual({ kind: 'token', scheme: 'splunk', token: 'abc' });
    const basic = `Basic ${Buffer.from('x:tok:with:colons').toString('base64')}`;
    expect(readCredential(basic)).toEqual({ kind: 'token', scheme: 'basic', token: 'tok:with:colons' });
    expect(readCredential(`Basic ${Buffer.from('nopassword').toString('base64')}`).kind).toBe('malformed');
    expect(readCredential('abc').kind).toBe('malformed');
    expect(readCredential('Digest a b').kind).toBe('malformed');
    expect(readCredential('Token abc')).toEqual({ kind: 'malformed', scheme: 'Token' });
  });

  test('TokenSet matches by value and returns the token name', () => {
    const set = new TokenSet([{ name: 'a', secret: 's1' }, { name: 'b', secret: 'a-much-longer-secret' }]);
    expect(set.match('s1')).toBe('a');
    expect(set.match('a-much-longer-secret')).toBe('b');
    expect(set.match('s')).toBeUndefined();
    expect(set.match('')).toBeUndefined();
    expect(new TokenSet([]).match('x')).toBeUndefined();
  });
});
