import { replaceFile } from '../journal/atomic-file';
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import cron from 'node-cron';
import type { Config, EmailTarget, ReportConfig, ReportFormat } from '../config/types';
import { audit } from './audit';
import { postWebhook } from './webhook';
import { log } from './log';
import { buildReport, docOf, render, type Rendered } from './report-render';
import type { ReportDoc } from './report-doc';
import { sendMail, type MailMessage } from './email';

/** The scheduled reports of a running gateway (config `reports:`), one node-cron task each. */
export interface ReportStatus {
  name: string;
  kind: string;
  next: string | null;
  last_run?: { at: string; sent: string[]; failed: string[] };
  /** File names of the newest run written to a file target (served at /reports/<name>). */
  latest_files: string[];
}

export interface ReportSchedule {
  /** Each report: when it runs next, its last run, and its newest files (for the dashboard's links). */
  next(): ReportStatus[];
  /** The path of a report file by its name, when it is one of this gateway's reports' files. */
  file(name: string): string | undefined;
  /** Makes and sends a configured report now; undefined when no report has that name. */
  runNow(name: string): Promise<{ sent: string[]; failed: string[] } | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts one task per report. `beforeReport` lets the gateway write out its current counters
 * first (the stats store writes its hour once a minute otherwise). A report that fails is
 * logged and audited with the reason; the next run tries again.
 */
export function startReports(cfg: Config, auditKeyBuf: Buffer | undefined, beforeReport: () => void, toSiem: (event: string) => void): ReportSchedule {
  const tasks = cfg.reports.map((r) => cron.schedule(r.cron, async () => { await run(r); }, { name: `report:${r.name}`, noOverlap: true, ...(r.timezone !== undefined ? { timezone: r.timezone } : {}) }));
  const lastRuns = new Map<string, { at: string; sent: string[]; failed: string[] }>();
  async function run(r: ReportConfig): Promise<{ sent: string[]; failed: string[] }> {
    const result = await runOnce(r);
    lastRuns.set(r.name, { at: new Date().toISOString(), ...result });
    return result;
  }
  async function runOnce(r: ReportConfig): Promise<{ sent: string[]; failed: string[] }> {
    const sent: string[] = [];
    const failed: string[] = [];
    try {
      beforeReport();
      const now = Date.now();
      const rep = buildReport(r.kind, cfg, now - r.periodHours * 3_600_000, now, auditKeyBuf);
      const doc = docOf(rep);
      // each format rendered at most once per run, however many targets want it
      const rendered = new Map<ReportFormat, Rendered>();
      const out = (f: ReportFormat): Rendered => {
        let x = rendered.get(f);
        if (x === undefined) rendered.set(f, x = render(rep, f, doc));
        return x;
      };
      const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
      for (const t of r.to) {
        if (t.type === 'siem') {
          // an event like any other: journaled, then sent to every destination (ledger included)
          toSiem(JSON.stringify({
            '@timestamp': rep.generated_at, message: `siemgate ${r.kind} report ${r.name}: ${doc.headline.text}`,
            event: { kind: 'state', dataset: 'siemgate.report', action: `${r.kind}-report` }, siemgate_report: { name: r.name, ...rep },
          }));
          sent.push('siem');
        } else if (t.type === 'webhook') {
          const why = await postWebhook(t.url, t.secret, `${JSON.stringify(rep)}\n`, 'siemgate-report');
          if (why === undefined) sent.push(t.url);
          else failed.push(`${t.url}: ${why}`);
        } else if (t.type === 'email') {
          const why = cfg.smtp === undefined ? 'no smtp: section in the config' : await sendMail(cfg.smtp, t, mailOf(r, t, doc, out, stamp));
          if (why === undefined) sent.push(`mail to ${t.to.join(', ')}`);
          else failed.push(`mail to ${t.to.join(', ')}: ${why}`);
        } else {
          mkdirSync(t.dir, { recursive: true });
          for (const f of r.formats) {
            const x = out(f);
            const file = join(t.dir, `${r.name}-${stamp}.${x.ext}`);
            replaceFile(file, x.body);
            sent.push(file);
          }
          prune(t.dir, r.name, t.retentionDays, now);
        }
      }
      if (sent.length > 0) {
        log.info(`report ${r.name} (${r.kind}) sent: ${sent.join(', ')}`);
        audit('report_sent', { report: r.name, kind: r.kind, to: sent, headline: doc.headline.text });
      }
      if (failed.length > 0) {
        log.error(`report ${r.name}: not delivered to ${failed.join('; ')}; the next scheduled run tries again`);
        audit('report_failed', { report: r.name, why: failed });
      }
    } catch (err) {
      log.error(`report ${r.name}: ${(err as Error).message}; the next scheduled run tries again`);
      audit('report_failed', { report: r.name, why: (err as Error).message });
      failed.push((err as Error).message);
    }
    return { sent, failed };
  }
  if (tasks.length > 0) log.info(`reports scheduled: ${cfg.reports.map((r) => `${r.name} (${r.cron}${r.timezone ? ` ${r.timezone}` : ''})`).join(', ')}`);
  return {
    next: () => cfg.reports.map((r, i) => {
      const last = lastRuns.get(r.name);
      return { name: r.name, kind: r.kind, next: tasks[i].getNextRun()?.toISOString() ?? null, ...(last !== undefined ? { last_run: last } : {}), latest_files: latestFiles(r) };
    }),
    file(name) {
      const m = /^([A-Za-z0-9_.-]+)-\d{4}-\d\d-\d\dT[\d-]+Z\.(json|md|html)$/.exec(name);
      const r = m === null ? undefined : cfg.reports.find((x) => name.startsWith(`${x.name}-`));
      if (r === undefined) return undefined;
      for (const t of r.to) {
        if (t.type !== 'file') continue;
        const p = join(t.dir, name);
        if (existsSync(p)) return p;
      }
      return undefined;
    },
    async runNow(name) {
      const r = cfg.reports.find((x) => x.name === name);
      return r === undefined ? undefined : run(r);
    },
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}

/**
 * A report as mail: the Markdown as the text part, the HTML (when html is among the report's
 * formats) as its alternative, and the JSON attached for machines.
 */
function mailOf(r: ReportConfig, t: EmailTarget, doc: ReportDoc, out: (f: ReportFormat) => Rendered, stamp: string): MailMessage {
  const head = doc.headline.text.length > 120 ? `${doc.headline.text.slice(0, 117)}...` : doc.headline.text;
  return {
    subject: t.subject ?? `[siemgate] ${r.kind} report ${r.name}: ${doc.headline.ok ? '' : 'ATTENTION: '}${head}`,
    text: out('markdown').body,
    ...(r.formats.includes('html') ? { html: out('html').body } : {}),
    attachments: [{ filename: `${r.name}-${stamp}.json`, content: out('json').body, contentType: 'application/json' }],
  };
}

const REPORT_EXT = /\.(json|md|html)$/;
/** Whether a file name is one of this report's files (`<name>-<stamp>.<ext>`). */
const isReportFile = (name: string, f: string) => f.startsWith(`${name}-`) && REPORT_EXT.test(f);

/** The files of a report's newest run in its first file target (one per format, same stamp). */
function latestFiles(r: ReportConfig): string[] {
  const t = r.to.find((x) => x.type === 'file');
  if (t === undefined || t.type !== 'file') return [];
  let names: string[];
  try { names = readdirSync(t.dir).filter((f) => isReportFile(r.name, f)); } catch { return []; }
  const stamp = (f: string) => f.slice(r.name.length + 1).replace(REPORT_EXT, '');
  const newest = names.map(stamp).sort().pop();
  return newest === undefined ? [] : names.filter((f) => stamp(f) === newest).sort();
}

/** Deletes this report's files older than the retention. */
function prune(dir: string, name: string, days: number, now: number): void {
  for (const f of readdirSync(dir)) {
    if (!isReportFile(name, f)) continue;
    const p = join(dir, f);
    try {
      if (now - statSync(p).mtimeMs > days * 86_400_000) unlinkSync(p);
    } catch { /* gone already */ }
  }
}
