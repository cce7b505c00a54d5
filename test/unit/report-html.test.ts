import type { ReportBlock, ReportDoc } from '../../src/observe/report-doc';
import { toHtml } from '../../src/observe/report-html';

type Chart = Extract<ReportBlock, { kind: 'chart' }>;

function doc(blocks: ReportBlock[], over: Partial<ReportDoc> = {}): ReportDoc {
  return { title: 'Health report', subtitle: '2026-11-22 12:00 – 2026-11-23 12:00 UTC, gw01', headline: { text: 'events lost: 0', ok: true }, sections: [{ heading: 'Events', blocks }], ...over };
}

const hours = (n: number, from = Date.UTC(2026, 10, 22, 12)) => Array.from({ length: n }, (_, i) => new Date(from + i * 3600_000).toISOString());

function chart(series: Chart['series'], labels = hours(24)): Chart {
  return { kind: 'chart', title: 'Events per input', unit: 'events/hour', labels, series };
}

/** The series group of each chart's SVG, and its legend table. */
const seriesGroup = (html: string) => /<g class="series">([\s\S]*?)<\/g>/.exec(html)?.[1] ?? '';
const legendRows = (html: string) => [...(/<table class="legend"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
const polylines = (html: string) => [...seriesGroup(html).matchAll(/<polyline ([^>]*)>/g)].map((m) => m[1]);
const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const points = (tag: string) => attr(tag, 'points')!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
const rx = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];

const wave = (n: number, base: number, amp: number, phase: number) => Array.from({ length: n }, (_, i) => Math.round(base + amp * Math.sin(i / 3 + phase)));

describe('toHtml', () => {
  test('is one self-contained file: charset and viewport, no script, no URL, no web font', () => {
    const html = toHtml(doc([
      { kind: 'text', text: 'All inputs received events.' },
      { kind: 'table', head: ['input', 'events'], rows: [['fw', 1200]] },
      chart([{ name: 'fw', values: wave(24, 100, 50, 0) }, { name: 'web', values: wave(24, 60, 30, 1) }]),
    ]));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<meta name="viewport" content="width=device-width[^"]*">/);
    expect(html).toContain('<svg ');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toContain('//'); // also no protocol-relative URL
    expect(html).not.toMatch(/\b(src|href|srcset|background)\s*=|url\(|@import|@font-face/i);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|image|use)\b/i);
    // The page's width: the container and the chart stay within 760 px.
    expect(html).toContain('max-width:760px');
    for (const m of html.matchAll(/\bwidth="(\d+)"/g)) expect(Number(m[1])).toBeLessThanOrEqual(760);
  });

  test('network-supplied names are text everywhere: headings, cells, legend, tooltips, headline', () => {
    const host = '<script>alert(1)</script>';
    const quote = '"onload=alert(2) x="';
    const img = "<img src=x onerror='alert(3)'>";
    const html = toHtml({
      title: `Report <b>${host}</b>`,
      subtitle: `gw ${quote}`,
      headline: { text: `lost on ${host}`, ok: false },
      sections: [{
        heading: `Sender ${host}`,
        blocks: [
          { kind: 'text', text: `quiet: ${img}`, tone: 'warn' },
          { kind: 'table', head: [`col ${quote}`, 'events'], rows: [[host, 5], [quote, 7]] },
          { kind: 'chart', title: `chart ${img}`, unit: `u ${quote}`, labels: [host, quote, 'c'], series: [{ name: host, values: [1, 2, 3] }, { name: quote, values: [3, 2, 1] }] },
        ],
      }],
    });
    const escHost = '&lt;script&gt;alert(1)&lt;/script&gt;';
    const escQuote = '&quot;onload=alert(2) x=&quot;';
    const [rHost, rQuote] = [rx(escHost), rx(escQuote)];
    expect(html).not.toContain(host);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('"onload=');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toMatch(new RegExp(`<h2[^>]*>Sender ${rHost}</h2>`));
    expect(html).toMatch(new RegExp(`<td[^>]*>${rHost}</td>`));
    expect(html).toMatch(new RegExp(`<td[^>]*>${rQuote}</td>`));
    expect(html).toMatch(new RegExp(`<th[^>]*>col ${rQuote}</th>`));
    expect(html).toContain(`<title>Report &lt;b&gt;${escHost}&lt;/b&gt;</title>`);
    expect(html).toMatch(new RegExp(`<div class="headline[^>]*>ATTENTION: lost on ${rHost}</div>`));
    expect(html).toContain('quiet: &lt;img src=x onerror=&#39;alert(3)&#39;&gt;');
    const legend = legendRows(html);
    expect(legend).toHaveLength(2);
    expect(legend[0]).toMatch(new RegExp(`<td[^>]*>${rHost}</td>`));
    expect(legend[1]).toMatch(new RegExp(`<td[^>]*>${rQuote}</td>`));
    // Tooltips in the SVG: the series' and the per-label ones, and the chart's aria-label.
    expect(seriesGroup(html)).toContain(`<title>${escHost}: total 6`);
    expect(seriesGroup(html)).toContain(`<title>${escQuote}: total 6`);
    expect(html).toContain(`<title>${escHost}: ${escHost} 1, ${escQuote} 3</title>`);
    expect(html).toMatch(/aria-label="chart &lt;img src=x onerror=&#39;alert\(3\)&#39;&gt; \(u &quot;onload=alert\(2\) x=&quot;\)"/);
    // The footer carries the escaped subtitle.
    expect(html).toContain(`Generated by siemgate · gw ${escQuote}`);
  });

  test('a control character in a name does not make the file invalid', () => {
    const html = toHtml(doc([{ kind: 'table', head: ['host'], rows: [['fw\u0000\u001b01']] }]));
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    expect(html).toContain('fw\uFFFD\uFFFD01');
  });

  test('a chart with 3 series: 3 lines in 3 colours, and a legend naming each with its colour', () => {
    const html = toHtml(doc([chart([
      { name: 'fw', values: wave(24, 900, 300, 0) },
      { name: 'web', values: wave(24, 500, 200, 2) },
      { name: 'dns', values: wave(24, 150, 100, 4) },
    ])]));
    const lines = polylines(html);
    expect(lines).toHaveLength(3);
    const strokes = lines.map((l) => attr(l, 'stroke')!);
    expect(new Set(strokes).size).toBe(3);
    for (const s of strokes) expect(s).toMatch(/^#[0-9a-f]{6}$/);
    for (const l of lines) expect(points(l)).toHaveLength(24);
    const legend = legendRows(html);
    expect(legend).toHaveLength(3);
    // Each legend entry's swatch is the colour of the line whose tooltip names the same series.
    for (const [i, name] of ['fw', 'web', 'dns'].entries()) {
      expect(legend[i]).toContain(`>${name}</td>`);
      const swatch = /background-color:(#[0-9a-f]{6})/.exec(legend[i])![1];
      const line = [...seriesGroup(html).matchAll(/<polyline ([^>]*)><title>([^:<]*):/g)].find((m) => m[2] === name)!;
      expect(attr(line[1], 'stroke')).toBe(swatch);
    }
    // Axes, gridlines with round labels, and thinned x labels of the short form.
    const yLabels = [...(/<g class="y-axis">([\s\S]*?)<\/g>/.exec(html)![1]).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(yLabels).toEqual(['0', '500', '1,000', '1,500']);
    const xLabels = [...(/<g class="x-axis">([\s\S]*?)<\/g>/.exec(html)![1]).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(xLabels).toEqual(['22 Nov 12:00', '16:00', '20:00', '23 Nov 00:00', '04:00', '08:00']);
    // One hover column per label, with the exact figures.
    expect(html.match(/<rect /g)).toHaveLength(24);
    const first = (s: number) => wave(24, [900, 500, 150][s], [300, 200, 100][s], [0, 2, 4][s])[0];
    expect(html).toContain(`<title>2026-11-22T12:00:00.000Z: fw ${first(0)}, web ${first(1)}, dns ${first(2)}</title>`);
  });

  test('more than 12 series: the 11 largest are drawn and the rest summed into "other", said in the legend', () => {
    const series = Array.from({ length: 15 }, (_, k) => ({ name: `host${k}`, values: Array.from({ length: 24 }, (_, i) => (k + 1) * 10 + (i % 3)) }));
    // Shuffle so "largest" is not simply "first".
    const order = [3, 14, 0, 9, 7, 1, 12, 5, 10, 2, 13, 6, 4, 11, 8];
    const html = toHtml(doc([chart(order.map((k) => series[k]))]));
    const lines = polylines(html);
    expect(lines).toHaveLength(12);
    const legend = legendRows(html);
    expect(legend).toHaveLength(12);
    const names = legend.map((r) => /<td[^>]*>([^<]*)<\/td>/g.exec(r.replace(/^<td[^>]*><span[^>]*><\/span><\/td>/, ''))![1]);
    // The smallest four (host0..host3) are summed; the others keep their given order.
    expect(names.slice(0, 11)).toEqual(order.filter((k) => k >= 4).map((k) => `host${k}`));
    expect(names[11]).toBe('other (4 more series, summed)');
    const otherTotal = [0, 1, 2, 3].reduce((a, k) => a + series[k].values.reduce((x, v) => x + v, 0), 0);
    expect(legend[11]).toContain(`>${otherTotal.toLocaleString('en-US')}</td>`);
    expect(seriesGroup(html)).toContain(`<title>other (4 more series, summed): total ${otherTotal.toLocaleString('en-US')},`);
    expect(html).not.toMatch(/>host[0-3]</);
    // The named series all have distinct colours; "other" is dashed.
    const named = lines.filter((l) => !l.includes('stroke-dasharray'));
    expect(named).toHaveLength(11);
    expect(new Set(named.map((l) => attr(l, 'stroke'))).size).toBe(11);
  });

  test('a chart with no series says "no data" and draws no SVG', () => {
    const html = toHtml(doc([chart([])]));
    expect(html).toMatch(/Events per input \(events\/hour\)<\/p><p[^>]*>no data<\/p>/);
    expect(html).not.toContain('<svg');
  });

  test('all-zero values: a flat line on the axis and a sane scale', () => {
    const html = toHtml(doc([chart([{ name: 'idle', values: new Array(24).fill(0) }])]));
    expect(html).not.toMatch(/NaN|Infinity/);
    const [line] = polylines(html);
    const ys = new Set(points(line).map((p) => p[1]));
    expect(ys.size).toBe(1);
    const axisY = Number(/<line x1="62" y1="([\d.]+)" x2="686" y2="\1" stroke="#8c959f"/.exec(html)![1]);
    expect([...ys][0]).toBe(axisY);
    const yLabels = [...(/<g class="y-axis">([\s\S]*?)<\/g>/.exec(html)![1]).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(yLabels).toEqual(['0', '1']);
    expect(legendRows(html)[0]).toMatch(/>0<\/td><td[^>]*>0<\/td><td[^>]*>-<\/td>$/);
  });

  test('one label only: points, not a line', () => {
    const html = toHtml(doc([chart([{ name: 'a', values: [5] }, { name: 'b', values: [9] }], ['2026-11-23T10:00:00Z'])]));
    expect(polylines(html)).toHaveLength(0);
    const circles = [...seriesGroup(html).matchAll(/<circle ([^>]*)>/g)].map((m) => m[1]);
    expect(circles).toHaveLength(2);
    expect(new Set(circles.map((c) => attr(c, 'fill'))).size).toBe(2);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).toContain('>23 Nov 10:00</text>');
  });

  test('thousands of labels: a file of sane size that still shows a one-hour burst and a one-hour silence', () => {
    const n = 5000;
    const labels = hours(n);
    const series = Array.from({ length: 20 }, (_, k) => ({ name: `s${k}`, values: wave(n, 1200 - k * 10, 100, k) }));
    series[0].values[2500] = 5000; // a burst
    series[1].values[3700] = 0; // a sender gone quiet
    const html = toHtml(doc([chart(series, labels)]));
    expect(html.length).toBeLessThan(250_000);
    const lines = polylines(html);
    expect(lines).toHaveLength(12);
    for (const l of lines) expect(points(l).length).toBeLessThanOrEqual(700);
    const byName = (name: string) => [...seriesGroup(html).matchAll(/<polyline ([^>]*)><title>([^:<]*):/g)].find((m) => m[2] === name)![1];
    const axisY = Number(/<line x1="62" y1="([\d.]+)" x2="686" y2="\1" stroke="#8c959f"/.exec(html)![1]);
    const top = Math.min(...points(byName('s0')).map((p) => p[1]));
    const others = Math.min(...points(byName('s2')).map((p) => p[1]));
    expect(top).toBeLessThan(others - 50); // the burst reaches far above the others' band
    expect(Math.max(...points(byName('s1')).map((p) => p[1]))).toBe(axisY); // the silence reaches zero
    expect(html).not.toContain('<rect '); // no per-label hover columns at this density
    const xLabels = [...(/<g class="x-axis">([\s\S]*?)<\/g>/.exec(html)![1]).matchAll(/<text[^>]*>([^<]*)<\/text>/g)];
    expect(xLabels.length).toBeGreaterThan(1);
    expect(xLabels.length).toBeLessThanOrEqual(8);
  });

  test('an empty table shows its "empty" text (or "none")', () => {
    const html = toHtml(doc([
      { kind: 'table', head: ['destination', 'dead letters'], rows: [], empty: 'no dead letters' },
      { kind: 'table', head: ['sender'], rows: [] },
    ]));
    expect(html).toMatch(/<p[^>]*font-style:italic;[^>]*>no dead letters<\/p>/);
    expect(html).toMatch(/<p[^>]*font-style:italic;[^>]*>none<\/p>/);
    expect(html).not.toContain('<th');
    expect(html).not.toContain('dead letters</th>');
  });

  test('numbers in tables get thousands separators; strings stay as they are', () => {
    const html = toHtml(doc([{ kind: 'table', head: ['what', 'n'], rows: [['1234567', 1234567], ['x', 0.125], ['y', -9876.5], ['z', 999]] }]));
    expect(html).toMatch(/<td[^>]*>1234567<\/td><td[^>]*text-align:right;[^>]*>1,234,567<\/td>/);
    expect(html).toMatch(/>0\.125<\/td>/);
    expect(html).toMatch(/>-9,876\.5<\/td>/);
    expect(html).toMatch(/>999<\/td>/);
  });

  test('the headline box is green-ish when ok and red-ish with ATTENTION when not', () => {
    const box = (ok: boolean) => {
      const m = /<div class="headline[^"]*" style="([^"]*)">([^<]*)<\/div>/.exec(toHtml(doc([], { headline: { text: 'events lost: 3', ok } })))!;
      const [r, g] = hex(/background-color:(#[0-9a-f]{6})/.exec(m[1])![1]);
      return { r, g, text: m[2] };
    };
    const good = box(true);
    expect(good.g).toBeGreaterThan(good.r);
    expect(good.text).toBe('events lost: 3');
    const bad = box(false);
    expect(bad.r).toBeGreaterThan(bad.g);
    expect(bad.text).toBe('ATTENTION: events lost: 3');
  });

  test('text blocks: bad is red and bold, warn is amber, untoned is plain', () => {
    const html = toHtml(doc([
      { kind: 'text', text: 'plain words' },
      { kind: 'text', text: 'watch this', tone: 'warn' },
      { kind: 'text', text: 'this is broken', tone: 'bad' },
    ]));
    const style = (t: string) => new RegExp(`<p style="([^"]*)">${t}</p>`).exec(html)![1];
    expect(style('plain words')).not.toMatch(/color:/);
    const [wr, wg, wb] = hex(/color:(#[0-9a-f]{6})/.exec(style('watch this'))![1]);
    expect(wr).toBeGreaterThan(wb);
    expect(wg).toBeGreaterThan(wb); // amber: red and green over blue
    const [br, bg] = hex(/color:(#[0-9a-f]{6})/.exec(style('this is broken'))![1]);
    expect(br).toBeGreaterThan(2 * bg);
    expect(style('this is broken')).toContain('font-weight:bold');
  });

  test('the footer names siemgate and repeats the subtitle', () => {
    const html = toHtml(doc([]));
    expect(html).toMatch(/<p[^>]*>Generated by siemgate · 2026-11-22 12:00 – 2026-11-23 12:00 UTC, gw01<\/p>\s*<\/td><\/tr><\/table>/);
  });
});
