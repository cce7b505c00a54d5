import { parseRfc3164 } from '../../../src/parse';
import type { ParseContext } from '../../../src/parse';
import { inferYearMs } from '../../../src/parse/timestamp';

const now = Date.UTC(2026, 0, 10, 12, 0, 0); // 2026-01-10
const ctx: ParseContext = { timezone: 'UTC', now };

describe('parseRfc3164: header forms seen in the wild', () => {
  it.each([
    ['<34>Oct 11 22:14:15 mymachine su: \'su root\' failed', { pri: 34, hostname: 'mymachine', appname: 'su', procid: undefined, message: '\'su root\' failed', timestamp: Date.UTC(2025, 9, 11, 22, 14, 15) }],
    ['<13>Feb  5 17:32:18 sshd[123]: Accepted', { hostname: undefined, appname: 'sshd', procid: '123', message: 'Accepted', timestamp: Date.UTC(2026, 1, 5, 17, 32, 18) }],
    ['<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!', { hostname: '10.0.0.99', appname: undefined, message: 'Use the BFG!' }],
    ['<38>Jan  5 01:02:03 host sshd(pam_unix)[31738]: session closed', { appname: 'sshd(pam_unix)', procid: '31738' }],
    ['<175>Oct 16 2009 23:47:31 hostname tag[1234] This is a message', { timestamp: Date.UTC(2009, 9, 16, 23, 47, 31), hostname: 'hostname', appname: 'tag', procid: '1234', message: 'This is a message' }],
    ['<38>Mar 7 2008 19:06:53: example tag: testmessage', { timestamp: Date.UTC(2008, 2, 7, 19, 6, 53), hostname: 'example', appname: 'tag' }],
    ['<38> Mar  7 19:06:53 example tag: x', { pri: 38, hostname: 'example' }],
    ['<6>AUG 10 22:18:24 host tag: x', { timestamp: Date.UTC(2025, 7, 10, 22, 18, 24) }],
    ['<14>Jan  5 10:11:12.345 host app: msg', { timestamp: Date.UTC(2026, 0, 5, 10, 11, 12, 345), timestampMicros: undefined }],
    ['<14>2026-01-05T10:11:12.345+01:00 host app: msg', { timestamp: Date.UTC(2026, 0, 5, 9, 11, 12, 345), hostname: 'host', appname: 'app', message: 'msg' }],
    ['<14>2010-08-30T23:00:05Z X4711', { hostname: 'X4711', message: '' }],
    ['Dec 13 11:35:28 a-mac GoogleSoftwareUpdateAgent[21412]: 2016-12-13 text', { pri: undefined, hostname: 'a-mac', appname: 'GoogleSoftwareUpdateAgent', procid: '21412' }],
    ['2018-08-14T14:30:02.203151+02:00 linux-sqrz systemd[4179]: Stopped', { pri: undefined, timestamp: Date.UTC(2018, 7, 14, 12, 30, 2, 203), timestampMicros: 151, hostname: 'linux-sqrz' }],
    ['<14>Jan  1 00:00:00 host sudo:     user2 : TTY=pts/0', { appname: 'sudo', message: 'user2 : TTY=pts/0' }],
  ])('%s', (text, want) => {
    expect(parseRfc3164(text, ctx)).toMatchObject({ format: 'rfc3164', header: 'rfc3164', ...want });
  });
});

