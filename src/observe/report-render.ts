import type { Config, ReportFormat } from '../config/types';
import { complianceDoc, complianceReport, type ComplianceReport } from './compliance-report';
import { healthDoc, healthReport, type HealthReport } from './health-report';
import { toMarkdown, type ReportDoc } from './report-doc';
import { toHtml } from './report-html';

/** Either kind of report, and its renderings: one place that knows both. */
export type AnyReport = HealthReport | ComplianceReport;
export type ReportKind = AnyReport['kind'];

export function buildReport(kind: ReportKind, cfg: Config, fromMs: number, toMs: number, auditKey?: Buffer): AnyReport {
  return kind === 'health' ? healthReport(cfg, fromMs, toMs, auditKey) : complianceReport(cfg, fromMs, toMs, auditKey);
}

export function docOf(r: AnyReport): ReportDoc {
  return r.kind === 'health' ? healthDoc(r) : complianceDoc(r);
}

export interface Rendered { body: string; ext: string; contentType: string }

export function render(r: AnyReport, format: ReportFormat, doc: ReportDoc = docOf(r)): Rendered {
  if (format === 'json') return { body: `${JSON.stringify(r, null, 2)}\n`, ext: 'json', contentType: contentTypeOf('json') };
  if (format === 'html') return { body: toHtml(doc), ext: 'html', contentType: contentTypeOf('html') };
  return { body: toMarkdown(doc), ext: 'md', contentType: contentTypeOf('md') };
}

/** The Content-Type of a report file by its extension (json, html, md). */
export function contentTypeOf(ext: string): string {
  return ext === 'html' ? 'text/html; charset=utf-8' : ext === 'json' ? 'application/json' : 'text/markdown; charset=utf-8';
}

/** The headline sentence of a report (what an alert, a subject line or a SIEM event says). */
export function headlineOf(r: AnyReport): string {
  return docOf(r).headline.text;
}
