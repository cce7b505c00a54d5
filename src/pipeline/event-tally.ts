import type { MapResult } from '../mapping';
import { internalize } from '../parse/intern-key';

/**
 * What the per-event path counts besides writing the document, for the stats store and alerts:
 * events per host name with that host's latest clock skew (the compliance report's "reported?"
 * and "clock skew"), and the events that match a threshold alert's filter, per group. Counted
 * into plain objects per batch; a run of events from one host (the usual case: a batch is what
 * one connection sent in 2 ms) costs one comparison each.
 */
export interface ThresholdSpec {
  /** Index of the rule in config `alerts` (the key the alert engine knows it by). */
  rule: number;
  where: Record<string, string[]>;
  groupBy?: string;
}

export interface Tally {
  /** host name → events. */
  hosts: Record<string, number>;
  /** host name → event time − receive time of its last timestamped event, ms. */
  skewMs: Record<string, number>;
  /** `${rule}\t${group}` → events matching the rule's where. */
  thresholds: Record<string, number>;
  /** Failed authentications by where they came from (source.ip, else the host): the report's top sources of failures. */
  authFailures: Record<string, number>;
  /** Messages no parser recognised (plain text), by `input\tsender address`. */
  unparsed: Record<string, number>;
}

export interface EventFacts {
  host: string | undefined;
  timestamp: number | undefined;
  receivedAt: number;
  mapped: MapResult | undefined;
  /** The sender's address ('' when unknown). */
  peerIp: string;
  appname: string | undefined;
  /** event.outcome failure in event.category authentication (set by the caller, which reads both already). */
  authFailure: boolean;
  /** No parser recognised the message. */
  unparsed: boolean;
  input: string;
}

export type Tallier = {
  event(f: EventFacts): void;
  /** What was counted since the last call (undefined: nothing), and a fresh start. */
  take(): Tally | undefined;
};

/** Fields a filter may name beyond the mapping's own: what every event has. */
function builtin(field: string, f: EventFacts): string | undefined {
  switch (field) {
    case 'host.name': case 'host.hostname': return f.host;
    case 'observer.product': case 'event.module': case 'siemgate.product': return f.mapped?.product;
    case 'observer.vendor': return f.mapped?.vendor;
    case 'event.dataset': return f.mapped?.dataset;
    case 'log.syslog.appname': case 'process.name': return f.appname;
    case 'log.source.address': case 'observer.ip': return f.peerIp || undefined;
    default: return undefined;
  }
}

/** Whether a field's value (the mapping's, else what every event has) is one of `want`; arrays: any element. */
function fieldIn(field: string, f: EventFacts, want: string[]): boolean {
  const m = f.mapped;
  if (m !== undefined) {
    const i = m.names.indexOf(field);
    if (i >= 0) {
      const v = m.values[i];
      if (Array.isArray(v)) {
        for (let k = 0; k < v.length; k++) if (oneOf(v[k], want)) return true;
        return false;
      }
      if (v !== undefined && v !== null) return oneOf(v, want);
    }
  }
  const b = builtin(field, f);
  return b !== undefined && oneOf(b, want);
}

/** A short list compared in a loop: cheaper than a Set for the one or two values a filter names. */
function oneOf(v: unknown, want: string[]): boolean {
  const s = typeof v === 'string' ? v : String(v);
  for (let k = 0; k < want.length; k++) if (want[k] === s) return true;
  return false;
}

/** The group a threshold counts an event in: the field's first value, `(none)` without one. */
function groupOf(field: string | undefined, f: EventFacts): string {
  if (field === undefined) return '';
  const m = f.mapped;
  if (m !== undefined) {
    const i = m.names.indexOf(field);
    if (i >= 0) {
      const v = m.values[i];
      const x = Array.isArray(v) ? v[0] : v;
      if (x !== undefined && x !== null) return typeof x === 'string' ? x : String(x);
    }
  }
  return builtin(field, f) ?? '(none)';
}


