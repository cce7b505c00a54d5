import type { Config } from '../config/types';
import type { AlertState } from './alerts';
import { configuredCertificates } from './certificates';
import { completenessOf, iso, readPeriod, reportHead, subtitleOf, seriesOf, type PeriodData, type ReportHead, type Series } from './report-data';
import type { ReportDoc } from './report-doc';

/**
 * `siemgate report --kind health`: is the pipeline complete and healthy. Built from the files of
 * a data_dir (report-data.ts), so it works beside a running gateway or without one. A running
 * gateway writes its current hour's stats once a minute: the last minute may be missing from a
 * report made while it runs.
 */
export interface HealthReport extends ReportHead {
  kind: 'health';
  events: {
    received: number; journaled: number; rejected: number; rejected_by_reason: Record<string, number>;
    lost_in_crash: number; cut_at_recovery: number; unclean_stops: number;
    /** The sentence an auditor reads, and how it is known. */
    completeness: string;
  };
  inputs: Record<string, { received: number; rejected: number }>;
  senders: Array<{ input: string; address: string; events: number; events_per_hour: number; parse_failures: number; last_seen?: string }>;
  products: Array<{ product: string; category: string; outcome: string; events: number }>;
  destinations: Array<{ name: string; state: string; reason?: string; delivered_in_period: number; dead_lettered_in_period: number;
    retried_in_period: number; backlog_events: number; oldest_pending_age_s: number; dead_letters_on_disk: number }>;
  journal: { segments: number; bytes: number; max_bytes: number; used_percent: number; high_water_bytes: number };
  certificates: Array<{ name: string; file: string; subject: string; not_after?: string; days_left?: number; problem?: string }>;
  alerts: AlertState[];
  audit: { ok: boolean; records: number; problem?: string };
  series: Series;
}

export function healthReport(cfg: Config, fromMs: number, toMs: number, auditKey?: Buffer): HealthReport {
  return healthOf(cfg, readPeriod(cfg, fromMs, toMs, auditKey));
}

export function healthOf(cfg: Config, d: PeriodData): HealthReport {
  const t = d.stats;
  const inputs: HealthReport['inputs'] = {};
  for (const [name, c] of Object.entries(t.inputs)) inputs[name] = { received: c.received ?? 0, rejected: c.rejected ?? 0 };
  const c = completenessOf(d);
  const l = d.ledger;
  const now = Date.now();
  return {
    kind: 'health',
    ...reportHead(d, now),
    events: { received: l.received, journaled: l.journaled, rejected: c.rejected, rejected_by_reason: c.rejectedByReason, lost_in_crash: l.lostInCrash, cut_at_recovery: l.cutAtRecovery, unclean_stops: l.uncleanStops, completeness: c.sentence },
    inputs,
    senders: t.sources.slice(0, 50).map((s) => ({
      input: s.input, address: s.address, events: s.events, events_per_hour: Math.round((s.events / Math.max(1, (d.toMs - d.fromMs) / 3_600_000)) * 10) / 10,
      parse_failures: s.unparsed ?? 0, ...(s.lastSeen !== undefined ? { last_seen: iso(s.lastSeen * 1000) } : {}),
    })),
    products: t.products.slice(0, 100),
    destinations: d.buffer.destinations.map((x) => ({
      name: x.name, state: x.state, ...(x.reason !== undefined ? { reason: x.reason } : {}),
      delivered_in_period: t.destinations[x.name]?.delivered ?? 0, dead_lettered_in_period: t.destinations[x.name]?.dead_lettered ?? 0, retried_in_period: t.destinations[x.name]?.retried ?? 0,
      backlog_events: x.backlogEvents, oldest_pending_age_s: Math.round(x.oldestPendingAgeMs / 1000), dead_letters_on_disk: x.deadLettersOnDisk,
    })),
    journal: { segments: d.buffer.journal.segments, bytes: d.buffer.journal.bytes, max_bytes: cfg.journal.maxBytes, used_percent: Math.round((d.buffer.journal.bytes / cfg.journal.maxBytes) * 1000) / 10, high_water_bytes: Math.max(t.journalPeakBytes, d.buffer.journal.bytes) },
    certificates: configuredCertificates(cfg).map((x) => ({
      name: x.name, file: x.file, subject: x.subject,
      ...(x.problem !== undefined ? { problem: x.problem } : { not_after: iso(x.notAfterMs), days_left: Math.floor((x.notAfterMs - now) / 86_400_000) }),
    })),
    alerts: d.alerts,
    audit: d.audit,
    series: seriesOf(d),
  };
}

