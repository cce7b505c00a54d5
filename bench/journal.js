#!/usr/bin/env node
'use strict';
// Journal benchmark (issue 4):
//  1. append: events/s and MB/s of the journal alone, for each fsync policy (in process, real
//     records: the peer-bench RFC 5424 messages through processBatch, batches of 2048);
//  2. backlog: RSS of a real gateway process while a 2 GB backlog builds behind a destination that
//     is down (TCP load on 127.0.0.1, bounded by the journal size reached);
// The end-to-end TCP → journal → file figure is bench:ingest's (it runs through the journal).
// Results: bench/results/journal-<date>.{json,md} and journal-latest.md.
//
// usage: npm run bench:journal [-- --events 300000 --backlog-gb 2]
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const DIST = path.join(REPO, 'dist/src');
const WORK = '/tmp/siemgate-bench-journal';
const a = { events: 300000, backlogGb: 2 };
const v = process.argv.slice(2);
for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = Number(v[i + 1]);
if (!fs.existsSync(path.join(DIST, 'cli.js'))) { console.error('bench/journal: not built; run npm ci first'); process.exit(2); }

const { openJournal } = require(`${DIST}/journal/journal`);
const { processBatch } = require(`${DIST}/pipeline/process-batch`);
const { CRC32C_IMPL } = require(`${DIST}/journal/crc32c`);
const { loadPeerPool } = require('./parse-messages');

const BATCH = 2048;
const PEERS = ['tcp', 'tcp', '127.0.0.1', 40000];

function recordBatches(n) {
  const pool = loadPeerPool('5424', BATCH * n);
  const out = [];
  for (let b = 0; b < n; b++) {
    const bufs = pool.slice(b * BATCH, (b + 1) * BATCH).map((m) => Buffer.from(m, 'utf8'));
    const ends = new Uint32Array(BATCH);
    let e = 0;
    bufs.forEach((x, i) => { e += x.length; ends[i] = e; });
    const done = processBatch({ seq: b, receivedAt: Date.now(), count: BATCH, data: new Uint8Array(Buffer.concat(bufs)), ends,
      flags: new Uint8Array(BATCH), peerIndex: new Uint16Array(BATCH), peers: PEERS }, { tcp: 'UTC' });
    out.push(Buffer.from(done.out));
  }
  return out;
}

