import type { AlertRule } from '../../src/config/types';
import { createCounterWindow, createGroupWindows, MAX_GROUP_CHARS, OTHER_GROUP } from '../../src/observe/alert-windows';
import { createAlertEngine, type AlertNotice, type AlertProbe } from '../../src/observe/alerts';
import { audit } from '../../src/observe/audit';
import { log } from '../../src/observe/log';

jest.mock('../../src/observe/audit', () => ({ audit: jest.fn() }));
const audited = audit as jest.MockedFunction<typeof audit>;

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function rule(r: Partial<AlertRule> & Pick<AlertRule, 'type'>): AlertRule {
  return { name: r.type, forS: 60, above: 0, windowS: 300, withinDays: 30, where: {}, throttleS: 0, to: [{ type: 'siem' }], ...r };
}

interface World {
  now: number;
  sources: Array<{ name: string; lastSeenMs: number | undefined; maxSilenceS: number }>;
  destinations: Array<{ name: string; state: 'up' | 'degraded' | 'down'; reason?: string }>;
  journal: number;
  dead: Record<string, number>;
  parse: { messages: number; failed: number };
  certs: Array<{ name: string; file: string; notAfterMs: number }>;
}

/** A gateway made of plain values, a fake clock, and every notice sent. */
function harness(rules: AlertRule[]) {
  const w: World = { now: T0, sources: [], destinations: [], journal: 0, dead: {}, parse: { messages: 0, failed: 0 }, certs: [] };
  const probe: AlertProbe = {
    now: () => w.now,
    startedAtMs: () => T0,
    expectedSources: () => w.sources,
    destinations: () => w.destinations,
    journalUsagePercent: () => w.journal,
    deadLettersTotal: () => w.dead,
    parseTotals: () => w.parse,
    certificates: () => w.certs,
  };
  const notices: AlertNotice[] = [];
  const engine = createAlertEngine(rules, probe, (r, n) => {
    expect(r.name).toBe(n.rule);
    notices.push(n);
  });
  /** Advances the clock by `s` seconds and evaluates after each one, as the gateway's 1 s timer does. */
  const run = (s: number) => {
    for (let i = 0; i < s; i++) {
      w.now += 1000;
      engine.evaluate();
    }
  };
  const brief = () => notices.map((n) => `${n.state} ${n.key}`);
  return { w, probe, engine, notices, run, brief };
}

beforeEach(() => audited.mockClear());

describe('source_silent', () => {
  it('fires once when a heard source is quiet longer than max_silence, resolves once when heard again', () => {
    const h = harness([rule({ type: 'source_silent', name: 'quiet' })]);
    h.w.sources = [{ name: 'fw', lastSeenMs: T0, maxSilenceS: 60 }, { name: 'dc', lastSeenMs: T0, maxSilenceS: 600 }];
    h.run(60);
    expect(h.notices).toEqual([]); // 60 s is not longer than 60 s
    h.run(30);
    expect(h.notices).toEqual([{
      rule: 'quiet', type: 'source_silent', key: 'fw', state: 'firing', since: iso(T0 + 61_000), at: iso(T0 + 61_000),
      summary: 'source fw silent for 61 s (limit 60 s)', value: 61, limit: 60, suppressed: 0,
    }]);
    h.w.sources[0].lastSeenMs = h.w.now;
    h.run(20);
    expect(h.brief()).toEqual(['firing fw', 'resolved fw']);
    expect(h.notices[1]).toMatchObject({ since: iso(T0 + 61_000), at: iso(T0 + 91_000), summary: 'source fw last heard 1 s ago (limit 60 s)', value: 1 });
  });

  it('counts a source never heard since the start as silent once max_silence has passed since the start', () => {
    const h = harness([rule({ type: 'source_silent' })]);
    h.w.sources = [{ name: 'pci-db', lastSeenMs: undefined, maxSilenceS: 300 }];
    h.run(300);
    expect(h.notices).toEqual([]);
    h.run(100);
    expect(h.brief()).toEqual(['firing pci-db']);
    expect(h.notices[0]).toMatchObject({ value: 301, limit: 300, summary: 'source pci-db not heard since the gateway started 5 min ago (limit 5 min)' });
  });
});

