#!/usr/bin/env node
'use strict';
// npm run bench:parse  (= node bench/parse.js [--n 1000000] [--runs 5] [--max-run-s 1] [--pool 1000]
//                        [--skip-speed] [--skip-correctness] [--no-write] [--examples 6])
//
// 1. Speed, single thread: messages/s for RFC 5424, RFC 3164 and CEF inputs (same inputs for every parser in one run),
//    for our format-specific parser, our parseMessage (with format detection), glossy and nsyslog-parser; "parse" and
//    "parse + JSON.stringify(result)". Method of /work/shared/peer-bench/parse-bench.js: a pool of 1,000 messages, a
//    50,000-message warm-up, N messages per run over the pool, the median (and min-max) of R runs. Differences: runs of
//    the parsers are interleaved (run 1 of every parser, then run 2, ...) so drift hits all alike, each parser gets its
//    own compiled loop (no shared megamorphic call site), and a run is capped at --max-run-s seconds (N is lowered for
//    a slow parser, never raised; the N used is printed) so the defaults finish in about 2-3 minutes.
// 2. Correctness on /work/shared/corpus (see bench/parse-corpus.js).
// 3. Results: bench/results/parse-<YYYYMMDDTHHMMSS>.json and .md, bench/results/parse-latest.md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { loadPeerPool, makeCefPool, poolStats, PEER_MSGS } = require('./parse-messages');
const { runCorrectness, fmtVal, NORMALISATION } = require('./parse-corpus');

// ---------------------------------------------------------------------------------------------------------------
// options

const opt = { n: 1000000, runs: 5, 'max-run-s': 1, pool: 1000, examples: 6, 'skip-speed': false, 'skip-correctness': false, 'no-write': false, warmup: 50000 };
{
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i].replace(/^--/, '');
    if (!(k in opt)) { console.error(`bench/parse: unknown option ${v[i]}`); process.exit(2); }
    if (typeof opt[k] === 'boolean') opt[k] = true;
    else { opt[k] = Number(v[++i]); if (!Number.isFinite(opt[k]) || opt[k] <= 0) { console.error(`bench/parse: bad value for ${v[i - 1]}`); process.exit(2); } }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// parsers

const DIST = path.resolve(__dirname, '../dist/src/parse');
let P;
try {
  // eslint-disable-next-line global-require, import/no-dynamic-require
  P = require(DIST);
} catch (e) {
  console.error(`bench/parse: cannot load the compiled parsers from ${DIST} (${e.message}).\nBuild first: npx tsc -p tsconfig.json`);
  process.exit(1);
}
for (const f of ['parseMessage', 'parseRfc5424', 'parseRfc3164', 'parseCef']) {
  if (typeof P[f] !== 'function') { console.error(`bench/parse: ${DIST} does not export ${f}`); process.exit(1); }
}
const glossy = require('glossy').Parse;
const nsyslog = require('nsyslog-parser');
const pkgVersion = (name) => { try { return require(`${name}/package.json`).version; } catch { return '?'; } };

const ctx = { timezone: 'UTC', now: Date.now() };

// Per format: [label, function, note]. The function bodies are compiled separately for each parser (see makeLoop).
const SPEED_PARSERS = {
  '5424': [
    ['ours parseRfc5424', (s) => P.parseRfc5424(s, ctx), 'SD validated, kept as text (sdText; objects on demand: structuredDataOf)'],
    ['ours parseMessage', (s) => P.parseMessage(s, ctx), 'with format detection + payload probe (CEF/LEEF/JSON/kv); SD as text'],
    ['glossy', (s) => glossy.parse(s), ''],
    ['nsyslog-parser', (s) => nsyslog(s), ''],
  ],
  '3164': [
    ['ours parseRfc3164', (s) => P.parseRfc3164(s, ctx), ''],
    ['ours parseMessage', (s) => P.parseMessage(s, ctx), 'with format detection + payload probe (CEF/LEEF/JSON/kv)'],
    ['glossy', (s) => glossy.parse(s), 'does not split TAG/PID from MSG'],
    ['nsyslog-parser', (s) => nsyslog(s), ''],
  ],
  cef: [
    ['ours parseCef', (s) => P.parseCef(s), 'CEF part only (skips the syslog header with indexOf, does not parse it)'],
    ['ours parseMessage', (s) => P.parseMessage(s, ctx), 'RFC 3164 header + CEF header + extensions'],
    ['glossy', (s) => glossy.parse(s), 'NOT a CEF parse: glossy reads the syslog header only, CEF stays one string'],
    ['nsyslog-parser', (s) => nsyslog(s), 'RFC 3164 header + CEF header + extensions'],
  ],
};
// Which npm parsers really parse the format (for the ratio "ours / faster npm parser").
const NPM_PARSES = { '5424': ['glossy', 'nsyslog-parser'], '3164': ['glossy', 'nsyslog-parser'], cef: ['nsyslog-parser'] };
const FMT_LABEL = { '5424': 'RFC 5424', '3164': 'RFC 3164', cef: 'CEF (RFC 3164 header)' };