describe('parseRfc3164: Cisco', () => {
  it.each([
    ['<166>Jan 05 2026 10:11:12: %ASA-6-302013: Built outbound TCP', { timestamp: Date.UTC(2026, 0, 5, 10, 11, 12), hostname: undefined, appname: '%ASA-6-302013', message: 'Built outbound TCP' }],
    ['<166>Jan 05 2026 10:11:12 asa-1 : %ASA-6-302013: Built', { hostname: 'asa-1', appname: '%ASA-6-302013', message: 'Built' }],
    ['<166>2018-06-27T12:17:46Z asa : %ASA-6-110002: Failed', { timestamp: Date.UTC(2018, 5, 27, 12, 17, 46), hostname: 'asa', appname: '%ASA-6-110002' }],
    ['<166>May 01 2026 09:24:32Z  %FTD-6-113005: AAA user', { timestamp: Date.UTC(2026, 4, 1, 9, 24, 32), hostname: undefined, appname: '%FTD-6-113005', message: 'AAA user' }],
    ['<189>123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console', { timestamp: Date.UTC(2025, 2, 1, 18, 46, 11, 123), hostname: undefined, appname: '%SYS-5-CONFIG_I', message: 'Configured from console' }],
    ['<189>124: .Mar  1 18:46:12: %SYS-5-CONFIG_I: x', { timestamp: Date.UTC(2025, 2, 1, 18, 46, 12), appname: '%SYS-5-CONFIG_I' }],
    ['<189>Oct 16 07:41:48 foo.example.gov 157475316: *Oct 16 2024 07:39:09.425 UTC: %AUTHMGR-5-SECURITY_VIOLATION: Security violation', { timestamp: Date.UTC(2024, 9, 16, 7, 39, 9, 425), hostname: 'foo.example.gov', appname: '%AUTHMGR-5-SECURITY_VIOLATION', message: 'Security violation' }],
    // `logging origin-id hostname`: sequence, host, then the device stamp, no relay header
    ['<166>20: fw01: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured from console by vty0', { timestamp: Date.UTC(2025, 2, 1, 18, 48, 50, 483), hostname: 'fw01', appname: '%SYS-5-CONFIG_I', message: 'Configured from console by vty0' }],
    // `clock timezone` names in lower case (corpus cisco_ios): a zone, not a tag, when `: %TAG` follows
    ['<189>2345: Jan  9 10:00:00.123 utc: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up', { timestamp: Date.UTC(2026, 0, 9, 10, 0, 0, 123), appname: '%LINK-3-UPDOWN', message: 'Interface Gi0/1, changed state to up' }],
    ['3924923: *Oct  6 03:32:04.114 gmt: %SEC-6-IPACCESSLOGP: list bcv_out denied tcp', { timestamp: Date.UTC(2025, 9, 6, 3, 32, 4, 114), appname: '%SEC-6-IPACCESSLOGP', message: 'list bcv_out denied tcp' }],
    ['3924923: *Oct 6 03:32:04 mng: %SEC-6-IPACCESSLOGP: list 1111 denied', { appname: '%SEC-6-IPACCESSLOGP', message: 'list 1111 denied' }],
    // elsewhere a lower-case word after the clock is a host or a tag, as before
    ['<13>Jan  9 10:00:00 core: something happened', { hostname: undefined, appname: 'core', message: 'something happened' }],
    ['<13>Jan  9 10:00:00 abc def: x', { hostname: 'abc', appname: 'def', message: 'x' }],
    ['<190>nxos-1: 2017 Jul 28 14:42:46 UTC: %AUTHPRIV-6-SYSTEM_MSG: login', { timestamp: Date.UTC(2017, 6, 28, 14, 42, 46), hostname: 'nxos-1', appname: '%AUTHPRIV-6-SYSTEM_MSG', message: 'login' }],
  ])('%s', (text, want) => {
    expect(parseRfc3164(text, ctx)).toMatchObject(want);
  });
});

