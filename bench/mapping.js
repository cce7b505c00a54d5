#!/usr/bin/env node
'use strict';
// npm run bench:mapping: what classify+map costs, per product, on one core.
// For each product: its corpus lines (every ../shared/corpus line it recognises, else its mapping
// examples), run through the per-event path (processBatch: parse, classify, map, serialize, journal
// record) with the mappings and without; events/s of each and the cost the mapping adds. Plus the
// peer-bench message pool (bench:ingest's load) as a whole. Writes bench/results/mapping-<ts>.{json,md}.
// usage: npm run bench:mapping [-- --min-ms 300]
const fs = require('fs');
const path = require('path');
const { createMapper } = require('../dist/src/mapping');
const { processBatch } = require('../dist/src/pipeline/process-batch');
const { parseMessage } = require('../dist/src/parse');
const { makePool } = require('../../shared/peer-bench/msgs.js');
const { batchOf } = require('./raw-batch');

const REPO = path.resolve(__dirname, '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
const minMs = Number(process.argv[process.argv.indexOf('--min-ms') + 1]) || 300;
const mapper = createMapper();


function rate(batch, m) {
  for (let i = 0; i < 20; i++) processBatch(batch, {}, m); // warm up
  let n = 0;
  const t0 = process.hrtime.bigint();
  let dt = 0;
  do {
    processBatch(batch, {}, m);
    n += batch.count;
    dt = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (dt < minMs);
  return (n / dt) * 1000;
}

// corpus lines per recognised product
const byProduct = new Map();
// lines no mapping claims: what classifying costs when it finds nothing (every pattern tried)
const unclaimed = [];
const now = Date.now();
for (const dir of fs.readdirSync(CORPUS)) {
  const d = path.join(CORPUS, dir);
  if (!fs.statSync(d).isDirectory()) continue;
  for (const f of fs.readdirSync(d).filter((x) => x.endsWith('.log'))) {
    for (const line of fs.readFileSync(path.join(d, f), 'utf8').split('\n')) {
      const l = line.replace(/\r$/, '');
      if (l === '') continue;
      const m = mapper.map({ parsed: parseMessage(l, { timezone: 'UTC', now }), raw: l, input: 'bench', peerIp: '', timezone: 'UTC', now });
      if (m === undefined) {
        if (unclaimed.length < 2000) unclaimed.push(l);
        continue;
      }
      const list = byProduct.get(m.product) ?? [];
      if (list.length < 2000) list.push(l);
      byProduct.set(m.product, list);
    }
  }
}
for (const ex of mapper.examples) if (!byProduct.has(ex.product)) byProduct.set(ex.product, mapper.examples.filter((e) => e.product === ex.product).map((e) => e.raw));

const rows = [];
for (const [product, lines] of [...byProduct].sort()) {
  const b = batchOf(lines);
  const plain = rate(b, undefined);
  const mapped = rate(b, mapper);
  rows.push({ product, lines: lines.length, plain, mapped, cost: 1 - mapped / plain });
}
if (unclaimed.length > 0) {
  const b = batchOf(unclaimed);
  const plain = rate(b, undefined);
  const mapped = rate(b, mapper);
  rows.push({ product: '(no product: corpus lines no mapping claims)', lines: unclaimed.length, plain, mapped, cost: 1 - mapped / plain });
}
const pool = makePool('5424', 1000);
const pb = batchOf(pool);
const poolRow = { product: 'peer-bench pool (bench:ingest load: ASA, UFW, filterlog; RFC 5424)', lines: pool.length, plain: rate(pb, undefined), mapped: rate(pb, mapper) };
poolRow.cost = 1 - poolRow.mapped / poolRow.plain;
rows.push(poolRow);

const k = (x) => `${(x / 1000).toFixed(0)}k`;
const md = [`# mapping cost ${new Date().toISOString()}`, '',
  `node ${process.version}, one core, processBatch (parse, classify, map, serialize, journal record) per product on its corpus lines; each rate measured for ≥ ${minMs} ms.`,
  'Target (issue 6): mapping keeps the end-to-end ingest path within 25% of its unmapped speed.', '',
  '| product | lines | events/s unmapped | events/s mapped | mapping costs |', '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.product} | ${r.lines} | ${k(r.plain)} | ${k(r.mapped)} | ${(100 * r.cost).toFixed(0)}% |`)].join('\n') + '\n';
process.stdout.write(md);
const ts = new Date().toISOString().replace(/[:-]/g, '').slice(0, 15);
const out = path.join(REPO, 'bench/results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, `mapping-${ts}.json`), JSON.stringify(rows, null, 1) + '\n');
fs.writeFileSync(path.join(out, `mapping-${ts}.md`), md);
fs.writeFileSync(path.join(out, 'mapping-latest.md'), md);