// ---------------------------------------------------------------------------------------------------------------
// speed

/** A loop compiled for one parser only (new Function => its own feedback, no shared call site). */
function makeLoop(withJson) {
  // eslint-disable-next-line no-new-func
  return new Function('fn', 'lines', 'n', `
    const m = lines.length;
    let chk = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0, j = 0; i < n; i++) {
      const r = fn(lines[j]);
      ${withJson ? 'chk += JSON.stringify(r).length;' : 'chk += r ? 1 : 0;'}
      if (++j === m) j = 0;
    }
    const ns = Number(process.hrtime.bigint() - t0);
    return [ns, chk];
  `);
}

function median(a) { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; }

function checkOutputs(fmt, name, fn, lines) {
  // What the parser gives back on this pool (so a fast "parse" that parsed nothing is visible).
  let ok = 0; let threw = 0;
  for (const s of lines) {
    let r;
    try { r = fn(s); } catch { threw++; continue; }
    if (!r) continue;
    if (fmt === 'cef') {
      if (name.startsWith('ours parseCef')) ok += r.extensions && Object.keys(r.extensions).length >= 8 ? 1 : 0;
      else if (name.startsWith('ours')) ok += r.cef && Object.keys(r.cef.extensions).length >= 8 ? 1 : 0;
      else if (name === 'nsyslog-parser') ok += r.cef && r.fields && Object.keys(r.fields).length >= 8 ? 1 : 0;
      else ok += r.host ? 1 : 0; // glossy: header only
    } else if (name.startsWith('ours')) ok += r.hostname && (fmt === '3164' || P.structuredDataOf(r)) ? 1 : 0;
    else ok += r.host ? 1 : 0;
  }
  return { parsed: ok, threw, of: lines.length };
}

function runSpeed() {
  const pools = {
    '5424': loadPeerPool('5424', opt.pool),
    '3164': loadPeerPool('3164', opt.pool),
    cef: makeCefPool(opt.pool),
  };
  const rows = [];
  for (const fmt of ['5424', '3164', 'cef']) {
    const lines = pools[fmt];
    for (const withJson of [false, true]) {
      const mode = withJson ? 'parse+JSON.stringify' : 'parse';
      const entries = SPEED_PARSERS[fmt].map(([name, fn, note]) => ({ name, fn, note, loop: makeLoop(withJson), rates: [], n: opt.n, chk: 0 }));
      // warm-up + calibration
      for (const e of entries) {
        e.loop(e.fn, lines, opt.warmup);
        const [ns] = e.loop(e.fn, lines, 20000);
        const est = 20000 / (ns / 1e9);
        e.n = Math.max(20000, Math.min(opt.n, Math.round(est * opt['max-run-s'])));
        if (!withJson) e.check = checkOutputs(fmt, e.name, e.fn, lines);
      }
      for (let run = 0; run < opt.runs; run++) {
        for (const e of entries) {
          const [ns, chk] = e.loop(e.fn, lines, e.n);
          e.rates.push(Math.round(e.n / (ns / 1e9)));
          e.chk += chk;
        }
      }
      for (const e of entries) {
        const row = {
          fmt, mode, parser: e.name, note: e.note, n_per_run: e.n, runs: opt.runs,
          median_per_s: Math.round(median(e.rates)), min_per_s: Math.min(...e.rates), max_per_s: Math.max(...e.rates), rates: e.rates,
        };
        if (e.check) row.pool_check = e.check;
        rows.push(row);
        process.stderr.write(`  ${FMT_LABEL[fmt].padEnd(22)} ${mode.padEnd(21)} ${e.name.padEnd(18)} ${fmtRate(row.median_per_s).padStart(10)}/s  (n=${e.n})\n`);
      }
    }
  }
  // ratios: ours / the faster npm parser that really parses the format
  const ratios = [];
  for (const fmt of ['5424', '3164', 'cef']) {
    for (const mode of ['parse', 'parse+JSON.stringify']) {
      const sel = rows.filter((r) => r.fmt === fmt && r.mode === mode);
      const npm = sel.filter((r) => NPM_PARSES[fmt].includes(r.parser)).sort((a, b) => b.median_per_s - a.median_per_s)[0];
      for (const ours of sel.filter((r) => r.parser.startsWith('ours'))) {
        ratios.push({ fmt, mode, ours: ours.parser, ours_per_s: ours.median_per_s, vs: npm.parser, npm_per_s: npm.median_per_s, ratio: +(ours.median_per_s / npm.median_per_s).toFixed(2) });
      }
    }
  }
  return { pools: Object.fromEntries(Object.entries(pools).map(([k, v]) => [k, poolStats(v)])), rows, ratios };
}

