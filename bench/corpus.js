#!/usr/bin/env node
'use strict';
// npm run corpus: how our product mappings agree with what others expect, on ../shared/corpus.
//  1. Splunk sourcetype: ours vs Splunk Connect for Syslog's (sc4s_sourcetypes.jsonl, 764 messages).
//     Rows SC4S recognises by a dedicated port are run through an input assigned to a product, as
//     an operator would configure `mappings.assign` for that port, and host names SC4S's tests
//     assign likewise (bench/corpus-assign.json); every other row is recognised from the message.
//     Compared as SC4S's tests search Splunk: sourcetype="…" is case-insensitive with * wildcards.
//  2. Key fields: ours vs the ECS documents Elastic's integrations (elastic_*.expected.json) and
//     Wazuh's engine (wazuh_engine_*.expected.json) expect, on KEY_FIELDS, counted only where the
//     expected document sets the field.
// Prints a table per product and writes bench/results/corpus.{json,md}. Needs a build (npm run build).
// usage: npm run corpus [-- --show-disagreements N]
const fs = require('fs');
const path = require('path');
const { createMapper } = require('../dist/src/mapping');
const { batchContext, processOne } = require('../dist/src/pipeline');

const REPO = path.resolve(__dirname, '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
const OUT = path.join(REPO, 'bench/results');
const show = Number((process.argv.indexOf('--show-disagreements') >= 0 && process.argv[process.argv.indexOf('--show-disagreements') + 1]) || 0);

const KEY_FIELDS = ['source.ip', 'source.port', 'destination.ip', 'destination.port', 'network.transport', 'event.action',
  'event.outcome', 'event.category', 'user.name', 'observer.vendor', 'observer.product', 'host.hostname', '@timestamp'];
// What the HEC connector sends when no mapping recognised the event (connectors/splunk-hec/encode.ts).
const HEC_DEFAULT = { rfc5424: 'syslog', rfc3164: 'syslog', cef: 'cef', leef: 'leef', json: '_json', kv: 'syslog', unknown: 'syslog' };
// What an operator would configure as `mappings.assign` for the rows SC4S recognises by where they
// come from rather than by their text: its dedicated ports, and host names its test suite uses.
// Such a row is sent to an input named port<N>; host assignments apply to every row.
const ASSIGN = loadAssign();
const PORT_PRODUCTS = Object.fromEntries(ASSIGN.flatMap((a) => (a.ports ?? []).map((p) => [p, a.product])));

function loadAssign() {
  const f = path.join(__dirname, 'corpus-assign.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : [];
}

const assign = ASSIGN.map((a) => ({ product: a.product, inputs: (a.ports ?? []).map((p) => `port${p}`), sources: [], hosts: a.hosts ?? [] }));
const mapper = createMapper({ assign });
const known = new Set(mapper.sources.map((s) => s.product));
for (const a of assign) if (!known.has(a.product)) { console.error(`corpus: bench/corpus-assign.json names product ${a.product}, which no mapping defines`); process.exit(2); }

const NOW = Date.UTC(2024, 0, 15, 12, 34, 56);
let thrown = 0;
function run(raw, input = 'corpus') {
  try {
    return processOne(raw, 0, { input, transport: 'udp', ip: '', port: 0 }, undefined, batchContext(NOW), { timezone: 'UTC', now: NOW }, mapper);
  } catch (err) {
    thrown++;
    console.error(`corpus: THREW on ${JSON.stringify(raw.slice(0, 120))}: ${err.stack}`);
    return undefined;
  }
}

// ---- 1. sourcetypes
const sc4s = fs.readFileSync(path.join(CORPUS, 'sc4s_sourcetypes.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const stByVendor = new Map();
const stMisses = [];
let stAgree = 0;
for (const row of sc4s) {
  const port = row.dest_port !== 514 && PORT_PRODUCTS[row.dest_port] ? row.dest_port : undefined;
  const lines = String(row.sample_message).split('\n').filter((l) => l.trim() !== '');
  let first = lines[0] ?? '';
  // port 601 is RFC 6587 over TCP: the test wrote the octet count, which the TCP input takes off
  if (row.dest_port === 601) first = first.replace(/^\d+ (?=<)/, '');
  const r = run(first, port ? `port${port}` : 'corpus');
  const ours = r === undefined ? '(threw)' : r.mapped?.sourcetype ?? HEC_DEFAULT[r.format];
  // SC4S's tests search Splunk with sourcetype="…": case-insensitive, * a wildcard
  const want = String(row.expected_sourcetype).split('|').map((w) => new RegExp(`^${w.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i'));
  const ok = want.some((re) => re.test(ours));
  if (ok) stAgree++;
  else stMisses.push({ vendor: row.vendor, product: row.product, test: row.sc4s_test, expected: row.expected_sourcetype, ours, product_id: r?.mapped?.product ?? null, message: lines[0]?.slice(0, 200) });
  const k = `${row.vendor}/${row.product}`;
  const v = stByVendor.get(k) ?? { rows: 0, agree: 0 };
  v.rows++;
  if (ok) v.agree++;
  stByVendor.set(k, v);
}

// ---- 2. key fields
function at(doc, p) {
  if (doc == null) return undefined;
  if (p in doc) return doc[p];
  let v = doc;
  for (const k of p.split('.')) { if (v == null || typeof v !== 'object') return undefined; v = v[k]; }
  return v;
}
const norm = (v) => (Array.isArray(v) ? JSON.stringify(v.map(String).sort()) : String(v).toLowerCase());
const noYear = (raw) => !/\b(19|20)\d\d\b/.test(raw.slice(0, 60));
function same(field, ours, want, raw) {
  if (ours === undefined) return false;
  if (field === '@timestamp') {
    const a = Date.parse(ours), b = Date.parse(want);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    if (a === b) return true;
    // a year-less BSD stamp: the year is the receiver's guess; compare month..millisecond
    return noYear(raw) && String(ours).slice(4) === new Date(b).toISOString().slice(4);
  }
  return norm(ours) === norm(want);
}
const files = [];
for (const dir of fs.readdirSync(CORPUS).sort()) {
  const d = path.join(CORPUS, dir);
  if (!fs.statSync(d).isDirectory()) continue;
  for (const f of fs.readdirSync(d).sort()) {
    const m = /^((elastic|wazuh_engine)_.*)\.expected\.json$/.exec(f);
    if (m) files.push({ folder: dir, name: m[1], source: m[2], expected: path.join(d, f), log: path.join(d, `${m[1]}.log`) });
  }
}
const kfByProduct = new Map();
const kfMisses = [];
let pairs = 0, agree = 0;
const perFile = [];
for (const f of files) {
  if (!fs.existsSync(f.log)) continue;
  const raw = fs.readFileSync(f.log, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  if (raw[raw.length - 1] === '') raw.pop();
  const j = JSON.parse(fs.readFileSync(f.expected, 'utf8'));
  const expected = Array.isArray(j) ? j : j.expected;
  if (!Array.isArray(expected) || expected.length === 0) continue;
  const n = Math.min(raw.length, expected.length);
  const fileStat = { file: `${f.folder}/${f.name}`, source: f.source, lines: n, recognised: 0, pairs: 0, agree: 0 };
  for (let i = 0; i < n; i++) {
    const r = run(raw[i]);
    if (r === undefined) continue;
    if (r.mapped) fileStat.recognised++;
    const doc = JSON.parse(r.line);
    const prod = r.mapped?.product ?? `(unrecognised: ${f.folder})`;
    const p = kfByProduct.get(prod) ?? { pairs: 0, agree: 0, fields: {} };
    for (const field of KEY_FIELDS) {
      const want = at(expected[i], field);
      if (want === undefined || want === null || want === '') continue;
      const ours = at(doc, field);
      const ok = same(field, ours, want, raw[i]);
      pairs++; fileStat.pairs++; p.pairs++;
      const fs_ = (p.fields[field] ??= { pairs: 0, agree: 0 });
      fs_.pairs++;
      if (ok) { agree++; fileStat.agree++; p.agree++; fs_.agree++; }
      else kfMisses.push({ file: fileStat.file, line: i + 1, field, expected: want, ours: ours ?? null });
    }
    kfByProduct.set(prod, p);
  }
  perFile.push(fileStat);
}

// ---- report
const pct = (a, b) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
const md = [];
md.push(`# corpus agreement ${new Date().toISOString()}`, '');
md.push(`mappings: ${mapper.sources.length} products (the list: bench/results/corpus.json); samples that threw: ${thrown}`, '');
md.push(`## Splunk sourcetype vs SC4S (${sc4s.length} messages): **${pct(stAgree, sc4s.length)}** agree (target ≥ 95%)`, '');
md.push('| SC4S vendor/product | rows | agree | % |', '|---|---|---|---|');
for (const [k, v] of [...stByVendor].sort((a, b) => b[1].rows - a[1].rows)) md.push(`| ${k} | ${v.rows} | ${v.agree} | ${pct(v.agree, v.rows)} |`);
md.push('', `## Key fields vs Elastic / Wazuh-engine expected documents: **${pct(agree, pairs)}** of ${pairs} (sample, field) pairs (target ≥ 90%)`, '');
md.push(`fields: ${KEY_FIELDS.join(', ')}; counted where the expected document sets the field. @timestamp of a year-less RFC 3164 stamp is compared without the year (the year is the receiver's inference).`, '');
md.push('| product (ours) | pairs | agree | % | weakest fields |', '|---|---|---|---|---|');
for (const [k, v] of [...kfByProduct].sort((a, b) => b[1].pairs - a[1].pairs)) {
  const weak = Object.entries(v.fields).filter(([, x]) => x.agree < x.pairs).sort((a, b) => a[1].agree / a[1].pairs - b[1].agree / b[1].pairs).slice(0, 3)
    .map(([f, x]) => `${f} ${x.agree}/${x.pairs}`).join(', ');
  md.push(`| ${k} | ${v.pairs} | ${v.agree} | ${pct(v.agree, v.pairs)} | ${weak} |`);
}
md.push('', '| corpus file | expected by | lines | recognised | pairs | agree |', '|---|---|---|---|---|---|');
for (const f of perFile) md.push(`| ${f.file} | ${f.source} | ${f.lines} | ${f.recognised} | ${f.pairs} | ${pct(f.agree, f.pairs)} |`);
const text = md.join('\n') + '\n';
process.stdout.write(text);
if (show > 0) {
  console.log('\nsourcetype disagreements:');
  for (const m of stMisses.slice(0, show)) console.log(JSON.stringify(m));
  console.log('\nkey-field disagreements:');
  for (const m of kfMisses.slice(0, show)) console.log(JSON.stringify(m));
}
fs.mkdirSync(OUT, { recursive: true });
const result = {
  at: new Date().toISOString(), products: mapper.sources.map((s) => s.product), thrown,
  sourcetype: { rows: sc4s.length, agree: stAgree, pct: (100 * stAgree) / sc4s.length, byVendor: Object.fromEntries(stByVendor), disagreements: stMisses },
  keyFields: { fields: KEY_FIELDS, pairs, agree, pct: pairs ? (100 * agree) / pairs : null, byProduct: Object.fromEntries(kfByProduct), files: perFile, disagreements: kfMisses },
};
fs.writeFileSync(path.join(OUT, 'corpus.json'), JSON.stringify(result, null, 1) + '\n');
fs.writeFileSync(path.join(OUT, 'corpus.md'), text);
console.log(`written: bench/results/corpus.{json,md}`);
process.exitCode = thrown > 0 ? 1 : 0;
