#!/usr/bin/env node
'use strict';
// npm run bench:serialize  (= node bench/serialize.js [--runs 9] [--batches 4] [--reps 2] [--only before|after|parse]
//                            [--fmt 5424|3164] [--no-write])
//
// processBatch (parse + map + serialize of a 2048-message batch, single thread), ns/event, for the peer-bench RFC 5424
// and RFC 3164 pools (bench/parse-messages.js loadPeerPool, the messages the end-to-end benchmark sends).
//  - "after":  the current build, dist/src/pipeline/process-batch.js (build first: npx tsc -p tsconfig.json).
//  - "before": bench/serialize-baseline/, the compiled processBatch + writeEcs as they were before the byte writer
//              (string rope + out.write), kept for comparison only; it uses the same parsers from dist/.
//  - "parse":  decode + parseMessage only (what the serialization adds to), for scale.
// Runs are interleaved (run 1 of each, then run 2, ...) so drift and the other users of the 2 cores hit all alike;
// the median and min-max of the runs are reported. Before timing, "before" and "after" outputs are compared line by
// line (event ids masked: they come from one counter): any difference aborts the benchmark.
// Results: bench/results/serialize-latest.md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { loadPeerPool, poolStats } = require('./parse-messages');

const opt = { runs: 9, batches: 4, reps: 2, warmup: 30, only: '', fmt: '', 'no-write': false };
{
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i].replace(/^--/, '');
    if (!(k in opt)) { console.error(`bench/serialize: unknown option ${v[i]}`); process.exit(2); }
    if (typeof opt[k] === 'boolean') opt[k] = true;
    else if (typeof opt[k] === 'string') opt[k] = v[++i];
    else opt[k] = Number(v[++i]);
  }
}

const DIST = path.resolve(__dirname, '../dist/src');
let after;
let P;
try {
  after = require(`${DIST}/pipeline/process-batch`).processBatch;
  P = require(`${DIST}/parse`);
} catch (e) {
  console.error(`bench/serialize: cannot load ${DIST} (${e.message}). Build first: npx tsc -p tsconfig.json`);
  process.exit(1);
}
const before = require('./serialize-baseline/process-batch').processBatch;

const BATCH = 2048;
// Two TCP connections, as the peer benchmark's generator would make; zones as the gateway passes them.
const PEERS = ['tcp', 'tcp', '10.1.2.3', 40001, 'tcp', 'tcp', '10.1.2.4', 40002];
const ZONES = { tcp: 'UTC' };

function makeBatches(fmt, n) {
  const pool = loadPeerPool(fmt, BATCH * n);
  const out = [];
  for (let b = 0; b < n; b++) {
    const msgs = pool.slice(b * BATCH, (b + 1) * BATCH);
    const bufs = msgs.map((m) => Buffer.from(m, 'utf8'));
    const data = new Uint8Array(Buffer.concat(bufs));
    const ends = new Uint32Array(BATCH);
    let e = 0;
    bufs.forEach((x, i) => { e += x.length; ends[i] = e; });
    const peerIndex = new Uint16Array(BATCH).map((_, i) => i & 1);
    out.push({ seq: b, receivedAt: Date.now(), count: BATCH, data, ends, flags: new Uint8Array(BATCH), peerIndex, peers: PEERS });
  }
  return { pool, batches: out };
}

/** decode + parseMessage only: the part of processBatch that is not mapping or serializing. */
function parseOnly(batch) {
  const data = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
  const ctx = { timezone: 'UTC', now: batch.receivedAt };
  let start = 0;
  let chk = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i];
    chk += P.parseMessage(data.toString('utf8', start, end), ctx).message.length;
    start = end;
  }
  return { out: { length: chk } };
}

const IMPLS = { before, after, parse: parseOnly };

function timeOne(fn, batches, reps) {
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) for (const b of batches) bytes += fn(b, ZONES).out.length;
  const ns = Number(process.hrtime.bigint() - t0);
  return { nsPerEvent: ns / (reps * batches.length * BATCH), bytes };
}

function median(a) { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; }