// ---------------------------------------------------------------------------------------------------------------
// rendering

function fmtRate(n) { return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`; }

function table(head, rows) {
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${r.map((c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, '\\n')).join(' | ')} |`);
  return out.join('\n');
}

function renderSpeed(speed) {
  const L = [];
  L.push('## Speed (single thread, messages/s, median of runs, min-max)');
  L.push('');
  const pl = speed.pools;
  L.push(`Inputs (same for every parser): RFC 5424 and RFC 3164 = peer-bench pool \`makePool(fmt, ${pl['5424'].count})\` (${PEER_MSGS}); `
    + `RFC 5424 ${pl['5424'].min_bytes}-${pl['5424'].max_bytes} B (avg ${pl['5424'].avg_bytes}), RFC 3164 ${pl['3164'].min_bytes}-${pl['3164'].max_bytes} B (avg ${pl['3164'].avg_bytes}); `
    + `CEF = bench/parse-messages.js makeCefPool (${pl.cef.count} lines, RFC 3164 header + CEF:0, 8-15 extension pairs with spaces and \\= in values, ${pl.cef.min_bytes}-${pl.cef.max_bytes} B, avg ${pl.cef.avg_bytes}).`);
  L.push('');
  for (const mode of ['parse', 'parse+JSON.stringify']) {
    L.push(`### ${mode}`);
    L.push('');
    const rows = speed.rows.filter((r) => r.mode === mode).map((r) => [
      FMT_LABEL[r.fmt], r.parser, fmtRate(r.median_per_s), `${fmtRate(r.min_per_s)}-${fmtRate(r.max_per_s)}`, r.n_per_run.toLocaleString('en-US'),
      r.pool_check ? `${r.pool_check.parsed}/${r.pool_check.of}${r.pool_check.threw ? ` (${r.pool_check.threw} threw)` : ''}` : '', r.note,
    ]);
    L.push(table(['format', 'parser', 'median/s', 'min-max', 'N per run', 'pool parsed', 'note'], rows));
    L.push('');
  }
  L.push('### Ratio ours ÷ the faster npm parser (target ≥ 5×; CEF: vs nsyslog-parser, glossy does not parse CEF)');
  L.push('');
  L.push(table(['format', 'mode', 'ours', 'ours/s', 'faster npm', 'npm/s', 'ratio', '≥5×'], speed.ratios.map((r) => [
    FMT_LABEL[r.fmt], r.mode, r.ours, fmtRate(r.ours_per_s), r.vs, fmtRate(r.npm_per_s), `${r.ratio.toFixed(2)}×`, r.ratio >= 5 ? 'yes' : 'NO',
  ])));
  L.push('');
  const r5424 = speed.rows.filter((r) => r.fmt === '5424' && r.mode === 'parse' && r.parser.startsWith('ours'));
  L.push(`Target ≥ 1,000,000 RFC 5424 messages/s on one core: ${r5424.map((r) => `${r.parser} ${Math.round(r.median_per_s).toLocaleString('en-US')}/s ${r.median_per_s >= 1e6 ? '(met)' : '(NOT met)'}`).join('; ')}.`);
  L.push('');
  L.push('"pool parsed" = messages of the pool for which the parser returned the main fields (5424: host + SD; 3164: host; CEF: ≥ 8 extension pairs, glossy: header host only).');
  return L.join('\n');
}