export function createTallier(thresholds: ThresholdSpec[]): Tallier {
  // runs: consecutive events of one host (or one failing source) are counted in a variable and
  // written to the object once, when the run ends; a flood from one sender costs no map write
  let runHost: string | undefined;
  let runCount = 0;
  let runSkew: number | undefined;
  let failFrom: string | undefined;
  let failCount = 0;
  const rules = thresholds.map((s) => ({
    // internalized like the mapping's field names (mapping/scope.ts): indexOf then compares pointers
    prefix: `${s.rule}\t`, groupBy: s.groupBy === undefined ? undefined : internalize(s.groupBy),
    where: Object.entries(s.where).map(([field, want]) => ({ field: internalize(field), want: want.map((w) => internalize(w)) })),
  }));
  const counts = rules.map(() => new Map<string, { n: number }>());
  // Maps while counting (cheaper than objects for keys that come and go), objects to send
  // (one lookup per run: the entry is changed in place)
  const hosts = new Map<string, { n: number; skew: number | undefined }>();
  const fails = new Map<string, { n: number }>();
  const unparsed = new Map<string, { n: number }>();
  let any = false;
  const flushRun = () => {
    if (runHost !== undefined && runCount > 0) {
      const e = hosts.get(runHost);
      if (e === undefined) hosts.set(runHost, { n: runCount, skew: runSkew });
      else {
        e.n += runCount;
        if (runSkew !== undefined) e.skew = runSkew;
      }
    }
    runCount = 0;
    runSkew = undefined;
  };
  const flushFail = () => {
    if (failFrom !== undefined && failCount > 0) {
      const e = fails.get(failFrom);
      if (e === undefined) fails.set(failFrom, { n: failCount });
      else e.n += failCount;
    }
    failCount = 0;
  };
  return {
    event(f) {
      any = true;
      if (f.host !== undefined) {
        if (f.host !== runHost) {
          flushRun();
          runHost = f.host;
        }
        runCount++;
        if (f.timestamp !== undefined) runSkew = f.timestamp - f.receivedAt;
      }
      if (f.unparsed) {
        const k = `${f.input}\t${f.peerIp}`;
        const e = unparsed.get(k);
        if (e === undefined) unparsed.set(k, { n: 1 });
        else e.n++;
      }
      const m = f.mapped;
      if (f.authFailure && m !== undefined) {
        const at = m.names.indexOf('source.ip');
        const from = at >= 0 ? String(m.values[at]) : f.host ?? f.peerIp;
        if (from !== failFrom) {
          flushFail();
          failFrom = from;
        }
        failCount++;
      }
      // threshold filters test mapped fields only when some rule exists: no cost otherwise
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r];
        let ok = true;
        for (let k = 0; k < rule.where.length; k++) if (!fieldIn(rule.where[k].field, f, rule.where[k].want)) { ok = false; break; }
        if (!ok) continue;
        const g = groupOf(rule.groupBy, f);
        const e = counts[r].get(g);
        if (e === undefined) counts[r].set(g, { n: 1 });
        else e.n++;
      }
    },
    take() {
      if (!any) return undefined;
      any = false;
      flushRun();
      flushFail();
      runHost = undefined;
      failFrom = undefined;
      const out: Tally = { hosts: {}, skewMs: {}, thresholds: {}, authFailures: {}, unparsed: {} };
      for (const [k, e] of unparsed) out.unparsed[k] = e.n;
      unparsed.clear();
      for (const [h, e] of hosts) {
        out.hosts[h] = e.n;
        if (e.skew !== undefined) out.skewMs[h] = e.skew;
      }
      for (const [from, e] of fails) out.authFailures[from] = e.n;
      hosts.clear();
      fails.clear();
      for (let r = 0; r < rules.length; r++) {
        for (const [g, e] of counts[r]) out.thresholds[rules[r].prefix + g] = e.n;
        counts[r].clear();
      }
      return out;
    },
  };
}
