import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/types';
import { bufferStatus } from '../buffer-report';
import { journalDir } from '../delivery/engine';
import { ledgerPath } from '../journal/ledger';
import { verifyAudit } from './audit';
import { openStatsStore, summarize, totalOf } from './stats-store';

/**
 * `siemgate report --kind health`: built from the files of a data_dir (the stats store, the
 * journal's ledger, the destinations' cursors and status, the audit trail), so it works beside
 * a running gateway or without one. A running gateway writes its current hour's stats once a
 * minute: the last minute may be missing from a report made while it runs.
 */
export interface HealthReport {
  kind: 'health';
  generated_at: string;
  period: { from: string; to: string };
  gateway: { running: boolean; pid?: number };
  events: {
    received: number; journaled: number; rejected: number; rejected_by_reason: Record<string, number>;
    lost_in_crash: number; cut_at_recovery: number; unclean_stops: number;
    /** The sentence an auditor reads, and how it is known. */
    completeness: string;
  };
  inputs: Record<string, { received: number; rejected: number }>;
  senders: Array<{ input: string; address: string; events: number }>;
  products: Array<{ product: string; category: string; outcome: string; events: number }>;
  destinations: Array<{ name: string; state: string; reason?: string; delivered_in_period: number; dead_lettered_in_period: number;
    backlog_events: number; oldest_pending_age_s: number; dead_letters_on_disk: number }>;
  journal: { segments: number; bytes: number };
  audit: { ok: boolean; records: number; problem?: string };
}

export function healthReport(cfg: Config, fromMs: number, toMs: number, auditKeyBuf?: Buffer): HealthReport {
  const store = openStatsStore({ dir: join(cfg.dataDir, 'stats'), retentionDays: 3650, snapshot: () => new Map() });
  const t = summarize(totalOf(store.hours(fromMs, toMs)));
  const inputs: HealthReport['inputs'] = {};
  for (const [name, c] of Object.entries(t.inputs)) inputs[name] = { received: c.received ?? 0, rejected: c.rejected ?? 0 };
  const senders = t.sources;
  const products = t.products;
  const dest = t.destinations;
  const b = bufferStatus(cfg);
  const l = readLedger(cfg);
  const rejectedByReason: Record<string, number> = {};
  let rejected = 0;
  for (const byReason of Object.values(l.rejected)) for (const [r, n] of Object.entries(byReason)) { rejectedByReason[r] = (rejectedByReason[r] ?? 0) + n; rejected += n; }
  const pending = b.destinations.reduce((n, d) => n + d.backlogEvents, 0);
  const lost = l.lostInCrash + l.cutAtRecovery;
  const dropped = b.destinations.reduce((n, d) => n + d.dropped, 0);
  const completeness = lost === 0 && dropped === 0
    ? `events lost: 0. Of ${l.received} received, ${l.journaled} were journaled and ${rejected} refused at the input with a reason; every destination accounts for each journaled event as delivered, pending (${pending} now), dead-lettered or dropped (0).`
    : `events lost: ${lost + dropped} (${l.lostInCrash} in crash windows, ${l.cutAtRecovery} cut from a damaged journal tail, ${dropped} dropped by a full journal with when_full: drop_oldest).`;
  const audit = existsSync(join(cfg.dataDir, 'audit')) ? verifyAudit(join(cfg.dataDir, 'audit'), auditKeyBuf) : { ok: true, records: 0 };
  return {
    kind: 'health',
    generated_at: new Date().toISOString(),
    period: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    gateway: { running: b.running, ...(b.pid !== undefined ? { pid: b.pid } : {}) },
    events: { received: l.received, journaled: l.journaled, rejected, rejected_by_reason: rejectedByReason, lost_in_crash: l.lostInCrash, cut_at_recovery: l.cutAtRecovery, unclean_stops: l.uncleanStops, completeness },
    inputs,
    senders: senders.slice(0, 50),
    products: products.slice(0, 100),
    destinations: b.destinations.map((d) => ({
      name: d.name, state: d.state, ...(d.reason !== undefined ? { reason: d.reason } : {}),
      delivered_in_period: dest[d.name]?.delivered ?? 0, dead_lettered_in_period: dest[d.name]?.dead_lettered ?? 0,
      backlog_events: d.backlogEvents, oldest_pending_age_s: Math.round(d.oldestPendingAgeMs / 1000), dead_letters_on_disk: d.deadLettersOnDisk,
    })),
    journal: { segments: b.journal.segments, bytes: b.journal.bytes },
    audit: { ok: audit.ok, records: audit.records, ...('problem' in audit && audit.problem !== undefined ? { problem: audit.problem } : {}) },
  };
}

function readLedger(cfg: Config): { received: number; journaled: number; rejected: Record<string, Record<string, number>>; lostInCrash: number; cutAtRecovery: number; uncleanStops: number } {
  const p = ledgerPath(journalDir(cfg.dataDir));
  try {
    const s = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    return {
      received: Number(s.received ?? 0), journaled: Number(s.journaled ?? 0), rejected: (s.rejected ?? {}) as Record<string, Record<string, number>>,
      lostInCrash: Number(s.lostInCrash ?? 0), cutAtRecovery: Number(s.cutAtRecovery ?? 0), uncleanStops: Number(s.uncleanStops ?? 0),
    };
  } catch {
    return { received: 0, journaled: 0, rejected: {}, lostInCrash: 0, cutAtRecovery: 0, uncleanStops: 0 };
  }
}

/** The report as Markdown: what an e-mail or a ticket carries. */
export function healthMarkdown(r: HealthReport): string {
  const rows = (head: string[], xs: Array<Array<string | number>>) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...xs.map((x) => `| ${x.join(' | ')} |`)].join('\n');
  return [
    `# siemgate health report`, '',
    `Period ${r.period.from} to ${r.period.to}; generated ${r.generated_at}; gateway ${r.gateway.running ? `running (pid ${r.gateway.pid})` : 'stopped'}.`, '',
    `## Completeness`, '', r.events.completeness, '',
    `## Inputs`, '', rows(['input', 'received', 'rejected'], Object.entries(r.inputs).map(([n, v]) => [n, v.received, v.rejected])), '',
    `## Senders`, '', rows(['input', 'sender', 'events'], r.senders.map((s) => [s.input, s.address, s.events])), '',
    `## Products`, '', rows(['product', 'category', 'outcome', 'events'], r.products.map((p) => [p.product, p.category || '-', p.outcome || '-', p.events])), '',
    `## Destinations`, '', rows(['destination', 'state', 'delivered', 'dead-lettered', 'backlog', 'oldest pending (s)'],
      r.destinations.map((d) => [d.name, d.state + (d.reason ? ` (${d.reason})` : ''), d.delivered_in_period, d.dead_lettered_in_period, d.backlog_events, d.oldest_pending_age_s])), '',
    `## Journal and audit trail`, '',
    `Journal: ${r.journal.segments} segment(s), ${r.journal.bytes} bytes. Audit trail: ${r.audit.ok ? `${r.audit.records} record(s), chain intact` : `BROKEN: ${r.audit.problem}`}.`, '',
  ].join('\n');
}
