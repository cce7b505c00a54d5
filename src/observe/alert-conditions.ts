import type { AlertRule } from '../config/types';
import type { AlertProbe } from './alerts';
import { createCounterWindow, type CounterWindow, type GroupWindows } from './alert-windows';

/**
 * Each rule type's condition: reads the probe and says, per key, whether the condition holds,
 * the value against the limit, and one sentence for a human. Episodes, throttling and notices
 * are alerts.ts's job; the state kept here is only what a condition needs to see across
 * evaluations (since when a destination is down, the samples of a window).
 */
export interface Observation { key: string; active: boolean; value: number; limit: number; summary: string }

/**
 * `firing`: the rule's keys whose episode is open, so a condition that reports only keys over
 * their limit (threshold) still reports those, and they can resolve. Throws when the probe does.
 */
export type Condition = (nowMs: number, probe: AlertProbe, firing: ReadonlySet<string>) => Observation[];

/** Below this many messages in the window a failure percentage says nothing (1 of 3 is 33 %), so no alert. */
export const MIN_PARSE_VOLUME = 20;
const DAY_MS = 86_400_000;

export function conditionOf(rule: AlertRule, groups: GroupWindows | undefined): Condition {
  switch (rule.type) {
    case 'source_silent': return sourceSilent;
    case 'destination_down': return destinationDown(rule);
    case 'journal_usage': return journalUsage(rule);
    case 'dead_letters': return deadLetters(rule);
    case 'parse_failures': return parseFailures(rule);
    case 'cert_expiry': return certExpiry(rule);
    case 'threshold': return threshold(rule, groups!);
  }
}

const sourceSilent: Condition = (now, probe) => probe.expectedSources().map((s) => {
  // a source not heard since the start has been silent since the start
  const silentS = Math.floor((now - (s.lastSeenMs ?? probe.startedAtMs())) / 1000);
  const active = silentS > s.maxSilenceS;
  const limit = `(limit ${duration(s.maxSilenceS)})`;
  const summary = s.lastSeenMs === undefined
    ? `source ${s.name} not heard since the gateway started ${duration(silentS)} ago ${limit}`
    : active ? `source ${s.name} silent for ${duration(silentS)} ${limit}` : `source ${s.name} last heard ${duration(silentS)} ago ${limit}`;
  return { key: s.name, active, value: silentS, limit: s.maxSilenceS, summary };
});

function destinationDown(rule: AlertRule): Condition {
  const downSince = new Map<string, number>();
  return (now, probe) => {
    const seen = new Set<string>();
    const out: Observation[] = [];
    for (const d of probe.destinations()) {
      if (rule.destination !== undefined && d.name !== rule.destination) continue;
      seen.add(d.name);
      if (d.state !== 'down') {
        downSince.delete(d.name);
        out.push({ key: d.name, active: false, value: 0, limit: rule.forS, summary: `destination ${d.name} is ${d.state}` });
        continue;
      }
      const since = downSince.get(d.name) ?? now;
      downSince.set(d.name, since);
      const downS = Math.floor((now - since) / 1000);
      const reason = d.reason !== undefined && d.reason !== '' ? `: ${d.reason}` : '';
      out.push({
        key: d.name, active: now - since >= rule.forS * 1000, value: downS, limit: rule.forS,
        summary: `destination ${d.name} down for ${duration(downS)} (limit ${duration(rule.forS)})${reason}`,
      });
    }
    for (const name of downSince.keys()) if (!seen.has(name)) downSince.delete(name);
    return out;
  };
}

function journalUsage(rule: AlertRule): Condition {
  return (_now, probe) => {
    const pct = finite(probe.journalUsagePercent(), 'journal usage');
    return [{ key: '', active: pct > rule.above, value: pct, limit: rule.above, summary: `journal ${round1(pct)}% full (limit ${rule.above}%)` }];
  };
}

