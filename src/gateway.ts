import type { Config } from './config';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_YAML } from './config/defaults';
import { audit, closeAudit, openAudit } from './observe/audit';
import { openStatsStore, totalOf, type StatsStore } from './observe/stats-store';
import { startAlerting, thresholdSpecs, type Alerting } from './observe/alerting';
import type { AlertState } from './observe/alerts';
import { startReports, type ReportStatus } from './observe/report-schedule';
import { hostname } from 'node:os';
import { FLAG_JSON } from './inputs/types';
import { journalDir, startDelivery, type Delivery } from './delivery/engine';
import { startInput, type RunningInput } from './inputs';
import { openJournal, type Journal } from './journal/journal';
import { loadLedger, saveLedger, saveLedgerAsync, type InputLedger } from './journal/ledger';
import { replacesSettled } from './journal/atomic-file';
import { computeLedger, mergeRejected, type Ledger } from './observe/ledger';
import { lockDataDir } from './data-dir-lock';
import { writeStatusFile } from './delivery/status-file';
import { log } from './observe/log';
import { createIngest, type Ingest } from './pipeline';
import { createMapper, shippedMappingsDir, type Mapper, type MapperOptions } from './mapping';
import { E } from './errors';

/**
 * The mappings of a config, loaded and compiled once (undefined: mappings.enabled is false); checks
 * that assigned products exist. What it returns is what the parse workers compile from.
 */
export function loadMappings(cfg: Config): { options: MapperOptions; mapper: Mapper } | undefined {
  if (!cfg.mappings.enabled) return undefined;
  const mapper = createMapper({ dirs: cfg.mappings.dirs, assign: cfg.mappings.assign });
  const known = new Set(mapper.sources.map((s) => s.product));
  const missing = cfg.mappings.assign.filter((a) => !known.has(a.product)).map((a) => a.product);
  if (missing.length > 0) {
    throw E.CONFIG_INVALID(cfg.source, missing.map((p) => `mappings.assign: no mapping defines product ${JSON.stringify(p)} (known: ${[...known].sort().join(', ')})`));
  }
  return { options: { assign: cfg.mappings.assign, prepared: mapper.prepared }, mapper };
}

/** The mapping setup of a config, for `siemgate parse` (undefined: mappings are off). */
export function mapperOptions(cfg: Config): MapperOptions | undefined {
  return loadMappings(cfg)?.options;
}

export interface Gateway {
  inputs: RunningInput[];
  ingest: Ingest;
  journal: Journal;
  delivery: Delivery;
  ledger(): Ledger;
  /** Hourly counters kept under data_dir/stats (per input, sender, product/category/outcome, destination). */
  stats: StatsStore;
  /** Alert states: firing first, then those of the last 24 hours. */
  alerts(): AlertState[];
  /** Every configured rule, fired or not: name, type, and whether any of its episodes fires now. */
  alertRules(): Array<{ name: string; type: string; state: 'firing' | 'ok'; episodes_24h: number }>;
  /** Each scheduled report: next run, last run, newest files. */
  nextReports(): ReportStatus[];
  /** A report file's path by name (only files of the configured reports). */
  reportFile(name: string): string | undefined;
  dataDir: string;
  /** Runs a configured report now (operator action); resolves when it was sent, or says why not. */
  runReport(name: string): Promise<{ sent: string[]; failed: string[] } | undefined>;
  /** Stop accepting, journal what was received, deliver what can be within the grace, save state. Idempotent. */
  stop(): Promise<void>;
}

const LEDGER_SAVE_MS = 1000;
/** The stats store's current hour is written every minute (and at stop); a crash loses at most that. */
const STATS_FLUSH_TICKS = 60;
/** Hourly stats kept this long: a monthly report, and a week's across a long weekend. */
const STATS_RETENTION_DAYS = 35;
const FULL_CHECK_MS = 200;
/** How long a stop waits for destinations to take what is journaled; the rest is sent after the next start. */
const STOP_GRACE_MS = 5000;

export async function startGateway(cfg: Config): Promise<Gateway> {
  const unlock = lockDataDir(cfg.dataDir);
  try {
    if (cfg.audit.enabled) {
      openAudit({
        dir: join(cfg.dataDir, 'audit'), key: auditKey(cfg), maxFileBytes: cfg.audit.maxFileBytes, retentionDays: cfg.audit.retentionDays,
        ...(cfg.audit.syslog !== undefined ? { syslog: cfg.audit.syslog } : {}),
      });
      audit('start', { pid: process.pid, config: cfg.source, config_sha256: configHash(cfg) });
    }
    return await start(cfg, unlock);
  } catch (err) {
    audit('start_failed', { why: (err as Error).message });
    await closeAudit();
    unlock();
    throw err;
  }
}