describe('destination_down', () => {
  it('says nothing for a destination down for less than `for`', () => {
    const h = harness([rule({ type: 'destination_down', forS: 60 })]);
    h.w.destinations = [{ name: 'splunk', state: 'down', reason: 'connection refused' }];
    h.run(59);
    h.w.destinations[0].state = 'degraded'; // the clock starts again after this
    h.run(1);
    h.w.destinations[0].state = 'down';
    h.run(59);
    expect(h.notices).toEqual([]);
  });

  it('fires once after `for` continuously down, with the reason; resolves once when not down', () => {
    const h = harness([rule({ type: 'destination_down', name: 'siem-down', forS: 60 })]);
    h.w.destinations = [{ name: 'splunk', state: 'down', reason: 'connection refused' }, { name: 'es', state: 'up' }];
    h.run(60); // first seen down at +1 s, so 59 s down so far
    expect(h.notices).toEqual([]);
    h.run(120);
    expect(h.notices).toEqual([{
      rule: 'siem-down', type: 'destination_down', key: 'splunk', state: 'firing', since: iso(T0 + 61_000), at: iso(T0 + 61_000),
      summary: 'destination splunk down for 60 s (limit 60 s): connection refused', value: 60, limit: 60, suppressed: 0,
    }]);
    h.w.destinations[0].state = 'degraded';
    h.run(10);
    expect(h.brief()).toEqual(['firing splunk', 'resolved splunk']);
    expect(h.notices[1]).toMatchObject({ summary: 'destination splunk is degraded', value: 0, at: iso(T0 + 181_000) });
  });

  it('watches only the named destination when one is given', () => {
    const h = harness([rule({ type: 'destination_down', forS: 0, destination: 'es' })]);
    h.w.destinations = [{ name: 'splunk', state: 'down' }, { name: 'es', state: 'up' }];
    h.run(5);
    expect(h.notices).toEqual([]);
    h.w.destinations[1].state = 'down';
    h.run(5);
    expect(h.brief()).toEqual(['firing es']);
  });

  it('resolves an alert about a destination that is no longer reported', () => {
    const h = harness([rule({ type: 'destination_down', forS: 0 })]);
    h.w.destinations = [{ name: 'old', state: 'down' }];
    h.run(2);
    h.w.destinations = [];
    h.run(2);
    expect(h.brief()).toEqual(['firing old', 'resolved old']);
  });
});

describe('journal_usage', () => {
  it('fires once above the percent, resolves once at or below it', () => {
    const h = harness([rule({ type: 'journal_usage', name: 'journal', above: 80 })]);
    h.w.journal = 80;
    h.run(3);
    expect(h.notices).toEqual([]);
    h.w.journal = 85.26;
    h.run(3);
    h.w.journal = 90;
    h.run(3);
    expect(h.notices).toEqual([{
      rule: 'journal', type: 'journal_usage', key: '', state: 'firing', since: iso(T0 + 4000), at: iso(T0 + 4000),
      summary: 'journal 85.3% full (limit 80%)', value: 85.26, limit: 80, suppressed: 0,
    }]);
    h.w.journal = 80;
    h.run(3);
    expect(h.brief()).toEqual(['firing ', 'resolved ']);
    expect(h.notices[1]).toMatchObject({ summary: 'journal 80% full (limit 80%)', value: 80, since: iso(T0 + 4000) });
  });
});