describe('parseRfc3164: year and zone inference', () => {
  it.each([
    // now = 2026-01-10: Dec 31 would be ~1 year ahead ⇒ 2025; Jan 9 ⇒ 2026; Feb 5 (26 days ahead) ⇒ 2026
    ['Dec 31 23:59:59', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['Jan  9 10:00:00', Date.UTC(2026, 0, 9, 10, 0, 0)],
    ['Feb  5 00:00:00', Date.UTC(2026, 1, 5)],
    ['Mar  1 00:00:00', Date.UTC(2025, 2, 1)],
  ])('%s with now=2026-01-10', (stamp, ms) => {
    const p = parseRfc3164(`<13>${stamp} host app: x`, ctx);
    expect(p?.timestamp).toBe(ms);
    expect(p?.tags).toContain('year_inferred');
  });

  it('New Year rollover: a Dec 31 message received on Jan 1 is last year', () => {
    const p = parseRfc3164('<13>Dec 31 23:59:58 host app: x', { timezone: 'UTC', now: Date.UTC(2027, 0, 1, 0, 0, 3) });
    expect(p?.timestamp).toBe(Date.UTC(2026, 11, 31, 23, 59, 58));
  });

  it.each([
    ['Europe/Berlin', 'Jan 15 12:00:00', Date.UTC(2026, 0, 15, 11, 0, 0)],
    ['Europe/Berlin', 'Jul 15 12:00:00', Date.UTC(2025, 6, 15, 10, 0, 0)],
    ['America/New_York', 'Jan 15 12:00:00', Date.UTC(2026, 0, 15, 17, 0, 0)],
    ['Asia/Kolkata', 'Jan 15 12:00:00', Date.UTC(2026, 0, 15, 6, 30, 0)],
    ['UTC', 'Jan 15 12:00:00', Date.UTC(2026, 0, 15, 12, 0, 0)],
    ['No/Such_Zone', 'Jan 15 12:00:00', Date.UTC(2026, 0, 15, 12, 0, 0)], // unknown zone read as UTC
  ])('zone %s: %s', (timezone, stamp, ms) => {
    expect(parseRfc3164(`<13>${stamp} host app: x`, { timezone, now })?.timestamp).toBe(ms);
  });

  it('a stamp with `UTC` or `Z` ignores ctx.timezone', () => {
    const c = { timezone: 'Europe/Berlin', now };
    expect(parseRfc3164('<13>Jan 05 2026 10:11:12 UTC: %ASA-6-1: x', c)?.timestamp).toBe(Date.UTC(2026, 0, 5, 10, 11, 12));
    expect(parseRfc3164('<13>Jan 05 2026 10:11:12Z %ASA-6-1: x', c)?.timestamp).toBe(Date.UTC(2026, 0, 5, 10, 11, 12));
  });
});

describe('parseRfc3164: what it is not', () => {
  it('no PRI and no stamp ⇒ undefined', () => {
    expect(parseRfc3164('sshd[1]: hello', ctx)).toBeUndefined();
    expect(parseRfc3164('', ctx)).toBeUndefined();
  });
  it('PRI without a stamp keeps the PRI and reads the tag', () => {
    expect(parseRfc3164('<13>sshd[1]: hello', ctx)).toMatchObject({ pri: 13, timestamp: undefined, appname: 'sshd', procid: '1', message: 'hello' });
  });
  it('no PRI is not invented', () => {
    expect(parseRfc3164('Feb 18 16:01:59 serverX -- MARK --', ctx)?.pri).toBeUndefined();
  });
});

describe('parseRfc3164: cached BSD stamp prefix and year inference', () => {
  // The `Mmm dd hh:` text and the per-hour inference are cached across calls; every stamp must
  // still read as inferYearMs computes it from scratch, in any order and at DST/rollover edges.
  const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const cases: Array<[number, number, number, number, number, string]> = [];
  for (const [mo, d] of [[1, 10], [3, 29], [3, 30], [10, 25], [10, 26], [12, 31], [2, 10], [2, 29]]) {
    for (const h of [0, 1, 2, 3, 23]) {
      for (const [mi, s, ms] of [[0, 0, 0], [30, 5, 250], [59, 59, 999], [59, 60, 0], [0, 1, 0]]) {
        cases.push([mo, d, h, mi, s, ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`]);
      }
    }
  }
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'])('zone %s', (timezone) => {
    for (const nowMs of [now, Date.UTC(2026, 11, 31, 23, 30), Date.UTC(2026, 1, 9, 0, 10)]) {
      const c: ParseContext = { timezone, now: nowMs };
      // twice over, so the second pass reads from warm caches
      for (let pass = 0; pass < 2; pass++) {
        for (const [mo, d, h, mi, s, frac] of cases) {
          const day = d < 10 ? ` ${d}` : String(d);
          const p = parseRfc3164(`<13>${MON[mo - 1]} ${day} ${p2(h)}:${p2(mi)}:${p2(s)}${frac} host app: x`, c);
          const msOfDay = ((h * 60 + mi) * 60 + Math.min(s, 59)) * 1000 + (frac === '' ? 0 : Number(frac.slice(1)));
          expect(p?.timestamp).toBe(inferYearMs(mo, d, msOfDay, timezone, nowMs));
        }
      }
    }
  });
  it('a stamp with a zone after a cached prefix', () => {
    parseRfc3164('<13>Jan  5 10:11:12 host app: x', ctx);
    expect(parseRfc3164('<13>Jan  5 10:12:13 UTC: %SYS-5-CONFIG_I: x', { timezone: 'Europe/Berlin', now })?.timestamp)
      .toBe(Date.UTC(2026, 0, 5, 10, 12, 13));
    expect(parseRfc3164('<13>Jan  5 10:12:13 host app: x', { timezone: 'Europe/Berlin', now })?.timestamp)
      .toBe(Date.UTC(2026, 0, 5, 9, 12, 13));
    expect(parseRfc3164('<13>Jan  5 10:1 host app: x', ctx)?.timestamp).toBeUndefined();
  });
});
