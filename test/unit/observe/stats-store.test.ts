import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStatsStore, totalOf } from '../../../src/observe/stats-store';

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
    expect(totalOf(s.hours(t0, t0 + H))).toEqual({ 'input\tfw\treceived': 15, 'source\tfw\t10.0.0.1': 10 });
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

  it('deletes hours older than the retention', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-stats-'));
    const old = join(dir, '20200101T00.json');
    writeFileSync(old, JSON.stringify({ hour: '2020-01-01T00:00:00.000Z', counts: { a: 1 } }));
    openStatsStore({ dir, retentionDays: 35, snapshot: () => new Map() });
    expect(existsSync(old)).toBe(false);
  });
});