describe('dead_letters', () => {
  it('fires once per destination for more than `above` new dead letters within the window, resolves when they slide out', () => {
    const h = harness([rule({ type: 'dead_letters', name: 'dl', above: 5, windowS: 60 })]);
    h.w.dead = { splunk: 100, es: 7 }; // before the engine looked: not new
    h.run(1);
    h.w.dead = { splunk: 105, es: 7 };
    h.run(10);
    expect(h.notices).toEqual([]); // 5 is not more than 5
    h.w.dead = { splunk: 106, es: 9 };
    h.run(1);
    expect(h.notices).toEqual([{
      rule: 'dl', type: 'dead_letters', key: 'splunk', state: 'firing', since: iso(T0 + 12_000), at: iso(T0 + 12_000),
      summary: '6 dead letters for destination splunk in 60 s (limit 5)', value: 6, limit: 5, suppressed: 0,
    }]);
    // the 5 letters seen at +2 s leave the window at +62 s: one is left
    h.run(49);
    expect(h.brief()).toEqual(['firing splunk']);
    h.run(1);
    expect(h.brief()).toEqual(['firing splunk', 'resolved splunk']);
    expect(h.notices[1]).toMatchObject({ value: 1, summary: '1 dead letter for destination splunk in 60 s (limit 5)', at: iso(T0 + 62_000) });
    h.run(120);
    expect(h.notices).toHaveLength(2);
  });

  it('watches only the named destination when one is given', () => {
    const h = harness([rule({ type: 'dead_letters', above: 0, windowS: 60, destination: 'es' })]);
    h.w.dead = { splunk: 0, es: 0 };
    h.run(1);
    h.w.dead = { splunk: 50, es: 0 };
    h.run(5);
    expect(h.notices).toEqual([]);
    h.w.dead = { splunk: 50, es: 1 };
    h.run(5);
    expect(h.brief()).toEqual(['firing es']);
  });
});

describe('parse_failures', () => {
  it('fires once above the percent within the window, resolves once when the failures slide out', () => {
    const h = harness([rule({ type: 'parse_failures', name: 'unparsed', above: 10, windowS: 60 })]);
    h.run(1);
    h.w.parse = { messages: 100, failed: 20 };
    h.run(30);
    expect(h.notices).toEqual([{
      rule: 'unparsed', type: 'parse_failures', key: '', state: 'firing', since: iso(T0 + 2000), at: iso(T0 + 2000),
      summary: '20% of messages failed to parse in 60 s: 20 of 100 (limit 10%)', value: 20, limit: 10, suppressed: 0,
    }]);
    h.w.parse = { messages: 300, failed: 20 }; // 200 clean ones: 20 of 300 is 6.7 %
    h.run(1);
    expect(h.brief()).toEqual(['firing ', 'resolved ']);
    expect(h.notices[1]).toMatchObject({ value: 6.7, summary: '6.7% of messages failed to parse in 60 s: 20 of 300 (limit 10%)' });
    h.run(100);
    expect(h.notices).toHaveLength(2);
  });

  it('does not alert on fewer than 20 messages in the window, however many failed', () => {
    const h = harness([rule({ type: 'parse_failures', above: 10, windowS: 60 })]);
    h.run(1);
    h.w.parse = { messages: 19, failed: 19 };
    h.run(10);
    expect(h.notices).toEqual([]);
    h.w.parse = { messages: 20, failed: 19 };
    h.run(1);
    expect(h.brief()).toEqual(['firing ']);
  });
});