/** The audit key (audit.key_file), or undefined; an unreadable file stops the start. */
export function auditKey(cfg: Config): Buffer | undefined {
  if (cfg.audit.keyFile === undefined) return undefined;
  try {
    const key = readFileSync(cfg.audit.keyFile);
    if (key.length < 16) throw new Error(`${key.length} bytes; use at least 16 random bytes`);
    return key;
  } catch (err) {
    throw E.AUDIT_KEY(cfg.audit.keyFile, (err as Error).message);
  }
}

/** What configuration this run used: the sha256 of the file's bytes (of the embedded default's text). */
function configHash(cfg: Config): string {
  let bytes: Buffer;
  try {
    bytes = cfg.source === '(embedded default)' ? Buffer.from(DEFAULT_CONFIG_YAML) : readFileSync(cfg.source);
  } catch {
    bytes = Buffer.from(JSON.stringify(cfg));
  }
  return createHash('sha256').update(bytes).digest('hex');
}

async function start(cfg: Config, unlock: () => void): Promise<Gateway> {
  // before anything opens: a broken mapping file stops the start with file, line and reason
  const mappings = loadMappings(cfg);
  const mapping = mappings?.options;
  if (mappings !== undefined) {
    const m = mappings.mapper;
    log.info(`mappings: ${m.sources.length} product(s) from ${[shippedMappingsDir(), ...cfg.mappings.dirs].join(', ')}` +
      m.sources.filter((s) => s.replaces !== undefined).map((s) => `; ${s.file} replaces ${s.replaces}`).join(''));
  }
  // records nothing reads any more go back to the parse workers' output (see json-out.ts)
  let recycle: ((records: Uint8Array) => void) | undefined;
  const journal = openJournal({
    dir: journalDir(cfg.dataDir), fsync: cfg.journal.fsync, fsyncIntervalMs: cfg.journal.fsyncIntervalMs, segmentBytes: cfg.journal.segmentBytes,
    onFree: (records) => recycle?.(records),
  });
  const r = journal.recovery;
  log.info(`journal ${journal.dir}: ${r.segments} segment(s), ${r.events} event(s) kept, head at event ${journal.head()}` +
    (r.cutBytes > 0 ? `; ${r.cutBytes} damaged bytes cut at the tail (${r.stop})` : ''));
  const loaded = loadLedger(journal.dir, journal.head());
  if (loaded.note) log.warn(`ledger: ${loaded.note}`);
  const base: InputLedger = loaded.base;

  let delivery: Delivery;
  try {
    delivery = await startDelivery(cfg, journal);
  } catch (err) {
    await journal.close();
    throw err;
  }

  const zones: Record<string, string> = {};
  for (const i of cfg.inputs) zones[i.name] = i.timezone;
  const ingest = createIngest({
    workers: cfg.pipeline.workers,
    zones,
    mapping,
    output: (records, count) => {
      const wait = journal.append(records, count);
      checkFull();
      return wait;
    },
    durable: () => journal.durable(),
    thresholds: thresholdSpecs(cfg.alerts),
    onThresholdCounts: (counts) => alerting?.engine.addCounts(counts),
  });
  recycle = (records) => ingest.recycle(records);
  // started below, once delivery and the stats store exist; the workers' counts wait for it
  let alerting: Alerting | undefined;

  let journalDropped = 0;
  function checkFull(): void {
    const bytes = journal.bytes();
    if (bytes <= cfg.journal.maxBytes) return;
    if (cfg.journal.whenFull === 'drop_oldest') {
      while (journal.bytes() > cfg.journal.maxBytes) {
        const n = journal.dropOldest();
        if (n === 0) break;
        journalDropped += n;
        log.warn(`journal at max_bytes (${cfg.journal.maxBytes} bytes): deleted the oldest segment (${n} events); a destination that had not yet confirmed them skips them and counts them as dropped (its own log line says how many)`);
      }
    } else {
      ingest.block(`the journal is at journal.max_bytes (${cfg.journal.maxBytes} bytes) and when_full is block; a destination is not keeping up (see siemgate buffer status)`);
    }
  }
  const fullTimer = setInterval(() => {
    if (cfg.journal.whenFull === 'block' && journal.bytes() < cfg.journal.maxBytes * 0.9) ingest.block(undefined);
  }, FULL_CHECK_MS);
  fullTimer.unref();

  function ledger(): Ledger {
    return computeLedger(base, ingest.stats(), journal.head(), journal.queued(),
      delivery.statuses().map((s) => ({ name: s.name, ledger: s.ledger })));
  }
  function ledgerNow(): InputLedger {
    const s = ingest.stats();
    return { ...base, received: base.received + s.received, rejected: mergeRejected(base.rejected, s.rejected), journaled: journal.head() };
  }
  const inFlightNow = () => ingest.stats().inFlight + journal.queued();
  // Every second, off the main thread; one at a time (a slow disk skips a beat rather than piling up).
  let ledgerSaving: Promise<void> | undefined;
  function persistLedgerSoon(): void {
    if (ledgerSaving !== undefined) return;
    ledgerSaving = saveLedgerAsync(journal.dir, ledgerNow(), inFlightNow())
      .catch((err: Error) => { log.error(`ledger: saving ${journal.dir}/ledger.json failed: ${err.message}`); })
      .finally(() => { ledgerSaving = undefined; });
  }
  /** The last save, at stop: synchronous, and marked clean. */
  function persistLedger(clean: boolean): void {
    try {
      saveLedger(journal.dir, ledgerNow(), inFlightNow(), clean);
    } catch (err) {
      log.error(`ledger: saving ${journal.dir}/ledger.json failed: ${(err as Error).message}`);
    }
  }
  function persistStatus(soon = false): void {
    try {
      writeStatusFile(cfg.dataDir, delivery.statuses(), soon);
    } catch (err) {
      log.warn(`status: writing ${cfg.dataDir}/status.json failed: ${(err as Error).message}`);
    }
  }
  // the destinations' counts go on across restarts (they are kept with the cursors), the inputs'
  // start at 0 with the process: the store wants both as counts since this start
  const destAtStart = new Map(delivery.statuses().map((d) => [d.name, { ...d.ledger }]));
  const stats = openStatsStore({ dir: join(cfg.dataDir, 'stats'), retentionDays: STATS_RETENTION_DAYS, snapshot: statsSnapshot });
  function statsSnapshot(): Map<string, number> {
    const m = new Map<string, number>();
    const s = ingest.stats();
    for (const [input, n] of Object.entries(s.receivedByInput)) m.set(`input\t${input}\treceived`, n);
    for (const [input, byReason] of Object.entries(s.rejected)) {
      let n = 0;
      for (const v of Object.values(byReason)) n += v ?? 0;
      m.set(`input\t${input}\trejected`, n);
    }
    for (const [k, n] of Object.entries(s.bySource)) m.set(`source\t${k}`, n);
    for (const [k, n] of Object.entries(s.mapped)) m.set(`product\t${k}`, n);
    for (const [k, n] of Object.entries(s.byHost)) m.set(`host\t${k}`, n);
    for (const [k, n] of Object.entries(s.skewByHost)) m.set(`skew\t${k}`, n);
    for (const [k, n] of Object.entries(s.authFailures)) m.set(`authfail\t${k}`, n);
    for (const [k, n] of Object.entries(s.unparsedBySource)) m.set(`unparsed\t${k}`, n);
    m.set('peak\tjournal_bytes', journal.bytes());
    for (const d of delivery.statuses()) {
      const s0 = destAtStart.get(d.name);
      m.set(`destination\t${d.name}\tdelivered`, d.ledger.delivered - (s0?.delivered ?? 0));
      m.set(`destination\t${d.name}\tdead_lettered`, d.ledger.deadLettered - (s0?.deadLettered ?? 0));
      m.set(`destination\t${d.name}\tdropped`, d.ledger.dropped - (s0?.dropped ?? 0));
      m.set(`destination\t${d.name}\tretried`, d.retries);
    }
    return m;
  }
  // reports and alerts sent `to: siem` are events like any other: journaled, then delivered
  const ownEvent = (input: string, sourcetype: string) => {
    const peer = { input, transport: 'http' as const, ip: '', port: 0 };
    return (event: string) => {
      const buf = Buffer.from(event);
      ingest.message(peer, buf, 0, buf.length, FLAG_JSON, { sourcetype, source: sourcetype, host: hostname() });
    };
  };
  const seenBefore = new Map<string, number>();
  for (const [k, v] of Object.entries(totalOf(stats.hours(Date.now() - STATS_RETENTION_DAYS * 86_400_000, Date.now() + 1)))) {
    if (k.startsWith('seen\t')) seenBefore.set(k.slice(5), v);
  }
  alerting = startAlerting(cfg, {
    stats: () => ingest.stats(),
    destinations: () => delivery.statuses().map((d) => ({ name: d.name, state: d.state, ...(d.reason !== undefined ? { reason: d.reason } : {}), deadLettered: d.ledger.deadLettered })),
    journalBytes: () => journal.bytes(),
    seenBefore,
    toSiem: ownEvent('siemgate-alerts', 'siemgate:alert'),
  });
  const alertsOn = alerting;
  const reports = startReports(cfg, cfg.audit.enabled ? auditKey(cfg) : undefined, () => { stats.sample(); stats.flush(); alertsOn.save(); }, ownEvent('siemgate-reports', 'siemgate:report'));
  let ticks = 0;
  const ledgerTimer = setInterval(() => {
    persistLedgerSoon();
    persistStatus(true);
    stats.sample();
    if (++ticks % STATS_FLUSH_TICKS === 0) stats.flush(true);
  }, LEDGER_SAVE_MS);
  ledgerTimer.unref();

  const inputs: RunningInput[] = [];
  try {
    // Inputs open once the parse workers can take batches: before that, a device's messages would
    // pile up in memory here (or, on a restart under load, be refused) while the mappings compile.
    const startedAt = Date.now();
    const workersReady = await ingest.ready();
    if (workersReady < cfg.pipeline.workers) log.warn(`${cfg.pipeline.workers - workersReady} of ${cfg.pipeline.workers} parse workers did not start (see the errors above); their batches are parsed on the main thread`);
    else if (workersReady > 0) log.info(`${workersReady} parse worker${workersReady === 1 ? '' : 's'} ready in ${Date.now() - startedAt} ms`);
    for (const i of cfg.inputs) {
      const running = await startInput(i, ingest);
      inputs.push(running);
      log.info(`input ${i.name} (${i.type}) listening on ${formatAddress(running.address)}`);
    }
  } catch (err) {
    await reports.stop();
    await alertsOn.stop();
    clearInterval(fullTimer);
    clearInterval(ledgerTimer);
    await Promise.allSettled(inputs.map((i) => i.close()));
    await ingest.close();
    await delivery.stop(0);
    await journal.close();
    await ledgerSaving;
    persistLedger(true);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    inputs,
    ingest,
    journal,
    delivery,
    ledger,
    stats,
    alerts: () => alertsOn.engine.states(),
    alertRules: () => {
      const states = alertsOn.engine.states();
      return cfg.alerts.map((r) => {
        const mine = states.filter((x) => x.rule === r.name);
        return { name: r.name, type: r.type, state: mine.some((x) => x.state === 'firing') ? 'firing' as const : 'ok' as const, episodes_24h: mine.reduce((n, x) => n + x.episodes, 0) };
      });
    },
    runReport: (name) => reports.runNow(name),
    nextReports: () => reports.next(),
    reportFile: (name) => reports.file(name),
    dataDir: cfg.dataDir,
    stop() {
      stopping ??= (async () => {
        await reports.stop();
        await alertsOn.stop();
        await Promise.allSettled(inputs.map((i) => i.close()));
        await ingest.close();
        await journal.durable().catch(() => undefined);
        await delivery.stop(STOP_GRACE_MS);
        await journal.close();
        clearInterval(fullTimer);
        clearInterval(ledgerTimer);
        await ledgerSaving;
        await replacesSettled(); // no earlier status or stats write lands after the last ones
        persistLedger(true);
        persistStatus();
        stats.sample();
        stats.flush();
        const l = ledger();
        audit('stop', { received: l.received, journaled: l.journaled, rejected: l.rejected, unaccounted: l.unaccounted,
          destinations: Object.fromEntries(Object.entries(l.destinations).map(([d, v]) => [d, { delivered: v.delivered, pending: v.pending, dead_lettered: v.deadLettered, dropped: v.dropped }])) });
        await closeAudit();
        unlock();
        const counted = delivery.statuses().filter((d) => d.counters !== undefined && Object.values(d.counters).some((n) => n > 0))
          .map((d) => `; ${d.name} also counted ${Object.entries(d.counters!).map(([k, n]) => `${k.replace(/_/g, ' ')} ${n}`).join(', ')}`).join('');
        log.info(`stopped: ${describeLedger(ledger())}${counted}` + (journalDropped > 0 ? `; ${journalDropped} events deleted from the full journal (drop_oldest)` : ''));
      })();
      return stopping;
    },
  };
}

/** The ledger in one line, for the stop message and the CLI. */
export function describeLedger(l: Ledger): string {
  const why = Object.entries(l.rejectedByReason).map(([r, n]) => `${r} ${n}`).join(', ');
  let s = `received ${l.received}, journaled ${l.journaled}, rejected at input ${l.rejected}${why ? ` (${why})` : ''}`;
  if (l.inFlight) s += `, in flight ${l.inFlight}`;
  if (l.lostInCrash) s += `, lost in crash windows ${l.lostInCrash}`;
  if (l.cutAtRecovery) s += `, cut at recovery ${l.cutAtRecovery}`;
  s += l.unaccounted === 0 ? '; balanced' : `; UNACCOUNTED ${l.unaccounted}`;
  for (const [name, d] of Object.entries(l.destinations)) {
    s += `; ${name}: delivered ${d.delivered}, pending ${d.pending}, dead-lettered ${d.deadLettered}, dropped ${d.dropped}` +
      (d.filtered ? `, filtered ${d.filtered}` : '') + (d.unaccounted === 0 ? '' : `, UNACCOUNTED ${d.unaccounted}`);
  }
  return s;
}

export function formatAddress(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
