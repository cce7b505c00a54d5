import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import axios from 'axios';
import cron from 'node-cron';
import type { Config, ReportConfig } from '../config/types';
import { audit } from './audit';
import { log } from './log';
import { healthMarkdown, healthReport } from './report';

/** The scheduled reports of a running gateway (config `reports:`), one node-cron task each. */
export interface ReportSchedule {
  stop(): Promise<void>;
}

/**
 * Starts one task per report. `beforeReport` lets the gateway write out its current counters
 * first (the stats store writes its hour once a minute otherwise). A report that fails is
 * logged and audited with the reason; the next run tries again.
 */
export function startReports(cfg: Config, auditKeyBuf: Buffer | undefined, beforeReport: () => void, toSiem: (event: string) => void): ReportSchedule {
  const tasks = cfg.reports.map((r) => cron.schedule(r.cron, () => run(r), { name: `report:${r.name}`, noOverlap: true, ...(r.timezone !== undefined ? { timezone: r.timezone } : {}) }));
  async function run(r: ReportConfig): Promise<void> {
    try {
      beforeReport();
      const now = Date.now();
      const rep = healthReport(cfg, now - r.periodHours * 3_600_000, now, auditKeyBuf);
      const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
      const sent: string[] = [];
      const failed: string[] = [];
      for (const t of r.to) {
        if (t.type === 'siem') {
          // an event like any other: journaled, then sent to every destination (ledger included)
          toSiem(JSON.stringify({
            '@timestamp': rep.generated_at, message: `siemgate ${r.kind} report ${r.name}: ${rep.events.completeness}`,
            event: { kind: 'state', dataset: 'siemgate.report', action: `${r.kind}-report` }, siemgate_report: { name: r.name, ...rep },
          }));
          sent.push('siem');
          continue;
        }
        if (t.type === 'webhook') {
          const why = await postWebhook(t.url, t.secret, `${JSON.stringify(rep)}\n`);
          if (why === undefined) sent.push(t.url);
          else failed.push(`${t.url}: ${why}`);
          continue;
        }
        mkdirSync(t.dir, { recursive: true });
        for (const f of r.formats) {
          const file = join(t.dir, `${r.name}-${stamp}.${f === 'json' ? 'json' : 'md'}`);
          writeFileSync(`${file}.tmp`, f === 'json' ? `${JSON.stringify(rep, null, 2)}\n` : healthMarkdown(rep));
          renameSync(`${file}.tmp`, file);
          sent.push(file);
        }
        prune(t.dir, r.name, t.retentionDays, now);
      }
      if (sent.length > 0) {
        log.info(`report ${r.name} (${r.kind}) sent: ${sent.join(', ')}`);
        audit('report_sent', { report: r.name, kind: r.kind, to: sent, completeness: rep.events.completeness });
      }
      if (failed.length > 0) {
        log.error(`report ${r.name}: not delivered to ${failed.join('; ')}; the next scheduled run tries again`);
        audit('report_failed', { report: r.name, why: failed });
      }
    } catch (err) {
      log.error(`report ${r.name}: ${(err as Error).message}; the next scheduled run tries again`);
      audit('report_failed', { report: r.name, why: (err as Error).message });
    }
  }
  if (tasks.length > 0) log.info(`reports scheduled: ${cfg.reports.map((r) => `${r.name} (${r.cron}${r.timezone ? ` ${r.timezone}` : ''})`).join(', ')}`);
  return {
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}

/** Deletes this report's files older than the retention. */
function prune(dir: string, name: string, days: number, now: number): void {
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(`${name}-`) || !/\.(json|md)$/.test(f)) continue;
    const p = join(dir, f);
    try {
      if (now - statSync(p).mtimeMs > days * 86_400_000) unlinkSync(p);
    } catch { /* gone already */ }
  }
}

const WEBHOOK_ATTEMPTS = 3;

/**
 * POSTs the report; 3 attempts with 1 s then 2 s between them (capped: a report is not worth
 * blocking the next one for). With a secret, X-Siemgate-Signature: sha256=<HMAC of the body>.
 * Returns undefined when a 2xx came back, else why not.
 */
async function postWebhook(url: string, secret: string | undefined, body: string): Promise<string | undefined> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'siemgate-report' };
  if (secret !== undefined) headers['X-Siemgate-Signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  let why = '';
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    try {
      const r = await axios.post(url, body, { headers, timeout: 10_000, validateStatus: () => true, transformRequest: [(d: string) => d], maxRedirects: 0 });
      if (r.status >= 200 && r.status < 300) return undefined;
      why = `HTTP ${r.status}`;
    } catch (err) {
      why = (err as Error).message;
    }
    if (attempt < WEBHOOK_ATTEMPTS) await new Promise((res) => setTimeout(res, 1000 * 2 ** (attempt - 1)));
  }
  return `${why} after ${WEBHOOK_ATTEMPTS} attempts`;
}