function deadLetters(rule: AlertRule): Condition {
  const windows = new Map<string, CounterWindow>();
  return (now, probe) => {
    const out: Observation[] = [];
    const totals = probe.deadLettersTotal();
    for (const [name, total] of Object.entries(totals)) {
      if (rule.destination !== undefined && name !== rule.destination) continue;
      let w = windows.get(name);
      if (w === undefined) windows.set(name, w = createCounterWindow(rule.windowS * 1000));
      const [n] = w.push(now, [finite(total, `dead letters of ${name}`)]);
      out.push({
        key: name, active: n > rule.above, value: n, limit: rule.above,
        summary: `${n} dead letter${n === 1 ? '' : 's'} for destination ${name} in ${duration(rule.windowS)} (limit ${rule.above})`,
      });
    }
    for (const name of windows.keys()) if (!(name in totals)) windows.delete(name);
    return out;
  };
}

function parseFailures(rule: AlertRule): Condition {
  const w = createCounterWindow(rule.windowS * 1000);
  return (now, probe) => {
    const t = probe.parseTotals();
    const [messages, failed] = w.push(now, [finite(t.messages, 'parsed messages'), finite(t.failed, 'parse failures')]);
    const pct = messages > 0 ? (failed / messages) * 100 : 0;
    const within = `in ${duration(rule.windowS)}`;
    const summary = messages < MIN_PARSE_VOLUME
      ? `${failed} of ${messages} messages failed to parse ${within}: fewer than ${MIN_PARSE_VOLUME} messages are too few to judge (limit ${rule.above}%)`
      : `${round1(pct)}% of messages failed to parse ${within}: ${failed} of ${messages} (limit ${rule.above}%)`;
    return [{ key: '', active: messages >= MIN_PARSE_VOLUME && pct > rule.above, value: round1(pct), limit: rule.above, summary }];
  };
}

function certExpiry(rule: AlertRule): Condition {
  return (now, probe) => {
    const out: Observation[] = [];
    // a file named twice (two inputs share a certificate) is one key: alerts.ts takes the first
    for (const c of probe.certificates()) {
      const leftMs = finite(c.notAfterMs, `expiry of ${c.file}`) - now;
      const days = Math.trunc(leftMs / DAY_MS) || 0; // || 0: no -0
      const when = leftMs < 0 ? (days === 0 ? 'expired less than a day ago' : `expired ${-days} day${days === -1 ? '' : 's'} ago`)
        : days === 0 ? 'expires within a day' : `expires in ${days} day${days === 1 ? '' : 's'}`;
      out.push({
        key: c.file, active: leftMs <= rule.withinDays * DAY_MS, value: days, limit: rule.withinDays,
        summary: `certificate ${c.name} (${c.file}) ${when} (limit ${rule.withinDays} days)`,
      });
    }
    return out;
  };
}

function threshold(rule: AlertRule, groups: GroupWindows): Condition {
  const what = rule.name.replace(/_/g, ' ');
  const label = (group: string) => (rule.groupBy === undefined ? what : `${what} for ${rule.groupBy} ${group}`);
  const over = (n: number) => n > rule.above;
  const observe = (key: string, n: number): Observation => ({
    key, active: over(n), value: n, limit: rule.above, summary: `${label(key)}: ${n} in ${duration(rule.windowS)} (limit ${rule.above})`,
  });
  return (now, _probe, firing) => {
    // up to 10,000 groups: only those over the limit, and the open ones, become observations
    const out: Observation[] = [];
    const counts = groups.counts(now);
    for (const [key, n] of counts) if (over(n) || firing.has(key)) out.push(observe(key, n));
    for (const key of firing) if (!counts.has(key)) out.push(observe(key, 0));
    return out;
  };
}

function finite(x: number, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${what} is ${String(x)}, not a number`);
  return x;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** 45 s, 5 min, 3 h, 2 days: what an operator reads at a glance. */
export function duration(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
