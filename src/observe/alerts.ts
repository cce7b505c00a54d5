import type { AlertRule, AlertType } from '../config/types';
import { conditionOf, type Condition, type Observation } from './alert-conditions';
import { createGroupWindows } from './alert-windows';
import { audit } from './audit';
import { log, rateLimited } from './log';

/**
 * The real-time alert engine: a pure module the gateway drives (a 1 s timer calls evaluate(),
 * the parse workers' threshold counts come through addCounts()). Each rule type's condition is in
 * alert-conditions.ts; here are the episodes, throttling, notices and the audit trail.
 *
 * An episode per (rule, key) fires once when its condition becomes true and resolves once when it
 * clears. Throttling withholds a new episode's firing notice when the last notice sent for that
 * key is less than throttle_s old, and then its resolve too (never a resolve without its fire);
 * the next notice sent says how many episodes were withheld. An episode withheld and still
 * firing when the throttle has passed is notified then, late: otherwise a flapping alert that
 * ends up firing would never be told. The audit trail records every episode's start and end,
 * notified or not.
 *
 * Memory: threshold counts are bounded in alert-windows.ts (10,000 groups per rule, each at most
 * 300 buckets); episodes are kept while firing, and resolved ones for 24 h (the status), or as
 * long as their throttle runs, at most RECENT_PER_RULE per rule.
 */

/** What the engine reads from the gateway on each evaluation; all cheap getters. */
export interface AlertProbe {
  now(): number; // ms
  /** lastSeenMs undefined: not heard since the gateway started. */
  expectedSources(): Array<{ name: string; lastSeenMs: number | undefined; maxSilenceS: number }>;
  /** A never-heard source is silent once maxSilence has passed since start. */
  startedAtMs(): number;
  destinations(): Array<{ name: string; state: 'up' | 'degraded' | 'down'; reason?: string }>;
  journalUsagePercent(): number;
  /** Cumulative per destination. */
  deadLettersTotal(): Record<string, number>;
  /** Cumulative. */
  parseTotals(): { messages: number; failed: number };
  certificates(): Array<{ name: string; file: string; notAfterMs: number }>;
}

export interface AlertNotice {
  rule: string;
  type: AlertType;
  /** What the episode is about: source name, destination, cert file, group value, or '' for journal/parse. */
  key: string;
  state: 'firing' | 'resolved';
  /** ISO time the episode began. */
  since: string;
  /** ISO time of this notice. */
  at: string;
  /** One sentence for a human: what, where, how much vs the limit. */
  summary: string;
  value: number;
  limit: number;
  /** Episodes of this key withheld by throttling since the last notice sent (a withheld fire and its resolve count once). */
  suppressed: number;
}

/** For /api/status and reports. */
export interface AlertState {
  rule: string;
  type: AlertType;
  key: string;
  state: 'firing' | 'ok';
  /** Firing: when the episode began; ok: when it resolved. */
  since: string;
  value: number;
  limit: number;
  episodes: number;
  lastNotifiedAt?: string;
}

export interface AlertEngine {
  /** Threshold counts from the parse workers since the last call: key `${ruleIndex}\t${groupValue}` (groupValue '' without group_by) → events. */
  addCounts(counts: Record<string, number>, atMs?: number): void;
  /** Evaluates every rule now; notices go to `notify`. Called by a 1 s timer in the gateway (and directly in tests). Never throws. */
  evaluate(): void;
  /** Firing alerts first, then those that fired in the last 24 h; newest first in each. */
  states(): AlertState[];
  /** Per threshold rule name: events counted in the `(other)` group because the rule had 10,000 groups. */
  overflow(): Record<string, number>;
}

const RECENT_MS = 24 * 3_600_000;
const RECENT_PER_RULE = 1000;
const LOG_EVERY_MS = 60_000;

