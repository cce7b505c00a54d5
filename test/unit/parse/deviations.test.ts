import { parseMessage } from '../../../src/parse';

/** Real-world header deviations found in the SC4S and vendor corpora (session 4). */
describe('tolerated header deviations', () => {
  const ctx = { timezone: 'UTC', now: Date.UTC(2026, 10, 23) };
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

  it('blanks before <PRI> (a relay\'s padding): read from the <, tagged; nothing after them stays unknown with the whole text', () => {
    const p = parseMessage('  <158>Jan 15 12:34:56 host prog: x', ctx);
    expect([p.format, p.hostname, p.appname, p.message]).toEqual(['rfc3164', 'host', 'prog', 'x']);
    expect(p.tags).toContain('leading_space');
    const u = parseMessage(' <', ctx);
    expect([u.format, u.message]).toEqual(['unknown', ' <']);
  });

  it('a year after the clock (Aruba, HPE): the year, not a host named 2024, also on the cached-hour path', () => {
    for (const line of ['<134>Jan 15 12:34:56 2024 aruba-1 prog: y', '<134>Jan 15 12:34:57 2024 aruba-1 prog: y']) {
      const p = parseMessage(line, ctx);
      expect([iso(p.timestamp), p.hostname, p.appname]).toEqual([line.includes(':56') ? '2024-01-15T12:34:56.000Z' : '2024-01-15T12:34:57.000Z', 'aruba-1', 'prog']);
      expect(p.tags ?? []).not.toContain('year_inferred');
    }
    expect(parseMessage('<134>Jan 15 12:34:58 2024x prog: z', ctx).hostname).toBe('2024x');
  });

  it('ISO stamps in an RFC 3164 header: a comma fraction (log4j) and a spaced offset; a space for the T is not a header there', () => {
    const a = parseMessage('<134>2024-01-15T12:34:56,123 ClearPass prog: z', ctx);
    expect([iso(a.timestamp), a.hostname, a.appname]).toEqual(['2024-01-15T12:34:56.123Z', 'ClearPass', 'prog']);
    const b = parseMessage('<134>2024-01-15T12:34:56.789 +0100 bar prog: q', ctx);
    expect([iso(b.timestamp), b.hostname]).toEqual(['2024-01-15T11:34:56.789Z', 'bar']);
    // Zscaler NSS: date, time, then tab-separated pairs; read as a header they would give a host "reason=Allowed"
    const z = parseMessage('2024-01-15 12:34:56\treason=Allowed\tvendor=Zscaler', ctx);
    expect(z.hostname).toBeUndefined();
  });

  it('RFC 5424 with a space for the T (SONiC): parsed, tagged timestamp_lenient', () => {
    const p = parseMessage('<134>1 2024-01-15 12:34:56 host app - - - w', ctx);
    expect([p.format, iso(p.timestamp), p.hostname, p.appname, p.message]).toEqual(['rfc5424', '2024-01-15T12:34:56.000Z', 'host', 'app', 'w']);
    expect(p.tags).toEqual(['timestamp_lenient']);
  });

  it('CEF: 0| (a space after the colon) is CEF', () => {
    const p = parseMessage('CEF: 0|Vendor|Prod|1|sig|name|5|src=1.2.3.4', ctx);
    expect([p.format, p.cef?.deviceVendor, p.cef?.extensions.src]).toEqual(['cef', 'Vendor', '1.2.3.4']);
  });
});
