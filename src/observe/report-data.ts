import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/types';
import { bufferStatus, type BufferStatus } from '../buffer-report';
import { journalDir } from '../delivery/engine';
import { readSavedLedger, type InputLedger } from '../journal/ledger';
import type { AlertState } from './alerts';
import { verifyAudit } from './audit';
import { openStatsStore, summarize, totalOf, type HourBucket, type StatsSummary } from './stats-store';

/**
 * What every report reads from a data_dir: the stats store's hours of the period, the journal's
 * ledger, the destinations' cursors and status, the alert states and the audit trail. Files only,
 * so a report can be made beside a running gateway or without one.
 */
export interface PeriodData {
  fromMs: number;
  toMs: number;
  stats: StatsSummary;
  hours: HourBucket[];
  buffer: BufferStatus;
  ledger: InputLedger;
  alerts: AlertState[];
  audit: { ok: boolean; records: number; problem?: string };
}


/** Where the running gateway keeps its alert states for reports made by another process. */
export const alertsFile = (dataDir: string) => join(dataDir, 'alerts.json');

/**
 * The stats store's hours in [fromMs, toMs), read only: a report never creates or prunes anything
 * (a data_dir with no stats yet gives none).
 */
export function readHours(dataDir: string, fromMs: number, toMs: number): HourBucket[] {
  const dir = join(dataDir, 'stats');
  if (!existsSync(dir)) return [];
  // retention 10 years: a report never prunes what the gateway keeps
  return openStatsStore({ dir, retentionDays: 3650, snapshot: () => new Map() }).hours(fromMs, toMs);
}

export function readPeriod(cfg: Config, fromMs: number, toMs: number, auditKey?: Buffer): PeriodData {
  const hours = readHours(cfg.dataDir, fromMs, toMs);
  return {
    fromMs, toMs, hours,
    stats: summarize(totalOf(hours)),
    buffer: bufferStatus(cfg),
    ledger: readLedger(cfg),
    alerts: readAlerts(cfg.dataDir),
    audit: existsSync(join(cfg.dataDir, 'audit')) ? verifyAudit(join(cfg.dataDir, 'audit'), auditKey) : { ok: true, records: 0 },
  };
}

function readLedger(cfg: Config): InputLedger {
  return readSavedLedger(journalDir(cfg.dataDir)) ?? { received: 0, journaled: 0, rejected: {}, lostInCrash: 0, cutAtRecovery: 0, uncleanStops: 0 };
}

function readAlerts(dataDir: string): AlertState[] {
  try {
    return (JSON.parse(readFileSync(alertsFile(dataDir), 'utf8')) as { states: AlertState[] }).states ?? [];
  } catch {
    return [];
  }
}

/** The ledger's verdict: "events lost: 0" only when every count balances, else the loss and why. */
export interface Completeness {
  lost: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  pending: number;
  dropped: number;
  sentence: string;
}

export function completenessOf(d: PeriodData): Completeness {
  const l = d.ledger;
  const rejectedByReason: Record<string, number> = {};
  let rejected = 0;
  for (const byReason of Object.values(l.rejected)) for (const [r, n] of Object.entries(byReason)) { rejectedByReason[r] = (rejectedByReason[r] ?? 0) + n; rejected += n; }
  const pending = d.buffer.destinations.reduce((n, x) => n + x.backlogEvents, 0);
  const dropped = d.buffer.destinations.reduce((n, x) => n + x.dropped, 0);
  const lost = l.lostInCrash + l.cutAtRecovery + dropped;
  const sentence = lost === 0
    ? `events lost: 0. Of ${l.received} received, ${l.journaled} were journaled and ${rejected} refused at the input with a reason; every destination accounts for each journaled event as delivered, pending (${pending} now), dead-lettered or dropped (0).`
    : `events lost: ${lost} (${l.lostInCrash} in crash windows, ${l.cutAtRecovery} cut from a damaged journal tail, ${dropped} dropped by a full journal with when_full: drop_oldest).`;
  return { lost, rejected, rejectedByReason, pending, dropped, sentence };
}

/** Hourly series for charts: the top senders' events and each destination's deliveries. */
export interface Series {
  hours: string[];
  sources: Array<{ name: string; values: number[] }>;
  destinations: Array<{ name: string; values: number[] }>;
}

const TOP_SERIES = 8;

export function seriesOf(d: PeriodData): Series {
  const HOUR = 3_600_000;
  const hours: string[] = [];
  for (let h = Math.floor(d.fromMs / HOUR) * HOUR; h < d.toMs; h += HOUR) hours.push(new Date(h).toISOString());
  const at = new Map(hours.map((h, i) => [h, i]));
  const top = d.stats.sources.slice(0, TOP_SERIES).map((s) => `${s.input}\t${s.address}`);
  const src = new Map(top.map((k) => [k, new Array<number>(hours.length).fill(0)]));
  const dst = new Map(d.buffer.destinations.map((x) => [x.name, new Array<number>(hours.length).fill(0)]));
  for (const b of d.hours) {
    const i = at.get(b.hour);
    if (i === undefined) continue;
    for (const [k, v] of Object.entries(b.counts)) {
      if (k.startsWith('source\t')) src.get(k.slice(7))?.splice(i, 1, v);
      else if (k.startsWith('destination\t') && k.endsWith('\tdelivered')) dst.get(k.slice(12, -10))?.splice(i, 1, v);
    }
  }
  return {
    hours,
    sources: [...src].map(([k, values]) => ({ name: k.replace('\t', ' '), values })),
    destinations: [...dst].map(([name, values]) => ({ name, values })),
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** What every report starts with: when it was made, the period it covers, and the gateway's state. */
export interface ReportHead {
  generated_at: string;
  period: { from: string; to: string };
  gateway: { running: boolean; pid?: number };
}

export function reportHead(d: PeriodData, now: number): ReportHead {
  return {
    generated_at: iso(now),
    period: { from: iso(d.fromMs), to: iso(d.toMs) },
    gateway: { running: d.buffer.running, ...(d.buffer.pid !== undefined ? { pid: d.buffer.pid } : {}) },
  };
}

/** The line under a report's title. */
export function subtitleOf(r: ReportHead): string {
  return `Period ${r.period.from} to ${r.period.to}; generated ${r.generated_at}; gateway ${r.gateway.running ? `running (pid ${r.gateway.pid})` : 'stopped'}.`;
}