function renderCorrectness(corr, maxEx) {
  const L = [];
  L.push('## Correctness on /work/shared/corpus');
  L.push('');
  for (const [key, s] of Object.entries(corr.suites)) {
    L.push(`### ${key}: ${s.desc}`);
    L.push('');
    if (key === 'go_syslog_invalid_5424') {
      L.push(table(['parser', 'cases', 'rejected or flagged', 'accepted as 5424', 'of which invalid UTF-8 only', 'threw'],
        s.rows.map((t) => [t.parser, t.cases, t.rejected_or_flagged, t.accepted, t.accepted_invalid_utf8, t.threw])));
      L.push('');
      const errs = Object.keys(s.rows[0].by_error);
      L.push('Rejected-or-flagged by go-syslog error class:');
      L.push('');
      L.push(table(['go-syslog error', 'cases', ...s.rows.map((t) => t.parser)], errs.map((k) => [
        k.length > 70 ? `${k.slice(0, 67)}...` : k, s.rows[0].by_error[k].cases, ...s.rows.map((t) => t.by_error[k].rejected_or_flagged),
      ])));
      L.push('');
      for (const t of s.rows) {
        if (!t.examples.length) continue;
        L.push(`Examples accepted by **${t.parser}** although go-syslog rejects them:`);
        for (const ex of t.examples.slice(0, maxEx)) L.push(`- \`${ex.id}\` ${fmtVal(ex.input)} — go-syslog: ${ex.expected_error}; got ${ex.accepted_as}`);
        L.push('');
      }
      continue;
    }
    L.push(table(['parser', 'cases', 'agree', 'disagree', 'threw', 'n/a', 'fields agree'], s.rows.map((t) => [
      t.parser, t.cases + t.na, t.agree, t.disagree, t.threw, t.na, t.fields_compared ? `${t.fields_agree}/${t.fields_compared}` : '-',
    ])));
    L.push('');
    const fields = [...new Set(s.rows.flatMap((t) => Object.keys(t.per_field)))];
    if (fields.length) {
      L.push(table(['field', ...s.rows.map((t) => t.parser)], fields.map((f) => [f, ...s.rows.map((t) => (t.per_field[f] ? `${t.per_field[f].agree}/${t.per_field[f].compared}` : 'n/a'))])));
      L.push('');
    }
    for (const t of s.rows) {
      if (!t.examples.length) continue;
      L.push(`Example disagreements, **${t.parser}**:`);
      for (const ex of t.examples.slice(0, maxEx)) {
        if (ex.threw) { L.push(`- \`${ex.id}\` ${fmtVal(ex.input)} — threw: ${ex.threw}`); continue; }
        const d = ex.diffs.map((x) => `${x.field}: expected ${fmtVal(x.expected)}, got ${fmtVal(x.actual)}`).join('; ');
        L.push(`- \`${ex.id}\` ${fmtVal(ex.input)} — ${d}`);
      }
      L.push('');
    }
  }
  L.push('Normalisation: ' + NORMALISATION.join(' '));
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}T${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function main() {
  const started = new Date();
  const env = {
    started: started.toISOString(), node: process.version, v8: process.versions.v8, platform: `${os.platform()} ${os.release()}`,
    cpu: (os.cpus()[0] || {}).model, cpus: os.cpus().length, loadavg_at_start: os.loadavg(),
    parsers: { glossy: pkgVersion('glossy'), 'nsyslog-parser': pkgVersion('nsyslog-parser'), ours: DIST },
    options: { ...opt }, ctx: { timezone: ctx.timezone, now: new Date(ctx.now).toISOString() },
  };
  const md = [`# Parser benchmark (bench/parse.js) — ${started.toISOString()}`, '',
    `Node ${process.version}, ${env.cpu} (${env.cpus} CPUs, load ${env.loadavg_at_start.map((x) => x.toFixed(2)).join(' ')}), glossy ${env.parsers.glossy}, nsyslog-parser ${env.parsers['nsyslog-parser']}, ours = ${DIST}. `
    + `Options: --n ${opt.n} --runs ${opt.runs} --max-run-s ${opt['max-run-s']}.`, ''];
  const result = { env };
  if (!opt['skip-speed']) {
    process.stderr.write('speed:\n');
    result.speed = runSpeed();
    md.push(renderSpeed(result.speed), '');
  }
  if (!opt['skip-correctness']) {
    result.correctness = runCorrectness({ P, glossy, nsyslog, ctx, maxExamples: opt.examples });
    md.push(renderCorrectness(result.correctness, opt.examples), '');
  }
  result.env.duration_s = +((Date.now() - started.getTime()) / 1000).toFixed(1);
  result.env.loadavg_at_end = os.loadavg();
  md.push(`Total time ${result.env.duration_s} s. Load average at start ${env.loadavg_at_start[0].toFixed(2)}, at end ${result.env.loadavg_at_end[0].toFixed(2)} (${env.cpus} CPUs)`
    + `${Math.max(env.loadavg_at_start[0], result.env.loadavg_at_end[0]) > env.cpus - 1 ? ': the machine was busy with other work during this run, so absolute rates are understated and the min-max spread is wide; ratios are taken within the same run (interleaved) and are the more reliable figure.' : '.'}`, '');
  const text = md.join('\n');
  console.log(text);
  if (!opt['no-write']) {
    const dir = path.resolve(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `parse-${stamp(started)}`);
    fs.writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 1)}\n`);
    fs.writeFileSync(`${base}.md`, text);
    fs.writeFileSync(path.join(dir, 'parse-latest.md'), text);
    process.stderr.write(`wrote ${base}.json, ${base}.md, ${path.join(dir, 'parse-latest.md')}\n`);
  }
}

main();