/** One (rule, key): its open or last episode and its throttle. */
interface Track {
  firing: boolean;
  startedMs: number;
  endedMs: number;
  value: number;
  limit: number;
  summary: string;
  episodes: number;
  /** The current (or last) episode's firing notice was sent. */
  sent: boolean;
  lastSentMs: number | undefined;
  suppressed: number;
}

export function createAlertEngine(rules: AlertRule[], probe: AlertProbe, notify: (rule: AlertRule, notice: AlertNotice) => void): AlertEngine {
  const groups = rules.map((r) => (r.type === 'threshold' ? createGroupWindows(r.windowS) : undefined));
  const conditions: Condition[] = rules.map((r, i) => conditionOf(r, groups[i]));
  const tracks = rules.map(() => new Map<string, Track>());
  const clock = (): number => {
    try {
      const t = probe.now();
      if (Number.isFinite(t)) return t;
    } catch { /* reported by evaluate */ }
    return Date.now();
  };
  // at most one log line per key per interval, on the engine's clock (the probe's, so tests can drive it)
  const warn = rateLimited(LOG_EVERY_MS, clock);

  function send(rule: AlertRule, t: Track, key: string, state: AlertNotice['state'], now: number, suppressed: number): void {
    const notice: AlertNotice = {
      rule: rule.name, type: rule.type, key, state, since: iso(t.startedMs), at: iso(now), summary: t.summary, value: t.value, limit: t.limit, suppressed,
    };
    t.lastSentMs = now;
    try {
      notify(rule, notice);
    } catch (err) {
      warn(`notify\t${rule.name}`, (held) => log.error(`alerts: ${rule.name}: notifying ${state} ${JSON.stringify(key)} failed: ${why(err)}${heldBack(held)}`));
    }
  }

  function record(type: 'alert_fired' | 'alert_resolved', rule: AlertRule, key: string, t: Track, notified: boolean): void {
    try {
      audit(type, { rule: rule.name, key, value: t.value, limit: t.limit, summary: t.summary, notified });
    } catch { /* audit() logs its own write failures; an alert must not stop on it */ }
  }

  function observe(rule: AlertRule, ri: number, o: Observation, now: number): void {
    const map = tracks[ri];
    let t = map.get(o.key);
    if (!o.active && !(t?.firing ?? false)) return;
    const throttled = (x: Track) => x.lastSentMs !== undefined && now - x.lastSentMs < rule.throttleS * 1000;
    if (t === undefined) {
      t = { firing: false, startedMs: now, endedMs: now, value: 0, limit: 0, summary: '', episodes: 0, sent: false, lastSentMs: undefined, suppressed: 0 };
      map.set(o.key, t);
    }
    const wasFiring = t.firing;
    t.value = o.value;
    t.limit = o.limit;
    t.summary = o.summary;
    if (o.active && !wasFiring) {
      t.firing = true;
      t.startedMs = now;
      t.episodes++;
      t.sent = !throttled(t);
      if (t.sent) {
        send(rule, t, o.key, 'firing', now, t.suppressed);
        t.suppressed = 0;
      } else t.suppressed++;
      record('alert_fired', rule, o.key, t, t.sent);
    } else if (o.active && !t.sent && !throttled(t)) {
      // withheld, still firing, throttle over: told late; it is no longer among the withheld
      t.sent = true;
      send(rule, t, o.key, 'firing', now, t.suppressed - 1);
      t.suppressed = 0;
    } else if (!o.active) {
      t.firing = false;
      t.endedMs = now;
      if (t.sent) {
        send(rule, t, o.key, 'resolved', now, t.suppressed);
        t.suppressed = 0;
      }
      record('alert_resolved', rule, o.key, t, t.sent);
    }
  }

  /** The rule's open keys; resolved episodes past their day and throttle are dropped. */
  function firingAndPrune(rule: AlertRule, ri: number, now: number): Set<string> {
    const firing = new Set<string>();
    const resolved: Array<[string, Track]> = [];
    for (const [key, t] of tracks[ri]) {
      if (t.firing) firing.add(key);
      else if (now - t.endedMs >= RECENT_MS && (t.lastSentMs === undefined || now - t.lastSentMs >= rule.throttleS * 1000)) tracks[ri].delete(key);
      else resolved.push([key, t]);
    }
    if (resolved.length > RECENT_PER_RULE) {
      resolved.sort((a, b) => a[1].endedMs - b[1].endedMs);
      for (const [key] of resolved.slice(0, resolved.length - RECENT_PER_RULE)) tracks[ri].delete(key);
    }
    return firing;
  }

  function evaluateRule(rule: AlertRule, ri: number, now: number): void {
    const firing = firingAndPrune(rule, ri, now);
    let seen: Observation[];
    try {
      seen = conditions[ri](now, probe, firing);
    } catch (err) {
      // skipped: its open episodes stay open, nothing resolves on a failed read
      warn(`probe\t${rule.name}`, (held) => log.warn(`alerts: ${rule.name}: cannot read the gateway's state (${why(err)}); the rule is skipped${heldBack(held)}`));
      return;
    }
    const keys = new Set<string>();
    for (const o of seen) {
      if (keys.has(o.key)) continue;
      keys.add(o.key);
      observe(rule, ri, o, now);
    }
    // a key no longer reported (a destination or certificate removed) cannot be firing
    for (const key of firing) {
      if (keys.has(key)) continue;
      const t = tracks[ri].get(key)!;
      observe(rule, ri, { key, active: false, value: 0, limit: t.limit, summary: `${rule.type} ${key || rule.name}: no longer reported` }, now);
    }
  }

  return {
    addCounts(counts, atMs) {
      const at = atMs ?? clock();
      for (const [k, n] of Object.entries(counts)) {
        const tab = k.indexOf('\t');
        const g = tab > 0 ? groups[Number(k.slice(0, tab))] : undefined;
        g?.add(k.slice(tab + 1), n, at);
      }
    },

    evaluate() {
      let now: number;
      try {
        now = probe.now();
        if (!Number.isFinite(now)) throw new Error(`now() gave ${String(now)}`);
      } catch (err) {
        warn('now', (held) => log.warn(`alerts: cannot read the clock (${why(err)}); no rule evaluated${heldBack(held)}`));
        return;
      }
      rules.forEach((rule, ri) => {
        try {
          evaluateRule(rule, ri, now);
        } catch (err) {
          warn(`rule\t${rule.name}`, (held) => log.error(`alerts: ${rule.name}: evaluation failed: ${(err as Error).stack ?? String(err)}${heldBack(held)}`));
        }
      });
    },

    states() {
      const now = clock();
      const firing: Array<[number, AlertState]> = [];
      const recent: Array<[number, AlertState]> = [];
      rules.forEach((rule, ri) => {
        for (const [key, t] of tracks[ri]) {
          if (!t.firing && now - t.endedMs >= RECENT_MS) continue;
          const s: AlertState = {
            rule: rule.name, type: rule.type, key, state: t.firing ? 'firing' : 'ok', since: iso(t.firing ? t.startedMs : t.endedMs),
            value: t.value, limit: t.limit, episodes: t.episodes, ...(t.lastSentMs !== undefined ? { lastNotifiedAt: iso(t.lastSentMs) } : {}),
          };
          (t.firing ? firing : recent).push([t.firing ? t.startedMs : t.endedMs, s]);
        }
      });
      const newest = (a: [number, AlertState], b: [number, AlertState]) => b[0] - a[0];
      return [...firing.sort(newest), ...recent.sort(newest)].map(([, s]) => s);
    },

    overflow() {
      const out: Record<string, number> = {};
      rules.forEach((r, i) => { if (groups[i] !== undefined) out[r.name] = groups[i]!.overflow(); });
      return out;
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A probe may throw anything, not only an Error. */
const why = (err: unknown) => (err instanceof Error ? err.message : String(err));
const heldBack = (n: number) => (n > 0 ? ` (${n} more like this held back)` : '');
