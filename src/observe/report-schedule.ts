import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
export function startReports(cfg: Config, auditKeyBuf: Buffer | undefined, beforeReport: () => void): ReportSchedule {
  const tasks = cfg.reports.map((r) => cron.schedule(r.cron, () => { run(r); }, { name: `report:${r.name}`, noOverlap: true, ...(r.timezone !== undefined ? { timezone: r.timezone } : {}) }));
  function run(r: ReportConfig): void {
    try {
      beforeReport();
      const now = Date.now();
      const rep = healthReport(cfg, now - r.periodHours * 3_600_000, now, auditKeyBuf);
      const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
      const files: string[] = [];
      for (const t of r.to) {
        mkdirSync(t.dir, { recursive: true });
        for (const f of r.formats) {
          const file = join(t.dir, `${r.name}-${stamp}.${f === 'json' ? 'json' : 'md'}`);
          writeFileSync(`${file}.tmp`, f === 'json' ? `${JSON.stringify(rep, null, 2)}\n` : healthMarkdown(rep));
          renameSync(`${file}.tmp`, file);
          files.push(file);
        }
        prune(t.dir, r.name, t.retentionDays, now);
      }
      log.info(`report ${r.name} (${r.kind}) written: ${files.join(', ')}`);
      audit('report_sent', { report: r.name, kind: r.kind, files, completeness: rep.events.completeness });
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
