import { replaceFile } from '../journal/atomic-file';
import type { AlertRule, AlertTarget, Config } from '../config/types';
import type { IngestStats } from '../pipeline/ingest';
import type { ThresholdSpec } from '../pipeline/event-tally';
import { createAlertEngine, type AlertEngine, type AlertNotice, type AlertProbe } from './alerts';
import { audit } from './audit';
import { configuredCertificates } from './certificates';
import { sendMail } from './email';
import { log } from './log';
import { matchesStatsKey, sourceMatcher } from './expected-source';
import { alertsFile } from './report-data';
import { openSyslogNotifier, type SyslogNotifier } from './syslog-notify';
import { postWebhook } from './webhook';

/**
 * The alert engine in a running gateway: what it reads (the probe), where its notices go (webhook,
 * e-mail, syslog, the SIEMs), and the alert states kept in data_dir/alerts.json for reports made
 * by another process. A notice is sent in the background: a slow mail server never holds up the
 * evaluation of the next second.
 */
export interface Alerting {
  engine: AlertEngine;
  /** Writes the alert states for reports now (they are written every 5 s otherwise). */
  save(): void;
  stop(): Promise<void>;
}

export interface AlertingDeps {
  stats(): IngestStats;
  destinations(): Array<{ name: string; state: 'up' | 'degraded' | 'down'; reason?: string; deadLettered: number }>;
  journalBytes(): number;
  /** Last seen (epoch s) by stats-store key (`source\tINPUT\tADDR`, `host\tNAME`), from before this start. */
  seenBefore: Map<string, number>;
  /** The event an alert sends `to: siem`. */
  toSiem(event: string): void;
}

const EVAL_MS = 1000;
const STATE_SAVE_MS = 5000;
/** Certificates are read from disk once an hour, not every second. */
const CERT_REFRESH_MS = 3_600_000;

/** The threshold rules' filters, for the parse workers (the key is the rule's index). */
export function thresholdSpecs(rules: AlertRule[]): ThresholdSpec[] {
  return rules.flatMap((r, rule) => (r.type === 'threshold' ? [{ rule, where: r.where, ...(r.groupBy !== undefined ? { groupBy: r.groupBy } : {}) }] : []));
}

