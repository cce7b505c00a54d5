/**
 * A report as a document: what it says, in sections of text, tables and charts. Each kind of
 * report (health, compliance) builds one; Markdown (here) and HTML (report-html.ts) render it,
 * so the formats never say different things.
 */
export interface ReportDoc {
  title: string;
  /** Period, generation time, gateway. */
  subtitle: string;
  /** The one sentence a reader must see first (e.g. "events lost: 0 …"), and whether it is good news. */
  headline: { text: string; ok: boolean };
  sections: ReportSection[];
}

export interface ReportSection {
  heading: string;
  blocks: ReportBlock[];
}

export type Tone = 'ok' | 'warn' | 'bad';

export type ReportBlock =
  | { kind: 'text'; text: string; tone?: Tone }
  | { kind: 'table'; head: string[]; rows: Array<Array<string | number>>; empty?: string }
  /** A line chart: one value per label (e.g. per hour) for each series. */
  | { kind: 'chart'; title: string; unit: string; labels: string[]; series: Array<{ name: string; values: number[] }> };

/** Markdown: what a ticket or an e-mail's text part carries. Charts become their table. */
export function toMarkdown(doc: ReportDoc): string {
  const out: string[] = [`# ${doc.title}`, '', doc.subtitle, '', `**${doc.headline.ok ? '' : 'ATTENTION: '}${doc.headline.text}**`, ''];
  for (const s of doc.sections) {
    out.push(`## ${s.heading}`, '');
    for (const b of s.blocks) {
      if (b.kind === 'text') out.push(b.tone === 'bad' ? `**${b.text}**` : b.text, '');
      else if (b.kind === 'table') out.push(b.rows.length === 0 ? `_${b.empty ?? 'none'}_` : table(b.head, b.rows), '');
      else out.push(`${b.title} (${b.unit}):`, '', chartTable(b), '');
    }
  }
  return out.join('\n');
}

const cell = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(head: string[], rows: Array<Array<string | number>>): string {
  return [`| ${head.map(cell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** A chart's data as a table: a row per series, its total first (hourly columns would not fit). */
function chartTable(b: Extract<ReportBlock, { kind: 'chart' }>): string {
  if (b.series.length === 0) return '_no data_';
  return table(['series', 'total', 'peak', 'peak at'], b.series.map((s) => {
    const p = peakOf(s.values);
    return [s.name, sumOf(s.values), p.value, p.value > 0 ? b.labels[p.at] ?? '' : '-'];
  }));
}

/** A series' highest value above zero (the first, if repeated) and where; 0 at 0 when none. Both renderings use it. */
export function peakOf(values: number[]): { value: number; at: number } {
  let value = 0;
  let at = 0;
  values.forEach((v, i) => { if (v > value) { value = v; at = i; } });
  return { value, at };
}

export const sumOf = (values: number[]) => values.reduce((a, v) => a + v, 0);
