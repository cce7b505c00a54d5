import { replaceFile, replaceFileSoon } from '../journal/atomic-file';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log';

/**
 * Hourly counters under data_dir/stats/ (one JSON file per UTC hour), so that a weekly report
 * covers the week across restarts. The gateway's counters are cumulative per process; the store
 * samples them and adds what changed since the last sample to the current hour. Keys are flat,
 * tab-separated: `input␉NAME␉received|rejected`, `source␉INPUT␉ADDRESS`,
 * `product␉PRODUCT␉CATEGORY␉OUTCOME␉ACTION`, `destination␉NAME␉delivered|dead_lettered|dropped`,
 * `host␉HOSTNAME`, `authfail␉SOURCE` (failed logins by source.ip or host). Two kinds are readings, not counts: `skew␉HOSTNAME` (the host's clock skew in
 * ms, latest wins) and `seen␉source…|host…` (epoch seconds when that sender or host last grew,
 * the largest wins), and `peak␉journal_bytes` (the journal's high-water mark, the largest wins):
 * they give "last heard", "clock skew" and "journal high-water mark" across restarts.
 * `unparsed␉INPUT␉ADDRESS` counts messages no parser recognised.
 * Files older than the retention are deleted when an hour ends and at start.
 */
export interface StatsStore {
  /** Takes the gateway's counters now and adds their growth to the current hour. */
  sample(now?: number): void;
  /** Writes the current hour's file (atomically); `soon`: off the main thread (replaceFileSoon). */
  flush(soon?: boolean): void;
  /** The hourly buckets in [fromMs, toMs), from disk and memory. */
  hours(fromMs: number, toMs: number): HourBucket[];
}

export interface HourBucket {
  /** ISO time of the hour's start, e.g. 2026-11-23T18:00:00.000Z. */
  hour: string;
  counts: Record<string, number>;
}

export interface StatsOptions {
  dir: string;
  retentionDays: number;
  /** The gateway's cumulative counters, by key. */
  snapshot: () => Map<string, number>;
}

const HOUR = 3_600_000;
/** Closed hours kept in memory: the dashboard's day and a report's, with room to spare. */
const CLOSED_CACHE_HOURS = 48;
const fileOf = (hourMs: number) => `${new Date(hourMs).toISOString().slice(0, 13).replace(/[-:]/g, '')}.json`; // 20261123T18.json

export function openStatsStore(o: StatsOptions): StatsStore {
  mkdirSync(o.dir, { recursive: true });
  let last = new Map<string, number>();
  let hourMs = Math.floor(Date.now() / HOUR) * HOUR;
  let bucket = load(hourMs);
  prune(Date.now());

  function load(h: number): Record<string, number> {
    const f = join(o.dir, fileOf(h));
    if (!existsSync(f)) return {};
    try {
      return (JSON.parse(readFileSync(f, 'utf8')) as HourBucket).counts ?? {};
    } catch (err) {
      log.warn(`stats: ${f} is unreadable (${(err as Error).message}); that hour starts again from 0`);
      return {};
    }
  }

  // An hour before the current one no longer changes (it was flushed when it ended): read once.
  // /api/status asks for the last 24 hours every time the dashboard polls.
  const closed = new Map<number, Record<string, number>>();
  function closedHour(h: number): Record<string, number> {
    let c = closed.get(h);
    if (c === undefined) {
      if (closed.size >= CLOSED_CACHE_HOURS) closed.clear();
      c = load(h);
      closed.set(h, c);
    }
    return c;
  }

  function flush(soon = false): void {
    const f = join(o.dir, fileOf(hourMs));
    const text = JSON.stringify({ hour: new Date(hourMs).toISOString(), counts: bucket } satisfies HourBucket);
    if (soon) {
      replaceFileSoon(f, text, (err) => log.error(`stats: cannot write ${f}: ${err.message}`));
      return;
    }
    try {
      replaceFile(f, text);
    } catch (err) {
      log.error(`stats: cannot write ${f}: ${(err as Error).message}`);
    }
  }

  function prune(now: number): void {
    const oldest = now - o.retentionDays * 24 * HOUR;
    for (const f of readdirSync(o.dir)) {
      const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)\.json$/.exec(f);
      if (m && Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4]) < oldest) {
        try { unlinkSync(join(o.dir, f)); } catch { /* gone already */ }
      }
    }
  }

  return {
    sample(now = Date.now()) {
      const h = Math.floor(now / HOUR) * HOUR;
      if (h !== hourMs) {
        // the hour that ended, written off the main thread after any earlier write of it, and
        // read from memory meanwhile (the closed-hour cache would otherwise read it from disk)
        flush(true);
        if (closed.size >= CLOSED_CACHE_HOURS) closed.clear();
        closed.set(hourMs, bucket);
        hourMs = h;
        bucket = load(h);
        prune(now);
      }
      const cur = o.snapshot();
      const nowS = Math.floor(now / 1000);
      for (const [k, v] of cur) {
        if (k.startsWith('skew\t')) {
          bucket[k] = v;
          continue;
        }
        if (k.startsWith('peak\t')) {
          bucket[k] = Math.max(bucket[k] ?? 0, v);
          continue;
        }
        const d = v - (last.get(k) ?? 0);
        if (d > 0) {
          bucket[k] = (bucket[k] ?? 0) + d;
          if (k.startsWith('source\t') || k.startsWith('host\t')) bucket[`seen\t${k}`] = nowS;
        }
      }
      last = cur;
    },
    flush,
    hours(fromMs, toMs) {
      const out: HourBucket[] = [];
      for (let h = Math.floor(fromMs / HOUR) * HOUR; h < toMs; h += HOUR) {
        const counts = h === hourMs ? bucket : h < hourMs ? closedHour(h) : load(h);
        if (Object.keys(counts).length > 0) out.push({ hour: new Date(h).toISOString(), counts: { ...counts } });
      }
      return out;
    },
  };
}

