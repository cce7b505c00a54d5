import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/types';
import { sourceMatcher } from './expected-source';
import { summarize, totalOf } from './stats-store';
import { completenessOf, iso, readHours, readPeriod, reportHead, subtitleOf, type PeriodData, type ReportHead } from './report-data';
import type { ReportDoc } from './report-doc';
import { fmtAge } from './health-report';
import { CONTROLS } from './compliance-controls';

/**
 * `siemgate report --kind compliance`: the evidence an auditor files. Which expected sources
 * reported and which went silent (and for how long), their clocks, the security events seen,
 * whether every event was delivered (and the counts that prove it), what is kept and for how long,
 * whether the audit trail is intact, and which controls this evidences, and which it cannot.
 */
export interface ComplianceReport extends ReportHead {
  kind: 'compliance';
  expected_sources: Array<{
    name: string; match: string; product?: string; max_silence_s: number;
    status: 'reporting' | 'silent' | 'never_seen'; events_in_period: number; last_seen?: string; silent_for_s?: number;
  }>;
  unexpected_senders: Array<{ input: string; address: string; events: number }>;
  clock_skew: Array<{ host: string; skew_s: number; status: 'ok' | 'drift' | 'wrong' }>;
  security: {
    logins_failed: number; logins_succeeded: number; privilege_use: number; configuration_changes: number; account_changes: number;
    by_category: Array<{ category: string; outcome: string; events: number }>;
    top_failure_sources: Array<{ from: string; events: number }>;
  };
  delivery: {
    events_lost: number; statement: string;
    received: number; journaled: number; rejected: number; rejected_by_reason: Record<string, number>;
    destinations: Array<{ name: string; delivered_in_period: number; pending: number; dead_lettered_in_period: number; dropped: number; state: string }>;
  };
  retention: Array<{ what: string; kept: string; purged: string }>;
  audit: { ok: boolean; records: number; problem?: string };
  alerts: Array<{ rule: string; type: string; key: string; state: string; since: string; episodes: number }>;
  controls: Array<{ framework: string; control: string; evidence: string; not_evidenced: string }>;
}

/** Clock skew beyond this is drift worth fixing (PCI DSS 10.6 wants synchronised clocks). */
const DRIFT_S = 60;
const WRONG_S = 300;
/** How far back "last seen" looks for a source silent for the whole period. */
const LOOKBACK_MS = 35 * 86_400_000;

export function complianceReport(cfg: Config, fromMs: number, toMs: number, auditKey?: Buffer): ComplianceReport {
  return complianceOf(cfg, readPeriod(cfg, fromMs, toMs, auditKey));
}

