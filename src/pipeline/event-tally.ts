import type { MapResult } from '../mapping';

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
}

export interface EventFacts {
  host: string | undefined;
  timestamp: number | undefined;
  receivedAt: number;
  mapped: MapResult | undefined;
  /** The sender's address ('' when unknown). */
  peerIp: string;
  appname: string | undefined;
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

/** A field's value(s) as strings: the mapping's value first (arrays give each element). */
function valuesOf(field: string, f: EventFacts): string[] {
  const m = f.mapped;
  if (m !== undefined) {
    const i = m.names.indexOf(field);
    if (i >= 0) {
      const v = m.values[i];
      if (Array.isArray(v)) return v.map(String);
      if (v !== undefined && v !== null) return [String(v)];
    }
  }
  const b = builtin(field, f);
  return b === undefined ? [] : [b];
}

export function createTallier(thresholds: ThresholdSpec[]): Tallier {
  let t: Tally | undefined;
  let runHost: string | undefined;
  let runCount = 0;
  const tests = thresholds.map((s) => {
    const where = Object.entries(s.where).map(([field, vals]) => ({ field, set: new Set(vals) }));
    return (f: EventFacts, into: Record<string, number>) => {
      for (const w of where) if (!valuesOf(w.field, f).some((v) => w.set.has(v))) return;
      const g = s.groupBy === undefined ? [''] : valuesOf(s.groupBy, f);
      for (const v of g.length === 0 ? ['(none)'] : g) {
        const k = `${s.rule}\t${v}`;
        into[k] = (into[k] ?? 0) + 1;
      }
    };
  });
  const flushRun = () => {
    if (runHost !== undefined && runCount > 0) t!.hosts[runHost] = (t!.hosts[runHost] ?? 0) + runCount;
    runCount = 0;
  };
  return {
    event(f) {
      t ??= { hosts: {}, skewMs: {}, thresholds: {}, authFailures: {} };
      if (f.host !== undefined) {
        if (f.host !== runHost) {
          flushRun();
          runHost = f.host;
        }
        runCount++;
        if (f.timestamp !== undefined) t.skewMs[f.host] = f.timestamp - f.receivedAt;
      }
      const m = f.mapped;
      if (m !== undefined && isAuthFailure(m)) {
        const at = m.names.indexOf('source.ip');
        const from = at >= 0 ? String(m.values[at]) : f.host ?? f.peerIp;
        t.authFailures[from] = (t.authFailures[from] ?? 0) + 1;
      }
      // threshold filters test mapped fields only when some rule exists: no cost otherwise
      for (let i = 0; i < tests.length; i++) tests[i](f, t.thresholds);
    },
    take() {
      if (t === undefined) return undefined;
      flushRun();
      runHost = undefined;
      const out = t;
      t = undefined;
      return out;
    },
  };
}

function isAuthFailure(m: MapResult): boolean {
  const o = m.names.indexOf('event.outcome');
  if (o < 0 || m.values[o] !== 'failure') return false;
  const c = m.values[m.names.indexOf('event.category')];
  return Array.isArray(c) ? c.includes('authentication') : c === 'authentication';
}
