import { createTallier, type EventFacts } from '../../../src/pipeline/event-tally';
import { createMapper } from '../../../src/mapping';
import { parseMessage } from '../../../src/parse';
import { processBatch } from '../../../src/pipeline/process-batch';

const mapper = createMapper();
const NOW = Date.UTC(2026, 10, 23, 21, 0, 0);

/** The facts processBatch gives the tally, for one raw line. */
function facts(line: string, peerIp = '192.0.2.1'): EventFacts {
  const p = parseMessage(line, { timezone: 'UTC', now: NOW });
  const m = mapper.map({ parsed: p, raw: line, input: 'tcp', peerIp, timezone: 'UTC', now: NOW });
  const c = m?.values[m.names.indexOf('event.category')];
  const authFailure = m?.values[m.names.indexOf('event.outcome')] === 'failure' && (Array.isArray(c) ? c.includes('authentication') : c === 'authentication');
  return { host: p.hostname, timestamp: p.timestamp, receivedAt: NOW, mapped: m, peerIp, appname: p.appname, authFailure, unparsed: p.format === 'unknown', input: 'tcp' };
}

const FAIL = (host: string, ip: string, sec = 0) => `<38>Nov 23 21:00:${String(sec).padStart(2, '0')} ${host} sshd[1]: Failed password for root from ${ip} port 4000 ssh2`;
const OK = (host: string) => `<38>Nov 23 20:58:00 ${host} sshd[2]: Accepted password for alice from 192.0.2.44 port 5000 ssh2`;

describe('event tally', () => {
  it('counts events per host (interleaved or in runs), keeps each host\'s latest clock skew, and failed logins by source', () => {
    const t = createTallier([]);
    for (const l of [FAIL('a', '203.0.113.9', 5), FAIL('a', '203.0.113.9', 6), FAIL('b', '203.0.113.7'), OK('a'), FAIL('a', '203.0.113.9', 1)]) t.event(facts(l));
    expect(t.take()).toEqual({
      hosts: { a: 4, b: 1 },
      skewMs: { a: 1000, b: 0 }, // the last timestamped event of each: a at 21:00:01, b at 21:00:00
      thresholds: {},
      authFailures: { '203.0.113.9': 3, '203.0.113.7': 1 },
      unparsed: {},
    });
    // take() starts afresh
    expect(t.take()).toBeUndefined();
    t.event(facts(OK('c')));
    expect(t.take()).toEqual({ hosts: { c: 1 }, skewMs: { c: -120_000 }, thresholds: {}, authFailures: {}, unparsed: {} });
  });

  it('counts events matching a threshold rule\'s where per group_by value, and one group without group_by', () => {
    const t = createTallier([
      { rule: 2, where: { 'event.category': ['authentication'], 'event.outcome': ['failure'] }, groupBy: 'source.ip' },
      { rule: 5, where: { 'host.name': ['a', 'b'] } },
      { rule: 7, where: { 'event.outcome': ['success'] }, groupBy: 'user.name' },
    ]);
    for (const l of [FAIL('a', '203.0.113.9'), FAIL('b', '203.0.113.9'), FAIL('b', '198.51.100.3'), OK('a'), OK('z')]) t.event(facts(l));
    expect(t.take()?.thresholds).toEqual({
      '2\t203.0.113.9': 2, '2\t198.51.100.3': 1,
      '5\t': 4, // OK('z') is from host z
      '7\talice': 2,
    });
  });

  it('is what processBatch fills in, per batch', () => {
    const lines = [FAIL('a', '203.0.113.9'), FAIL('a', '203.0.113.9'), 'not syslog at all'];
    const data = Buffer.from(lines.join(''));
    let o = 0;
    const ends = Uint32Array.from(lines.map((l) => (o += Buffer.byteLength(l))));
    const done = processBatch({ seq: 1, receivedAt: NOW, count: 3, data, ends, flags: new Uint8Array(3), peerIndex: new Uint16Array(3), peers: ['tcp', 'tcp', '192.0.2.1', 1] },
      {}, mapper, createTallier([{ rule: 0, where: { 'event.outcome': ['failure'] }, groupBy: 'source.ip' }]));
    expect(done.tally).toEqual({ hosts: { a: 2 }, skewMs: { a: 0 }, thresholds: { '0\t203.0.113.9': 2 }, authFailures: { '203.0.113.9': 2 }, unparsed: { 'tcp\t192.0.2.1': 1 } });
  });
});