async function appendBench(policy, batches) {
  const dir = path.join(WORK, `append-${policy}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const j = openJournal({ dir, fsync: policy, fsyncIntervalMs: 1000, segmentBytes: 64 << 20 });
  const rounds = Math.ceil(a.events / BATCH);
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const b = batches[r % batches.length];
    bytes += b.length;
    const wait = j.append(b, BATCH);
    if (wait) await wait;
  }
  await j.durable();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await j.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const events = rounds * BATCH;
  return { policy, events, seconds: s, eventsPerSec: events / s, mbPerSec: bytes / 1048576 / s, cpuPctOfOneCore: 100 * (cpu.user + cpu.system) / 1e6 / s };
}

function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch { return 0; }
}
function dirBytes(dir) {
  let n = 0;
  try { for (const f of fs.readdirSync(dir)) if (f.endsWith('.seg')) n += fs.statSync(path.join(dir, f)).size; } catch { /* not yet */ }
  return n;
}

async function backlogBench() {
  const dir = path.join(WORK, 'backlog');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const port = 5600 + Math.floor(Math.random() * 300);
  const cfg = path.join(dir, 'siemgate.yaml');
  // the destination's port has no listener: it is down for the whole run
  fs.writeFileSync(cfg, `data_dir: ${dir}/data
journal: { max_bytes: ${a.backlogGb + 1}GiB }
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:${port}" }
destinations:
  - { name: siem, type: http, url: "http://127.0.0.1:9/down", retry: { initial_ms: 200, max_ms: 2000 } }
`);
  const gw = spawn(process.execPath, [path.join(REPO, 'bin/siemgate.js'), 'run', '-c', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  gw.stderr.on('data', (c) => { log += c; });
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`gateway not ready:\n${log}`)), 15000);
    gw.stderr.on('data', () => { if (log.includes('siemgate ready')) { clearTimeout(t); ok(); } });
  });
  const pool = loadPeerPool('5424', 20000).map((m) => m + '\n');
  const chunk = Buffer.from(pool.join(''));
  const target = a.backlogGb * 1024 ** 3;
  const jdir = path.join(dir, 'data/journal');
  const samples = [];
  let peak = 0;
  const marks = [0.05, 0.25, 0.5, 0.75, 1].map((f) => f * target);
  const sampler = setInterval(() => {
    const rss = rssOf(gw.pid);
    peak = Math.max(peak, rss);
    const jb = dirBytes(jdir);
    while (marks.length && jb >= marks[0]) { samples.push({ journalMB: Math.round(jb / 1048576), rssMB: Math.round(rss / 1048576), peakSoFarMB: Math.round(peak / 1048576) }); marks.shift(); }
  }, 200);
  const t0 = Date.now();
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((ok) => sock.once('connect', ok));
  let sent = 0;
  while (dirBytes(jdir) < target && Date.now() - t0 < 10 * 60 * 1000) {
    for (let i = 0; i < 8; i++) { if (!sock.write(chunk)) await new Promise((ok) => sock.once('drain', ok)); sent += pool.length; }
  }
  sock.end();
  await new Promise((ok) => setTimeout(ok, 1000));
  clearInterval(sampler);
  const seconds = (Date.now() - t0) / 1000;
  gw.kill('SIGTERM');
  await new Promise((ok) => gw.once('exit', ok));
  const stopped = (log.split('\n').find((l) => l.includes('stopped:')) || '').replace(/^.*stopped: /, '');
  fs.rmSync(dir, { recursive: true, force: true });
  return { targetGB: a.backlogGb, sent, seconds, samples, peakMB: Math.round(peak / 1048576), ledger: stopped };
}

(async () => {
  fs.mkdirSync(WORK, { recursive: true });
  const batches = recordBatches(8);
  const recordBytes = batches[0].length / BATCH;
  const append = [];
  await appendBench('never', batches); // warm-up: page cache, file creation, JIT
  for (const p of ['never', 'interval', 'always']) {
    const runs = [await appendBench(p, batches), await appendBench(p, batches), await appendBench(p, batches)];
    append.push(runs.sort((x, y) => x.eventsPerSec - y.eventsPerSec)[1]); // the median of 3
  }
  const backlog = await backlogBench();
  const stamp = new Date().toISOString();
  const L = [`# journal benchmark ${stamp}`, '',
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0].model}), CRC-32C ${CRC32C_IMPL}, disk of ${WORK}`, '',
    `## Append (journal alone; ${a.events} events per policy in batches of ${BATCH}; records of ${recordBytes.toFixed(0)} B: peer-bench RFC 5424 messages as ECS)`, '',
    '| fsync | events/s (median of 3) | MB/s | main-thread CPU % of one core |', '|---|---|---|---|',
    ...append.map((r) => `| ${r.policy} | ${Math.round(r.eventsPerSec).toLocaleString('en')} | ${r.mbPerSec.toFixed(0)} | ${r.cpuPctOfOneCore.toFixed(0)} |`), '',
    `## RSS while a ${backlog.targetGB} GB backlog builds behind a destination that is down`, '',
    `TCP load from one connection on 127.0.0.1, ${backlog.sent.toLocaleString('en')} events in ${backlog.seconds.toFixed(0)} s; the http destination's port has no listener.`, '',
    '| journal on disk | RSS | peak RSS so far |', '|---|---|---|',
    ...backlog.samples.map((s) => `| ${s.journalMB} MB | ${s.rssMB} MB | ${s.peakSoFarMB} MB |`), '',
    `Ledger at stop: ${backlog.ledger}`, ''];
  const md = L.join('\n');
  const base = path.join(REPO, 'bench/results', `journal-${stamp.replace(/[:]/g, '').replace(/\..*/, '')}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify({ date: stamp, append, backlog, recordBytes }, null, 2));
  fs.writeFileSync(`${base}.md`, md);
  fs.writeFileSync(path.join(REPO, 'bench/results/journal-latest.md'), md);
  process.stdout.write(md + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