describe('cert_expiry', () => {
  it('fires once per certificate file expiring within within_days, says the days left, resolves once when renewed', () => {
    const h = harness([rule({ type: 'cert_expiry', name: 'certs', withinDays: 30 })]);
    h.w.certs = [
      { name: 'tls-in', file: '/etc/sg/in.pem', notAfterMs: T0 + 10.5 * DAY },
      { name: 'admin', file: '/etc/sg/admin.pem', notAfterMs: T0 + 31 * DAY },
      { name: 'tls-in-2', file: '/etc/sg/in.pem', notAfterMs: T0 + 10.5 * DAY }, // the same file twice: one alert
    ];
    h.run(5);
    expect(h.notices).toEqual([{
      rule: 'certs', type: 'cert_expiry', key: '/etc/sg/in.pem', state: 'firing', since: iso(T0 + 1000), at: iso(T0 + 1000),
      summary: 'certificate tls-in (/etc/sg/in.pem) expires in 10 days (limit 30 days)', value: 10, limit: 30, suppressed: 0,
    }]);
    h.w.certs[0].notAfterMs = T0 + 400 * DAY;
    h.w.certs.pop();
    h.run(5);
    expect(h.brief()).toEqual(['firing /etc/sg/in.pem', 'resolved /etc/sg/in.pem']);
    expect(h.notices[1]).toMatchObject({ value: 399, summary: 'certificate tls-in (/etc/sg/in.pem) expires in 399 days (limit 30 days)' });
  });

  it('takes the first of two entries naming one file, so they cannot fire and resolve each other', () => {
    const h = harness([rule({ type: 'cert_expiry', withinDays: 30 })]);
    h.w.certs = [{ name: 'in', file: '/c.pem', notAfterMs: T0 + DAY }, { name: 'in-reloaded', file: '/c.pem', notAfterMs: T0 + 90 * DAY }];
    h.run(3);
    expect(h.brief()).toEqual(['firing /c.pem']);
    expect(h.notices[0].summary).toContain('certificate in (/c.pem)');
  });

  it('says how long ago an expired certificate expired', () => {
    const h = harness([rule({ type: 'cert_expiry', withinDays: 0 })]);
    h.w.certs = [{ name: 'old', file: '/a.pem', notAfterMs: T0 - 3.2 * DAY }, { name: 'new', file: '/b.pem', notAfterMs: T0 - 3600_000 }];
    h.run(1);
    expect(h.notices.map((n) => [n.summary, n.value])).toEqual([
      ['certificate old (/a.pem) expired 3 days ago (limit 0 days)', -3],
      ['certificate new (/b.pem) expired less than a day ago (limit 0 days)', 0],
    ]);
  });
});

describe('threshold', () => {
  const failed = rule({ type: 'threshold', name: 'failed_logins', above: 20, windowS: 300, groupBy: 'source.ip', where: { 'event.outcome': ['failure'] } });

  it('counts each group separately and fires once per group over the limit', () => {
    // rule 1 is the threshold: counts are keyed by the index in the whole list
    const h = harness([rule({ type: 'journal_usage', above: 99 }), failed]);
    h.engine.addCounts({ '1\t203.0.113.9': 15, '1\t198.51.100.7': 15 }, T0);
    h.run(5);
    expect(h.notices).toEqual([]);
    h.engine.addCounts({ '1\t203.0.113.9': 12 }, h.w.now);
    h.run(5);
    h.engine.addCounts({ '1\t203.0.113.9': 1, '1\t198.51.100.7': 5 }, h.w.now);
    h.run(5); // 198.51.100.7 at 20: not more than 20
    expect(h.notices).toEqual([{
      rule: 'failed_logins', type: 'threshold', key: '203.0.113.9', state: 'firing', since: iso(T0 + 6000), at: iso(T0 + 6000),
      summary: 'failed logins for source.ip 203.0.113.9: 27 in 5 min (limit 20)', value: 27, limit: 20, suppressed: 0,
    }]);
  });

  it('slides: events older than the window drop out, and the group resolves at or below the limit', () => {
    const h = harness([failed]);
    h.engine.addCounts({ '0\tx': 15 }, T0); // in second T0
    h.run(100);
    h.engine.addCounts({ '0\tx': 10 }, h.w.now); // in second T0+100
    h.run(1);
    expect(h.brief()).toEqual(['firing x']);
    h.run(198); // at T0+299 s the first 15 still count
    expect(h.brief()).toEqual(['firing x']);
    h.run(1); // at T0+300 s they are out: 10
    expect(h.brief()).toEqual(['firing x', 'resolved x']);
    expect(h.notices[1]).toMatchObject({ value: 10, summary: 'failed logins for source.ip x: 10 in 5 min (limit 20)', at: iso(T0 + 300_000) });
    h.run(200); // the rest slide out too: nothing more to say
    expect(h.notices).toHaveLength(2);
  });

  it('without group_by keeps one count, keyed by the empty group; ignores counts of other rules and bad keys', () => {
    const h = harness([rule({ type: 'threshold', name: 'denied', above: 2, windowS: 10 }), rule({ type: 'journal_usage', above: 99 })]);
    h.engine.addCounts({ '0\t': 3, '1\t': 50, '7\tx': 50, 'junk': 50, '\tx': 50, '0\ty': -4 }, T0);
    h.run(1);
    expect(h.notices.map((n) => [n.key, n.value, n.summary])).toEqual([['', 3, 'denied: 3 in 10 s (limit 2)']]);
    h.run(10); // all slid out: the count says 0, as counts do
    expect(h.brief()).toEqual(['firing ', 'resolved ']);
    expect(h.notices[1]).toMatchObject({ value: 0, summary: 'denied: 0 in 10 s (limit 2)' });
  });

  it('keeps at most 10,000 groups per rule: new groups beyond count in (other), and the overflow is counted', () => {
    const h = harness([failed]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) counts[`0\t10.0.${i >> 8}.${i & 255}`] = 1;
    h.engine.addCounts(counts, T0);
    const more: Record<string, number> = { '0\t10.0.0.5': 30 }; // a known group still counts on its own
    for (let i = 0; i < 25; i++) more[`0\t192.0.2.${i}`] = 1;
    h.engine.addCounts(more, T0);
    h.run(1);
    expect(h.notices.map((n) => [n.key, n.value]).sort()).toEqual([['(other)', 25], ['10.0.0.5', 31]]);
    expect(h.engine.overflow()).toEqual({ failed_logins: 25 });
    // once the window has emptied, new groups have room again
    h.run(300);
    h.engine.addCounts({ '0\t192.0.2.1': 21 }, h.w.now);
    h.run(1);
    expect(h.notices.filter((n) => n.state === 'firing').map((n) => n.key)).toContain('192.0.2.1');
    expect(h.engine.overflow()).toEqual({ failed_logins: 25 });
  });
});