export function startAlerting(cfg: Config, deps: AlertingDeps): Alerting {
  const startedAt = Date.now();
  const expected = cfg.expectedSources.map((e) => {
    const m = sourceMatcher(e);
    return { e, match: (key: string) => matchesStatsKey(m, key), lastMs: undefined as number | undefined };
  });
  // seed "last seen" from the stats store, so a restart does not forget a source that went quiet before it
  for (const x of expected) {
    for (const [k, s] of deps.seenBefore) if (x.match(k)) x.lastMs = Math.max(x.lastMs ?? 0, s * 1000);
  }
  // Once a second: which senders and hosts grew, and so were heard. Which expected sources a key
  // belongs to is worked out once per key (keys are bounded at 10,000 senders and 10,000 hosts
  // by the ingest stats), not per key per second per expected source.
  const prev = new Map<string, number>();
  const owners = new Map<string, number[]>();
  const ownersOf = (key: string): number[] => {
    let o = owners.get(key);
    if (o === undefined) {
      o = [];
      for (let i = 0; i < expected.length; i++) if (expected[i].match(key)) o.push(i);
      owners.set(key, o);
    }
    return o;
  };
  const grew = (key: string, n: number, now: number): void => {
    if (prev.get(key) === n) return;
    prev.set(key, n);
    for (const i of ownersOf(key)) expected[i].lastMs = now;
  };
  function refreshSeen(now: number): void {
    if (expected.length === 0) return;
    const s = deps.stats();
    for (const k in s.bySource) grew(`source\t${k}`, s.bySource[k], now);
    for (const k in s.byHost) grew(`host\t${k}`, s.byHost[k], now);
  }
  let certs = configuredCertificates(cfg);
  let certsAt = Date.now();

  const probe: AlertProbe = {
    now: () => Date.now(),
    startedAtMs: () => startedAt,
    expectedSources: () => {
      refreshSeen(Date.now());
      return expected.map((x) => ({ name: x.e.name, lastSeenMs: x.lastMs, maxSilenceS: x.e.maxSilenceS }));
    },
    destinations: deps.destinations,
    journalUsagePercent: () => (deps.journalBytes() / cfg.journal.maxBytes) * 100,
    deadLettersTotal: () => Object.fromEntries(deps.destinations().map((d) => [d.name, d.deadLettered])),
    parseTotals: () => {
      const s = deps.stats();
      let messages = 0;
      for (const n of Object.values(s.formats)) messages += n;
      // unparsed per sender: what no parser took, less a HEC sender's text events (plain by design)
      let failed = 0;
      for (const n of Object.values(s.unparsedBySource)) failed += n;
      return { messages, failed };
    },
    certificates: () => {
      if (Date.now() - certsAt > CERT_REFRESH_MS) { certs = configuredCertificates(cfg); certsAt = Date.now(); }
      return certs.filter((c) => c.problem === undefined).map(({ name, file, notAfterMs }) => ({ name, file, notAfterMs }));
    },
  };

  const syslogs = new Map<AlertTarget, SyslogNotifier>();
  const sending = new Set<Promise<void>>();
  const notify = (rule: AlertRule, n: AlertNotice) => {
    log[n.state === 'firing' ? 'warn' : 'info'](`alert ${rule.name} ${n.state}: ${n.summary}`);
    for (const t of rule.to) {
      const p = deliver(t, rule, n).then((why) => {
        if (why === undefined) return;
        log.error(`alert ${rule.name}: notice not delivered to ${describe(t)}: ${why}`);
        audit('alert_notify_failed', { rule: rule.name, key: n.key, to: describe(t), why });
      }).finally(() => sending.delete(p));
      sending.add(p);
    }
  };

  async function deliver(t: AlertTarget, rule: AlertRule, n: AlertNotice): Promise<string | undefined> {
    const body = { siemgate_alert: n, gateway: cfg.source };
    if (t.type === 'webhook') return postWebhook(t.url, t.secret, `${JSON.stringify(body)}\n`, 'siemgate-alert');
    if (t.type === 'email') {
      if (cfg.smtp === undefined) return 'no smtp: section in the config';
      const head = n.state === 'firing' ? 'FIRING' : 'resolved';
      return sendMail(cfg.smtp, t, {
        subject: t.subject ?? `[siemgate] ${head}: ${rule.name}${n.key ? ` (${n.key})` : ''}`,
        text: `${n.summary}\n\nalert: ${rule.name} (${rule.type})\nstate: ${n.state}\nabout: ${n.key || '-'}\nsince: ${n.since}\nvalue: ${n.value} (limit ${n.limit})\n` +
          (n.suppressed > 0 ? `withheld by throttling before this: ${n.suppressed}\n` : '') + `\n${JSON.stringify(n, null, 2)}\n`,
      });
    }
    if (t.type === 'syslog') {
      let s = syslogs.get(t);
      if (s === undefined) { s = openSyslogNotifier(t); syslogs.set(t, s); }
      return s.send(n.state === 'firing' ? 'crit' : 'notice', `alert ${rule.name} ${n.state}: ${n.summary}`, { ...n });
    }
    deps.toSiem(JSON.stringify({
      '@timestamp': n.at, message: `siemgate alert ${rule.name} ${n.state}: ${n.summary}`,
      event: { kind: 'alert', dataset: 'siemgate.alert', action: n.state === 'firing' ? 'alert-fired' : 'alert-resolved' }, ...body,
    }));
    return undefined;
  }

  const engine = createAlertEngine(cfg.alerts, probe, notify);
  const evalTimer = setInterval(() => engine.evaluate(), EVAL_MS);
  evalTimer.unref();
  const statesFile = alertsFile(cfg.dataDir);
  const saveStates = () => {
    try {
      replaceFile(statesFile, JSON.stringify({ saved_at: new Date().toISOString(), states: engine.states() }));
    } catch (err) {
      log.warn(`alerts: cannot save ${statesFile}: ${(err as Error).message}`);
    }
  };
  const saveTimer = setInterval(saveStates, STATE_SAVE_MS);
  saveTimer.unref();
  if (cfg.alerts.length > 0) log.info(`alerts: ${cfg.alerts.map((r) => `${r.name} (${r.type})`).join(', ')}`);
  return {
    engine,
    save: saveStates,
    async stop() {
      clearInterval(evalTimer);
      clearInterval(saveTimer);
      saveStates();
      await Promise.allSettled([...sending]);
      await Promise.allSettled([...syslogs.values()].map((s) => s.close()));
    },
  };
}

function describe(t: AlertTarget): string {
  if (t.type === 'webhook') return t.url;
  if (t.type === 'email') return `mail to ${t.to.join(', ')}`;
  if (t.type === 'syslog') return `syslog ${t.protocol}://${t.host}:${t.port}`;
  return 'siem';
}
