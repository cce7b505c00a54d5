import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStatsStore, summarize, totalOf } from '../../../src/observe/stats-store';

const H = 3_600_000;

describe('stats store', () => {
  it('adds the growth of cumulative counters to the current hour, rolls over hours, and survives a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-stats-'));
    let counters = new Map<string, number>();
    const open = () => openStatsStore({ dir, retentionDays: 35, snapshot: () => new Map(counters) });
    const t0 = Math.floor(Date.now() / H) * H;
    let s = open();
    counters = new Map([['input\tfw\treceived', 10], ['source\tfw\t10.0.0.1', 10]]);
    s.sample(t0 + 1000);
    counters.set('input\tfw\treceived', 15); // 5 more
    s.sample(t0 + 2000);
    s.flush();
    // a sender that grew is stamped "seen" (epoch seconds) at the sample
    expect(totalOf(s.hours(t0, t0 + H))).toEqual({ 'input\tfw\treceived': 15, 'source\tfw\t10.0.0.1': 10, 'seen\tsource\tfw\t10.0.0.1': Math.floor((t0 + 1000) / 1000) });
    // a restart: the process's counters start from 0 again; the hour's file goes on
    counters = new Map([['input\tfw\treceived', 4]]);
    s = open();
    s.sample(t0 + 3000);
    expect(totalOf(s.hours(t0, t0 + H))['input\tfw\treceived']).toBe(19);
    // the next hour: a new bucket; the first is on disk
    counters.set('input\tfw\treceived', 7);
    s.sample(t0 + H + 10);
    s.flush();
    const hours = s.hours(t0, t0 + 2 * H);
    expect(hours.map((b) => b.counts['input\tfw\treceived'])).toEqual([19, 3]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('keeps readings apart from counts: "seen" takes the latest stamp, skew the latest value, across hours', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-stats-'));
    let counters = new Map<string, number>();
    const s = openStatsStore({ dir, retentionDays: 35, snapshot: () => new Map(counters) });
    const t0 = Math.floor(Date.now() / H) * H;
    counters = new Map([['host\tfw-a', 3], ['skew\tfw-a', -120_000]]);
    s.sample(t0 + 5000);
    counters = new Map([['host\tfw-a', 3], ['skew\tfw-a', 2_000]]); // no growth: seen stays
    s.sample(t0 + 9000);
    expect(totalOf(s.hours(t0, t0 + H))).toEqual({ 'host\tfw-a': 3, 'seen\thost\tfw-a': Math.floor((t0 + 5000) / 1000), 'skew\tfw-a': 2_000 });
    counters = new Map([['host\tfw-a', 5], ['skew\tfw-a', 500]]);
    s.sample(t0 + H + 7000);
    const sum = summarize(totalOf(s.hours(t0, t0 + 2 * H)));
    expect(sum.hosts).toEqual([{ host: 'fw-a', events: 5, lastSeen: Math.floor((t0 + H + 7000) / 1000), skewMs: 500 }]);
  });

  it('deletes hours older than the retention', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-stats-'));
    const old = join(dir, '20200101T00.json');
    writeFileSync(old, JSON.stringify({ hour: '2020-01-01T00:00:00.000Z', counts: { a: 1 } }));
    openStatsStore({ dir, retentionDays: 35, snapshot: () => new Map() });
    expect(existsSync(old)).toBe(false);
  });
});