/** Sums buckets (in time order) into one set of counts; readings keep the latest or the largest. */
export function totalOf(buckets: HourBucket[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of buckets) {
    for (const [k, v] of Object.entries(b.counts)) {
      if (k.startsWith('seen\t') || k.startsWith('peak\t')) out[k] = Math.max(out[k] ?? 0, v);
      else if (k.startsWith('skew\t')) out[k] = v;
      else out[k] = (out[k] ?? 0) + v;
    }
  }
  return out;
}

/** The counts of a period by kind of key, senders and products sorted by events (most first). */
export interface StatsSummary {
  inputs: Record<string, Record<string, number>>;
  sources: Array<{ input: string; address: string; events: number; lastSeen?: number; unparsed?: number }>;
  /** The journal's largest size in the period, bytes. */
  journalPeakBytes: number;
  /** By the host name the messages carry; lastSeen in epoch seconds, skewMs their clock's. */
  hosts: Array<{ host: string; events: number; lastSeen?: number; skewMs?: number }>;
  /** Events per product, category and outcome (actions summed). */
  products: Array<{ product: string; category: string; outcome: string; events: number }>;
  /** Failed authentications by source.ip (or host), most first. */
  authFailures: Array<{ from: string; events: number }>;
  /** Events per category, outcome and action, all products (the security counts). */
  actions: Array<{ category: string; outcome: string; action: string; events: number }>;
  destinations: Record<string, Record<string, number>>;
}

export function summarize(t: Record<string, number>): StatsSummary {
  const out: StatsSummary = { inputs: {}, sources: [], hosts: [], products: [], actions: [], authFailures: [], destinations: {}, journalPeakBytes: t['peak\tjournal_bytes'] ?? 0 };
  const byProduct = new Map<string, number>();
  const byAction = new Map<string, number>();
  for (const [k, v] of Object.entries(t)) {
    const p = k.split('\t');
    if (p[0] === 'input') (out.inputs[p[1]] ??= {})[p[2]] = v;
    else if (p[0] === 'source') out.sources.push({ input: p[1], address: p[2], events: v, ...seen(t, k), ...(t[`unparsed\t${p[1]}\t${p[2]}`] ? { unparsed: t[`unparsed\t${p[1]}\t${p[2]}`] } : {}) });
    else if (p[0] === 'host') out.hosts.push({ host: p[1], events: v, ...seen(t, k), ...(t[`skew\t${p[1]}`] !== undefined ? { skewMs: t[`skew\t${p[1]}`] } : {}) });
    else if (p[0] === 'product') {
      const pk = `${p[1]}\t${p[2]}\t${p[3]}`;
      byProduct.set(pk, (byProduct.get(pk) ?? 0) + v);
      const ak = `${p[2]}\t${p[3]}\t${p[4] ?? ''}`;
      byAction.set(ak, (byAction.get(ak) ?? 0) + v);
    }
    else if (p[0] === 'authfail') out.authFailures.push({ from: p[1], events: v });
    else if (p[0] === 'destination') (out.destinations[p[1]] ??= {})[p[2]] = v;
  }
  for (const [k, events] of byProduct) {
    const [product, category, outcome] = k.split('\t');
    out.products.push({ product, category, outcome, events });
  }
  for (const [k, events] of byAction) {
    const [category, outcome, action] = k.split('\t');
    out.actions.push({ category, outcome, action, events });
  }
  out.actions.sort((a, b) => b.events - a.events);
  out.authFailures.sort((a, b) => b.events - a.events);
  out.sources.sort((a, b) => b.events - a.events);
  out.hosts.sort((a, b) => b.events - a.events);
  out.products.sort((a, b) => b.events - a.events);
  return out;
}

function seen(t: Record<string, number>, key: string): { lastSeen?: number } {
  const s = t[`seen\t${key}`];
  return s === undefined ? {} : { lastSeen: s };
}