export const fmtAge = (s: number) => (s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`);

/** The completeness line, and, when attention is needed for something else, what that is. */
export function headlineOf(r: HealthReport, down: HealthReport['destinations']): { text: string; ok: boolean } {
  const lossless = r.events.completeness.startsWith('events lost: 0');
  const also: string[] = [];
  if (down.length > 0) also.push(`destination(s) not up: ${down.map((d) => `${d.name} (${d.state})`).join(', ')}`);
  if (!r.audit.ok) also.push('the audit trail did not verify');
  return { text: [r.events.completeness, ...also].join('; '), ok: lossless && also.length === 0 };
}

export function healthDoc(r: HealthReport): ReportDoc {
  const down = r.destinations.filter((d) => d.state !== 'up');
  const certBad = r.certificates.filter((c) => c.problem !== undefined || (c.days_left ?? 0) < 30);
  const firing = r.alerts.filter((a) => a.state === 'firing');
  return {
    title: 'siemgate health report',
    subtitle: subtitleOf(r),
    headline: headlineOf(r, down),
    sections: [
      { heading: 'Inputs', blocks: [
        { kind: 'table', head: ['input', 'received', 'rejected'], rows: Object.entries(r.inputs).map(([n, v]) => [n, v.received, v.rejected]), empty: 'no input received anything in this period' },
        ...(Object.keys(r.events.rejected_by_reason).length > 0 ? [{ kind: 'table' as const, head: ['rejected because', 'messages'], rows: Object.entries(r.events.rejected_by_reason) }] : []),
      ] },
      { heading: 'Senders', blocks: [
        { kind: 'chart', title: 'Events per hour, top senders', unit: 'events', labels: r.series.hours, series: r.series.sources },
        { kind: 'table', head: ['input', 'sender', 'events', 'per hour', 'parse failures', 'last seen'], rows: r.senders.map((s) => [s.input, s.address, s.events, s.events_per_hour, s.parse_failures, s.last_seen ?? '-']), empty: 'no senders' },
      ] },
      { heading: 'Products', blocks: [{ kind: 'table', head: ['product', 'category', 'outcome', 'events'], rows: r.products.map((p) => [p.product, p.category || '-', p.outcome || '-', p.events]), empty: 'no mapped events' }] },
      { heading: 'Destinations', blocks: [
        ...(down.length > 0 ? [{ kind: 'text' as const, tone: 'bad' as const, text: `Not up: ${down.map((d) => `${d.name} (${d.state}${d.reason ? `: ${d.reason}` : ''})`).join('; ')}.` }] : []),
        { kind: 'chart', title: 'Deliveries per hour', unit: 'events', labels: r.series.hours, series: r.series.destinations },
        { kind: 'table', head: ['destination', 'state', 'delivered', 'retried', 'dead-lettered', 'backlog', 'oldest pending', 'dead letters on disk'],
          rows: r.destinations.map((d) => [d.name, d.state + (d.reason ? ` (${d.reason})` : ''), d.delivered_in_period, d.retried_in_period, d.dead_lettered_in_period, d.backlog_events, fmtAge(d.oldest_pending_age_s), d.dead_letters_on_disk]) },
      ] },
      { heading: 'Journal', blocks: [{ kind: 'text', text: `${r.journal.segments} segment(s), ${r.journal.bytes} bytes: ${r.journal.used_percent}% of max_bytes (${r.journal.max_bytes}); high-water mark in the period ${r.journal.high_water_bytes} bytes.`, ...(r.journal.used_percent >= 80 ? { tone: 'warn' as const } : {}) }] },
      { heading: 'Certificates', blocks: [
        ...(certBad.length > 0 ? [{ kind: 'text' as const, tone: 'bad' as const, text: `Act now: ${certBad.map((c) => `${c.name} ${c.problem ?? `expires in ${c.days_left} days`}`).join('; ')}.` }] : []),
        { kind: 'table', head: ['used as', 'file', 'subject', 'expires', 'days left'], rows: r.certificates.map((c) => [c.name, c.file, c.subject || '-', c.not_after ?? c.problem ?? '-', c.days_left ?? '-']), empty: 'no TLS certificates configured' },
      ] },
      { heading: 'Alerts', blocks: [
        ...(firing.length > 0 ? [{ kind: 'text' as const, tone: 'bad' as const, text: `${firing.length} alert(s) firing.` }] : []),
        { kind: 'table', head: ['alert', 'type', 'about', 'state', 'since', 'value', 'limit'], rows: r.alerts.map((a) => [a.rule, a.type, a.key || '-', a.state, a.since, a.value, a.limit]), empty: 'no alert fired in the last 24 hours' },
      ] },
      { heading: 'Audit trail', blocks: [{ kind: 'text', text: r.audit.ok ? `${r.audit.records} record(s), chain intact.` : `BROKEN: ${r.audit.problem}`, tone: r.audit.ok ? 'ok' : 'bad' }] },
    ],
  };
}