describe('throttle', () => {
  const flapping = () => harness([rule({ type: 'journal_usage', name: 'j', above: 80, throttleS: 600 })]);

  it('withholds a new episode within the throttle, and its resolve; the next notice sent says how many were withheld', () => {
    const h = flapping();
    h.w.journal = 90;
    h.run(1); // fired at +1 s: sent
    h.w.journal = 10;
    h.run(10); // resolved at +2 s: sent, though within the throttle (its fire was sent)
    h.w.journal = 90;
    h.run(10); // fires at +12 s: withheld
    h.w.journal = 10;
    h.run(10); // resolves: withheld with it
    expect(h.brief()).toEqual(['firing ', 'resolved ']);
    expect(h.notices.map((n) => n.suppressed)).toEqual([0, 0]);
    h.run(570); // +602 s: 600 s after the last notice sent
    h.w.journal = 95;
    h.run(1);
    expect(h.brief()).toEqual(['firing ', 'resolved ', 'firing ']);
    expect(h.notices[2]).toMatchObject({ suppressed: 1, since: iso(T0 + 602_000), value: 95 });
    expect(h.engine.states()[0]).toMatchObject({ state: 'firing', episodes: 3, lastNotifiedAt: iso(T0 + 602_000) });
  });

  it('tells of a withheld episode late when it is still firing after the throttle', () => {
    const h = flapping();
    h.w.journal = 90;
    h.run(1);
    h.w.journal = 10;
    h.run(1); // resolve sent at +2 s
    h.w.journal = 90;
    h.run(10); // fires at +3 s, withheld, and stays
    expect(h.notices).toHaveLength(2);
    h.run(589); // +601 s
    expect(h.notices).toHaveLength(2);
    h.run(1); // +602 s: 600 s after the last notice
    expect(h.notices[2]).toMatchObject({ state: 'firing', since: iso(T0 + 3000), at: iso(T0 + 602_000), suppressed: 0 });
    h.w.journal = 10;
    h.run(1);
    expect(h.brief()).toEqual(['firing ', 'resolved ', 'firing ', 'resolved ']);
  });

  it('throttles each key on its own', () => {
    const h = harness([rule({ type: 'destination_down', forS: 0, throttleS: 600 })]);
    h.w.destinations = [{ name: 'a', state: 'down' }, { name: 'b', state: 'up' }];
    h.run(1);
    h.w.destinations = [{ name: 'a', state: 'up' }, { name: 'b', state: 'down' }];
    h.run(1);
    expect(h.brief()).toEqual(['firing a', 'resolved a', 'firing b']);
  });
});

