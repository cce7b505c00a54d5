/**
 * The sliding windows the alert engine counts in, with fixed memory bounds (alerts.ts):
 * - a counter window turns cumulative totals (dead letters, parsed/failed messages), sampled on
 *   each evaluation, into what they grew by within the window;
 * - group windows count threshold events per group value in one-second buckets.
 */

/** Samples kept per counter window; beyond ~5 min windows the samples are spaced wider than 1 s. */
const MAX_SAMPLES = 300;

export interface CounterWindow {
  /** Records the totals at nowMs and returns how much each grew within the window ending now. */
  push(nowMs: number, totals: readonly number[]): number[];
}

export function createCounterWindow(windowMs: number): CounterWindow {
  const spacingMs = Math.max(1000, windowMs / MAX_SAMPLES);
  let samples: Array<{ t: number; v: number[] }> = [];
  return {
    push(nowMs, totals) {
      const last = samples[samples.length - 1];
      // a total that went down was restarted (a destination recreated): start counting afresh
      if (last !== undefined && (last.v.length !== totals.length || totals.some((v, j) => v < last.v[j]))) samples = [];
      const newest = samples[samples.length - 1];
      if (newest === undefined || nowMs - newest.t >= spacingMs) samples.push({ t: nowMs, v: totals.slice() });
      // the baseline is the newest sample at least a window old; older ones are no longer needed.
      // Until the window has passed once, the first sample is the baseline (what grew since we began).
      let b = 0;
      while (b + 1 < samples.length && samples[b + 1].t <= nowMs - windowMs) b++;
      if (b > 0) samples.splice(0, b);
      const base = samples[0].v;
      return totals.map((v, j) => v - base[j]);
    },
  };
}

/** The group that counts the events of new groups once a rule has MAX_GROUPS of them. */
export const OTHER_GROUP = '(other)';
export const MAX_GROUPS = 10_000;
/** Group values come from events (a user name, a URL): longer ones are cut so 10,000 stay small. */
export const MAX_GROUP_CHARS = 256;
/** Buckets per group: one second each for windows up to 5 min, wider beyond, so a group stays small. */
const MAX_BUCKETS = 300;

export interface GroupWindows {
  add(group: string, n: number, atMs: number): void;
  /** Each group's count within the window ending at nowMs; groups left with nothing are forgotten. */
  counts(nowMs: number): Map<string, number>;
  /** Events counted in OTHER_GROUP because the cap was reached, since the start. */
  overflow(): number;
}

interface Buckets { at: number[]; n: number[]; total: number }

export function createGroupWindows(windowS: number, maxGroups = MAX_GROUPS): GroupWindows {
  const widthMs = 1000 * Math.max(1, Math.ceil(windowS / MAX_BUCKETS));
  const span = Math.max(1, Math.ceil((windowS * 1000) / widthMs));
  const groups = new Map<string, Buckets>();
  let overflow = 0;
  return {
    add(group, n, atMs) {
      if (!(n > 0) || !Number.isFinite(n) || !Number.isFinite(atMs)) return;
      let key = group.length > MAX_GROUP_CHARS ? group.slice(0, MAX_GROUP_CHARS) : group;
      let g = groups.get(key);
      if (g === undefined) {
        if (groups.size - (groups.has(OTHER_GROUP) ? 1 : 0) >= maxGroups) {
          overflow += n;
          key = OTHER_GROUP;
          g = groups.get(key);
        }
        if (g === undefined) {
          g = { at: [], n: [], total: 0 };
          groups.set(key, g);
        }
      }
      const b = Math.floor(atMs / widthMs);
      const last = g.at.length - 1;
      // late (out-of-order) counts join the newest bucket: they leave the window a little late
      if (last >= 0 && g.at[last] >= b) g.n[last] += n;
      else {
        g.at.push(b);
        g.n.push(n);
      }
      g.total += n;
    },
    counts(nowMs) {
      const oldest = Math.floor(nowMs / widthMs) - span + 1;
      const out = new Map<string, number>();
      for (const [key, g] of groups) {
        while (g.at.length > 0 && g.at[0] < oldest) {
          g.total -= g.n[0];
          g.at.shift();
          g.n.shift();
        }
        if (g.at.length === 0) groups.delete(key);
        else out.set(key, g.total);
      }
      return out;
    },
    overflow: () => overflow,
  };
}