const maskIds = (s) => s.replace(/"id":"[0-9a-f-]{36}"/g, '"id":"-"');

/** The documents of processBatch's output, one per line: since the journal, the output is records. */
function docsOf(out) {
  const { scanRecords } = require(`${DIST}/journal/record`);
  const { decodeEvent } = require(`${DIST}/journal/event-record`);
  const b = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  const docs = [];
  scanRecords(b, 0, b.length, (s, e) => docs.push(decodeEvent(b, s, e, 0).doc.toString('utf8')));
  return docs.join('\n') + '\n';
}

function checkSame(batches) {
  for (const b of batches) {
    const x = maskIds(Buffer.from(before(b, ZONES).out).toString('utf8')).split('\n');
    const y = maskIds(docsOf(after(b, ZONES).out)).split('\n');
    if (x.length !== y.length) throw new Error(`line count differs: ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) throw new Error(`batch ${b.seq} line ${i} differs:\nbefore ${x[i]}\nafter  ${y[i]}`);
    }
  }
}

function main() {
  const started = new Date();
  const names = opt.only ? opt.only.split(',') : ['before', 'after', 'parse'];
  const fmts = opt.fmt ? opt.fmt.split(',') : ['5424', '3164'];
  const rows = [];
  for (const fmt of fmts) {
    const { pool, batches } = makeBatches(fmt, opt.batches);
    if (names.includes('before') && names.includes('after')) checkSame(batches);
    const doc = Buffer.byteLength(docsOf(after(batches[0], ZONES).out)) / BATCH;
    const entries = names.map((name) => ({ name, fn: IMPLS[name], rates: [] }));
    for (const e of entries) for (let w = 0; w < opt.warmup; w++) e.fn(batches[w % batches.length], ZONES);
    for (let run = 0; run < opt.runs; run++) {
      for (const e of entries) e.rates.push(timeOne(e.fn, batches, opt.reps).nsPerEvent);
    }
    const st = poolStats(pool);
    for (const e of entries) {
      const row = { fmt, impl: e.name, median: median(e.rates), min: Math.min(...e.rates), max: Math.max(...e.rates), msgBytes: st.avg_bytes, docBytes: Math.round(doc) };
      rows.push(row);
      process.stderr.write(`  RFC ${fmt} ${e.name.padEnd(7)} ${row.median.toFixed(0).padStart(6)} ns/event (min ${row.min.toFixed(0)}, max ${row.max.toFixed(0)})\n`);
    }
  }
  const L = [`# processBatch benchmark (bench/serialize.js) — ${started.toISOString()}`, '',
    `Node ${process.version}, ${(os.cpus()[0] || {}).model} (${os.cpus().length} CPUs, load at start ${os.loadavg()[0].toFixed(2)}). `
    + `Single thread; batches of ${BATCH} messages from the peer-bench pools, ${opt.batches} distinct batches per format, `
    + `${opt.reps}× each per run, ${opt.runs} runs interleaved, ${opt.warmup} batches warm-up.`, '',
    '| format | implementation | median ns/event | min-max | avg message B | avg document B |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    L.push(`| RFC ${r.fmt} | ${r.impl} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)}-${r.max.toFixed(0)} | ${r.msgBytes} | ${r.docBytes} |`);
  }
  for (const fmt of fmts) {
    const b = rows.find((r) => r.fmt === fmt && r.impl === 'before');
    const a = rows.find((r) => r.fmt === fmt && r.impl === 'after');
    if (a && b) L.push('', `RFC ${fmt}: after ÷ before = ${(a.median / b.median).toFixed(2)} (${(b.median / a.median).toFixed(2)}× faster).`);
  }
  L.push('', 'before = bench/serialize-baseline (string rope + out.write); after = dist/src/pipeline/process-batch.js; '
    + 'parse = decode + parseMessage only. "before" and "after" outputs were checked identical (event ids masked).', '');
  const text = L.join('\n');
  console.log(text);
  if (!opt['no-write'] && !opt.only && !opt.fmt) {
    const dir = path.resolve(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'serialize-latest.md'), text);
  }
}

main();