describe('audit trail', () => {
  it('records every episode start and end, notified or withheld', () => {
    const h = harness([rule({ type: 'journal_usage', name: 'j', above: 80, throttleS: 600 })]);
    for (const pct of [90, 10, 91, 11]) {
      h.w.journal = pct;
      h.run(1);
    }
    expect(audited.mock.calls).toEqual([
      ['alert_fired', { rule: 'j', key: '', value: 90, limit: 80, summary: 'journal 90% full (limit 80%)', notified: true }],
      ['alert_resolved', { rule: 'j', key: '', value: 10, limit: 80, summary: 'journal 10% full (limit 80%)', notified: true }],
      ['alert_fired', { rule: 'j', key: '', value: 91, limit: 80, summary: 'journal 91% full (limit 80%)', notified: false }],
      ['alert_resolved', { rule: 'j', key: '', value: 11, limit: 80, summary: 'journal 11% full (limit 80%)', notified: false }],
    ]);
  });
});

describe('states', () => {
  it('lists firing alerts first, then those resolved within 24 h, newest first, and forgets older ones', () => {
    const h = harness([rule({ type: 'destination_down', name: 'down', forS: 0 })]);
    h.w.destinations = [{ name: 'a', state: 'down' }, { name: 'b', state: 'up' }, { name: 'c', state: 'up' }];
    h.run(1);
    h.w.destinations[0].state = 'up';
    h.run(1); // a resolved at +2 s
    h.w.destinations[1].state = 'down';
    h.run(1); // b fires at +3 s
    h.w.destinations[2].state = 'down';
    h.run(1); // c fires at +4 s
    expect(h.engine.states()).toEqual([
      { rule: 'down', type: 'destination_down', key: 'c', state: 'firing', since: iso(T0 + 4000), value: 0, limit: 0, episodes: 1, lastNotifiedAt: iso(T0 + 4000) },
      { rule: 'down', type: 'destination_down', key: 'b', state: 'firing', since: iso(T0 + 3000), value: 1, limit: 0, episodes: 1, lastNotifiedAt: iso(T0 + 3000) },
      { rule: 'down', type: 'destination_down', key: 'a', state: 'ok', since: iso(T0 + 2000), value: 0, limit: 0, episodes: 1, lastNotifiedAt: iso(T0 + 2000) },
    ]);
    h.w.now += DAY - 3000; // a resolved just under 24 h ago
    h.engine.evaluate();
    expect(h.engine.states().map((s) => s.key)).toEqual(['c', 'b', 'a']);
    // at 24 h it is forgotten, not only hidden: a new episode then counts from 1 again
    h.w.destinations[0].state = 'down';
    h.w.now += 1000;
    h.engine.evaluate();
    expect(h.engine.states().map((s) => [s.key, s.episodes])).toEqual([['a', 1], ['c', 1], ['b', 1]]);
  });

  it('keeps at most 1,000 resolved alerts per rule, dropping the oldest', () => {
    const h = harness([rule({ type: 'threshold', name: 'scan', above: 0, windowS: 10, groupBy: 'source.ip' })]);
    h.engine.addCounts({ '0\tearly': 1 }, T0);
    h.run(5);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) counts[`0\t10.1.${i >> 8}.${i & 255}`] = 1;
    h.engine.addCounts(counts, h.w.now);
    h.run(10); // `early` resolved at +10 s, the others at +15 s
    expect(h.engine.states().filter((s) => s.state === 'ok')).toHaveLength(1001);
    h.run(1);
    const left = h.engine.states().map((s) => s.key);
    expect(left).toHaveLength(1000);
    expect(left).not.toContain('early');
  });
});