export function complianceOf(cfg: Config, d: PeriodData): ComplianceReport {
  const now = Date.now();
  const ref = Math.min(d.toMs, now);
  const t = d.stats;
  // last seen may lie before the period: look back over the stats the store keeps
  const back = summarize(totalOf(readHours(cfg.dataDir, ref - LOOKBACK_MS, ref + 1)));
  const matchers = cfg.expectedSources.map((e) => ({ e, test: sourceMatcher(e) }));
  const claimed = new Set<string>();
  const expected = matchers.map(({ e, test }) => {
    let events = 0;
    let last = 0;
    for (const s of t.sources) if (test.address?.(s.address)) { events += s.events; claimed.add(`${s.input}\t${s.address}`); }
    for (const h of t.hosts) if (test.host?.(h.host)) events += h.events;
    for (const s of back.sources) if (test.address?.(s.address)) last = Math.max(last, s.lastSeen ?? 0);
    for (const h of back.hosts) if (test.host?.(h.host)) last = Math.max(last, h.lastSeen ?? 0);
    const quiet = last === 0 ? undefined : Math.max(0, Math.round(ref / 1000 - last));
    const status: ComplianceReport['expected_sources'][number]['status'] = last === 0 ? 'never_seen' : quiet! > e.maxSilenceS ? 'silent' : 'reporting';
    return {
      name: e.name, match: e.address !== undefined ? `address ${e.address}` : `hostname ${e.hostname}`, ...(e.product !== undefined ? { product: e.product } : {}),
      max_silence_s: e.maxSilenceS, status, events_in_period: events,
      ...(last > 0 ? { last_seen: iso(last * 1000) } : {}), ...(status !== 'reporting' && quiet !== undefined ? { silent_for_s: quiet } : {}),
    };
  });
  const sum = (f: (a: { category: string; outcome: string; action: string }) => boolean) => t.actions.filter(f).reduce((n, a) => n + a.events, 0);
  const byCat = new Map<string, number>();
  for (const a of t.actions) if (a.category !== '') byCat.set(`${a.category}\t${a.outcome}`, (byCat.get(`${a.category}\t${a.outcome}`) ?? 0) + a.events);
  const c = completenessOf(d);
  return {
    kind: 'compliance',
    ...reportHead(d, now),
    expected_sources: expected,
    unexpected_senders: cfg.expectedSources.length === 0 ? [] : t.sources.filter((s) => !claimed.has(`${s.input}\t${s.address}`)).slice(0, 20).map(({ input, address, events }) => ({ input, address, events })),
    clock_skew: t.hosts.filter((h) => h.skewMs !== undefined).slice(0, 100).map((h) => {
      const s = Math.round(h.skewMs! / 1000);
      return { host: h.host, skew_s: s, status: Math.abs(s) > WRONG_S ? 'wrong' as const : Math.abs(s) > DRIFT_S ? 'drift' as const : 'ok' as const };
    }),
    security: {
      logins_failed: sum((a) => a.category === 'authentication' && a.outcome === 'failure'),
      logins_succeeded: sum((a) => a.category === 'authentication' && a.outcome === 'success'),
      privilege_use: sum((a) => /^(sudo|su)(_|$)|privilege|escalat|elevat/i.test(a.action)),
      configuration_changes: sum((a) => a.category === 'configuration'),
      account_changes: sum((a) => a.category === 'iam'),
      by_category: [...byCat].map(([k, events]) => { const [category, outcome] = k.split('\t'); return { category, outcome, events }; }).sort((a, b) => b.events - a.events),
      top_failure_sources: t.authFailures.slice(0, 10),
    },
    delivery: {
      events_lost: c.lost, statement: c.sentence,
      received: d.ledger.received, journaled: d.ledger.journaled, rejected: c.rejected, rejected_by_reason: c.rejectedByReason,
      destinations: d.buffer.destinations.map((x) => ({
        name: x.name, delivered_in_period: t.destinations[x.name]?.delivered ?? 0, pending: x.backlogEvents,
        dead_lettered_in_period: t.destinations[x.name]?.dead_lettered ?? 0, dropped: x.dropped, state: x.state,
      })),
    },
    retention: retentionOf(cfg, d),
    audit: d.audit,
    alerts: d.alerts.map((a) => ({ rule: a.rule, type: a.type, key: a.key, state: a.state, since: a.since, episodes: a.episodes })),
    controls: CONTROLS,
  };
}

function retentionOf(cfg: Config, d: PeriodData): ComplianceReport['retention'] {
  const anchor = join(cfg.dataDir, 'audit', 'anchor.json');
  let auditPurged = 'nothing yet';
  if (existsSync(anchor)) {
    try {
      const a = JSON.parse(readFileSync(anchor, 'utf8')) as { seq?: number; file?: string };
      auditPurged = `files up to record ${a.seq}${a.file ? ` (${a.file})` : ''}; the chain is anchored there, so the kept files still verify`;
    } catch { auditPurged = 'anchor.json unreadable'; }
  }
  const dropped = d.buffer.destinations.reduce((n, x) => n + x.dropped, 0);
  const reportDirs = cfg.reports.flatMap((r) => r.to.flatMap((t) => (t.type === 'file' ? [`${r.name}: ${t.retentionDays} days in ${t.dir}`] : [])));
  return [
    { what: 'journal (events not yet delivered)', kept: `until every destination has them, up to ${cfg.journal.maxBytes} bytes; when full: ${cfg.journal.whenFull}`, purged: dropped === 0 ? 'no undelivered event was purged' : `${dropped} undelivered events dropped by when_full: drop_oldest` },
    { what: 'dead letters', kept: 'until replayed or deleted by an operator (data_dir/dead-letters)', purged: 'never automatically' },
    { what: 'hourly statistics', kept: '35 days (data_dir/stats)', purged: 'hours older than 35 days' },
    { what: 'audit trail', kept: cfg.audit.enabled ? `${cfg.audit.retentionDays} days (data_dir/audit)` : 'disabled (audit.enabled: false)', purged: auditPurged },
    { what: 'reports', kept: reportDirs.length > 0 ? reportDirs.join('; ') : 'no report is written to files', purged: 'files older than their retention_days' },
    { what: 'events at the SIEMs', kept: 'by each SIEM\'s own retention (not set by the gateway)', purged: 'not visible to the gateway' },
  ];
}