describe('failures', () => {
  it('never throws out of evaluate: a throwing getter skips its rule (open episodes stay open), logged once a minute at most', () => {
    const warn = jest.spyOn(log, 'warn').mockImplementation(() => log);
    try {
      const h = harness([rule({ type: 'destination_down', name: 'down', forS: 0 }), rule({ type: 'journal_usage', name: 'j', above: 50 })]);
      h.w.destinations = [{ name: 'a', state: 'down' }];
      h.run(1);
      h.probe.destinations = () => { throw new Error('status not ready'); };
      h.w.journal = 60;
      expect(() => h.run(60)).not.toThrow(); // +2 s .. +61 s
      expect(h.brief()).toEqual(['firing a', 'firing ']); // the journal rule still ran; `a` did not resolve
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain('alerts: down: cannot read the gateway\'s state (status not ready)');
      h.run(1); // +62 s: a minute after the first line
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1][0])).toContain('(59 more like this held back)');
      h.probe.now = () => { throw new Error('no clock'); };
      expect(() => h.engine.evaluate()).not.toThrow();
      expect(() => h.engine.states()).not.toThrow();
      expect(() => h.engine.addCounts({ '0\tx': 1 })).not.toThrow();
    } finally {
      warn.mockRestore();
    }
  });

  it('treats a value that is not a number as a failed read, not as a clear condition', () => {
    const warn = jest.spyOn(log, 'warn').mockImplementation(() => log);
    try {
      const h = harness([rule({ type: 'journal_usage', above: 50 })]);
      h.w.journal = 60;
      h.run(1);
      h.w.journal = NaN;
      h.run(5);
      expect(h.brief()).toEqual(['firing ']);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps going when notify throws', () => {
    const error = jest.spyOn(log, 'error').mockImplementation(() => log);
    try {
      let calls = 0;
      const probe = { now: () => T0, journalUsagePercent: () => 99 } as unknown as AlertProbe;
      const e = createAlertEngine([rule({ type: 'journal_usage', name: 'a', above: 1 }), rule({ type: 'journal_usage', name: 'b', above: 1 })], probe, () => {
        calls++;
        throw new Error('webhook down');
      });
      expect(() => e.evaluate()).not.toThrow();
      expect(calls).toBe(2);
      expect(error).toHaveBeenCalledTimes(2);
      expect(e.states().map((s) => [s.rule, s.state])).toEqual([['a', 'firing'], ['b', 'firing']]);
    } finally {
      error.mockRestore();
    }
  });
});

describe('windows', () => {
  it('counter window: growth within the window from cumulative totals; starts afresh when a total goes down', () => {
    const w = createCounterWindow(10_000);
    expect(w.push(0, [5])).toEqual([0]);
    expect(w.push(1000, [8])).toEqual([3]);
    expect(w.push(10_000, [9])).toEqual([4]);
    expect(w.push(11_000, [9])).toEqual([1]); // the sample at 0 s is a window old: 9 - 8
    expect(w.push(12_000, [2])).toEqual([0]); // restarted
    expect(w.push(13_000, [4])).toEqual([2]);
  });

  it('counter window: keeps a bounded number of samples for long windows', () => {
    const w = createCounterWindow(86_400_000); // a day: a sample kept every 288 s
    let total = 0;
    for (let t = 0; t < 2 * 86_400; t++) w.push(t * 1000, [++total]);
    // one day of growth (86,399 pushes in (1 d, 2 d]), give or take one sample spacing
    const [n] = w.push(2 * 86_400_000, [total]);
    expect(n).toBeGreaterThanOrEqual(86_399);
    expect(n).toBeLessThanOrEqual(86_399 + 288);
  });

  it('group windows: long group values are cut, so they cannot grow memory without bound', () => {
    const g = createGroupWindows(60, 2);
    g.add('x'.repeat(10_000), 1, 0);
    g.add('x'.repeat(MAX_GROUP_CHARS + 1), 1, 0);
    g.add('a', 1, 0);
    g.add('b', 4, 0);
    expect([...g.counts(0)]).toEqual([['x'.repeat(MAX_GROUP_CHARS), 2], ['a', 1], [OTHER_GROUP, 4]]);
    expect(g.overflow()).toBe(4);
  });
});