export function complianceDoc(r: ComplianceReport): ReportDoc {
  const silent = r.expected_sources.filter((s) => s.status !== 'reporting');
  const skewed = r.clock_skew.filter((s) => s.status !== 'ok');
  const s = r.security;
  return {
    title: 'siemgate compliance report',
    subtitle: subtitleOf(r),
    headline: {
      text: `${r.delivery.statement} ${r.expected_sources.length === 0 ? 'No expected sources are configured, so silence cannot be judged.'
        : silent.length === 0 ? `All ${r.expected_sources.length} expected source(s) reporting.` : `${silent.length} of ${r.expected_sources.length} expected source(s) silent: ${silent.map((x) => x.name).join(', ')}.`}`,
      ok: r.delivery.events_lost === 0 && silent.length === 0 && r.audit.ok,
    },
    sections: [
      { heading: 'Expected sources', blocks: [
        { kind: 'table', head: ['source', 'matched by', 'product', 'status', 'events', 'last seen', 'silent for', 'max silence'],
          rows: r.expected_sources.map((x) => [x.name, x.match, x.product ?? '-', x.status === 'reporting' ? 'reporting' : x.status === 'silent' ? 'SILENT' : 'NEVER SEEN', x.events_in_period, x.last_seen ?? '-', x.silent_for_s !== undefined ? fmtAge(x.silent_for_s) : '-', fmtAge(x.max_silence_s)]),
          empty: 'no expected_sources configured: the gateway cannot say which sources should have reported' },
        ...(r.unexpected_senders.length > 0 ? [{ kind: 'table' as const, head: ['other sender (not expected)', 'input', 'events'], rows: r.unexpected_senders.map((u) => [u.address, u.input, u.events]) }] : []),
      ] },
      { heading: 'Clock skew', blocks: [
        ...(skewed.length > 0 ? [{ kind: 'text' as const, tone: 'warn' as const, text: `${skewed.length} host(s) with clocks more than ${DRIFT_S} s off: ${skewed.slice(0, 10).map((x) => `${x.host} (${x.skew_s} s)`).join(', ')}.` }] : []),
        { kind: 'table', head: ['host', 'skew (s, event time − receive time)', 'status'], rows: r.clock_skew.map((x) => [x.host, x.skew_s, x.status]), empty: 'no timestamped events in this period' },
      ] },
      { heading: 'Security events', blocks: [
        { kind: 'table', head: ['failed logins', 'successful logins', 'privilege use', 'configuration changes', 'account changes'], rows: [[s.logins_failed, s.logins_succeeded, s.privilege_use, s.configuration_changes, s.account_changes]] },
        { kind: 'table', head: ['top sources of failed logins', 'failures'], rows: s.top_failure_sources.map((x) => [x.from, x.events]), empty: 'no failed logins' },
        { kind: 'table', head: ['event.category', 'event.outcome', 'events'], rows: s.by_category.map((x) => [x.category, x.outcome || '-', x.events]), empty: 'no categorised events' },
      ] },
      { heading: 'Delivery completeness', blocks: [
        { kind: 'text', text: r.delivery.statement, tone: r.delivery.events_lost === 0 ? 'ok' : 'bad' },
        { kind: 'table', head: ['received', 'journaled', 'refused at input'], rows: [[r.delivery.received, r.delivery.journaled, r.delivery.rejected]] },
        { kind: 'table', head: ['destination', 'delivered in period', 'pending now', 'dead-lettered in period', 'dropped', 'state'], rows: r.delivery.destinations.map((x) => [x.name, x.delivered_in_period, x.pending, x.dead_lettered_in_period, x.dropped, x.state]) },
        ...(Object.keys(r.delivery.rejected_by_reason).length > 0 ? [{ kind: 'table' as const, head: ['refused because', 'messages'], rows: Object.entries(r.delivery.rejected_by_reason) }] : []),
      ] },
      { heading: 'Retention', blocks: [{ kind: 'table', head: ['data', 'kept', 'purged'], rows: r.retention.map((x) => [x.what, x.kept, x.purged]) }] },
      { heading: 'Audit trail', blocks: [{ kind: 'text', text: r.audit.ok ? `Verified: ${r.audit.records} record(s), hash chain intact.` : `BROKEN: ${r.audit.problem}`, tone: r.audit.ok ? 'ok' : 'bad' }] },
      { heading: 'Alerts', blocks: [{ kind: 'table', head: ['alert', 'type', 'about', 'state', 'since', 'episodes'], rows: r.alerts.map((a) => [a.rule, a.type, a.key || '-', a.state, a.since, a.episodes]), empty: 'no alert fired in the last 24 hours' }] },
      { heading: 'Controls', blocks: [
        { kind: 'text', text: 'What this report evidences, and what the gateway cannot: it sees only what reaches it and what it sends on.' },
        { kind: 'table', head: ['framework', 'control', 'evidence in this report', 'not evidenced by the gateway'], rows: r.controls.map((x) => [x.framework, x.control, x.evidence, x.not_evidenced]) },
      ] },
    ],
  };
}
