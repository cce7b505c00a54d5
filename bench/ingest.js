#!/usr/bin/env node
'use strict';
// End-to-end ingest benchmark: TCP syslog → siemgate → ECS NDJSON file, beside rsyslog (Debian's
// package, unpacked: imtcp → JSON template → omfile) on the same messages, in the same run, with the
// same generator and file watcher (../shared/peer-bench). Then UDP loss at 50k and 100k datagrams/s.
// Results: bench/results/ingest-<date>.{jsonl,json,md}. Loads go to 127.0.0.1 only, bounded in count and time.
//
// usage: npm run bench:ingest [-- --n 1000000 --runs 3 --workers 2 --udp-n 300000]
// needs: `bash ../shared/peer-bench/setup.sh` once per machine (as root), and a built checkout (npm ci).
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const PB = path.resolve(REPO, '../shared/peer-bench');
const RUN = process.env.PEER_BENCH_RUN || '/tmp/peer-bench';
const WORK = '/tmp/siemgate-bench';
const a = { n: 1000000, runs: 3, workers: 2, udpN: 300000, skipUdp: 0, skipTcp: 0 };
const v = process.argv.slice(2);
for (let i = 0; i < v.length; i += 2) {
  const k = v[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  a[k] = Number(v[i + 1]);
}

if (!fs.existsSync(path.join(PB, 'run-peers.sh'))) fail(`no peer harness at ${PB}; the bench expects ../shared/peer-bench beside the checkout`);
if (!fs.existsSync(path.join(RUN, 'rsyslog-root/usr/sbin/rsyslogd'))) fail(`no unpacked rsyslog in ${RUN}; run: sudo bash ${PB}/setup.sh`);
if (!fs.existsSync(path.join(REPO, 'dist/src/cli.js'))) fail('not built; run npm ci (or npm run build) first');

fs.mkdirSync(WORK, { recursive: true });
fs.mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\..*/, '');
const OUT_FILE = path.join(WORK, 'events.ndjson');
const cfg = path.join(WORK, 'bench.yaml');
fs.writeFileSync(cfg, `# written by bench/ingest.js
data_dir: ${WORK}/data
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:5514", framing: auto }
  - { name: udp, type: syslog_udp, address: "127.0.0.1:5515", receive_buffer_bytes: 8MiB }
destinations:
  - { name: file, type: file, path: ${OUT_FILE} }
pipeline: { workers: ${a.workers} }
# rsyslog's template and the no-journal reference do no product mapping: compared like for like
mappings: { enabled: false }
`);
// the default (product mappings on), for what mapping costs end to end (issue 6)
const cfgMapped = path.join(WORK, 'bench-mapped.yaml');
fs.writeFileSync(cfgMapped, fs.readFileSync(cfg, 'utf8').replace(/^# rsyslog's template.*\nmappings: \{ enabled: false \}\n/m, ''));
const gw = `node ${path.join(REPO, 'bin/siemgate.js')} run -c ${cfg}`;
const rawFile = path.join(REPO, `bench/results/ingest-${stamp}.jsonl`);
const report = { date: new Date().toISOString(), node: process.version, n: a.n, runs: a.runs, workers: a.workers, tcp: null, udp: [] };

if (!a.skipTcp) {
  // Same harness, same run: siemgate (gw-file-*) and rsyslog imtcp → JSON → omfile (rs-filejson-sync-*).
  const r = spawnSync('bash', [path.join(PB, 'run-peers.sh'), String(a.n), '--runs', String(a.runs),
    '--only', '^gw|^rs-filejson', '--peer', gw, '--port', '5514', '--sink', 'file', '--file', OUT_FILE,
    '--clean', `rm -rf ${WORK}/data`, '--out', rawFile], { cwd: REPO, encoding: 'utf8', env: { ...process.env, PEER_BENCH_RUN: RUN }, timeout: 40 * 60 * 1000 });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  report.tcp = { table: r.stdout.slice(r.stdout.indexOf('| case')), raw: path.relative(REPO, rawFile) };

  // What the journal costs end to end: the same inputs and parse workers writing their documents
  // straight to the file (bench/no-journal-gateway.js, a reference, not a product mode), same harness.
  const nj = `node ${path.join(REPO, 'bench/no-journal-gateway.js')} ${cfg}`;
  const njFile = path.join(REPO, `bench/results/ingest-${stamp}-nojournal.jsonl`);
  const q = spawnSync('bash', [path.join(PB, 'run-peers.sh'), String(a.n), '--runs', String(a.runs),
    '--only', '^nojournal', '--name', 'nojournal', '--peer', nj, '--port', '5514', '--sink', 'file', '--file', OUT_FILE,
    '--out', njFile], { cwd: REPO, encoding: 'utf8', env: { ...process.env, PEER_BENCH_RUN: RUN }, timeout: 40 * 60 * 1000 });
  process.stdout.write(q.stdout);
  process.stderr.write(q.stderr);
  report.journalCost = journalCost(rawFile, njFile);

  // What product mapping costs end to end: the gateway on its default (mappings on), same harness.
  // The peer-bench pool (ASA, UFW, filterlog) is recognised and mapped entirely.
  const mapFile = path.join(REPO, `bench/results/ingest-${stamp}-mapped.jsonl`);
  const mr = spawnSync('bash', [path.join(PB, 'run-peers.sh'), String(a.n), '--runs', String(a.runs),
    '--only', '^mapped', '--name', 'mapped', '--peer', `node ${path.join(REPO, 'bin/siemgate.js')} run -c ${cfgMapped}`, '--port', '5514',
    '--sink', 'file', '--file', OUT_FILE, '--clean', `rm -rf ${WORK}/data`, '--out', mapFile],
  { cwd: REPO, encoding: 'utf8', env: { ...process.env, PEER_BENCH_RUN: RUN }, timeout: 40 * 60 * 1000 });
  process.stdout.write(mr.stdout);
  process.stderr.write(mr.stderr);
  report.mappingCost = costOf(rawFile, mapFile, 'gw', 'mapped');
}

/** events/s and CPU per event of two cases (medians), per format. */
function costOf(fileA, fileB, nameA, nameB) {
  const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]; };
  const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const rows = [...read(fileA), ...read(fileB)];
  const out = [];
  for (const fmt of ['5424', '3164']) {
    const x = rows.filter((r) => r.name === `${nameA}-file-${fmt}`);
    const y = rows.filter((r) => r.name === `${nameB}-file-${fmt}`);
    if (!x.length || !y.length) continue;
    const rate = (rs) => med(rs.map((r) => r.eps));
    const cpuUs = (rs) => med(rs.map((r) => (1e6 * r.peer_cpu_s) / r.delivered));
    out.push({ fmt, a: rate(x), b: rate(y), cpuA: cpuUs(x), cpuB: cpuUs(y) });
  }
  return out;
}

/** events/s and CPU per event with and without the journal, from the two results files (medians). */
function journalCost(withFile, withoutFile) {
  const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]; };
  const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const rows = [...read(withFile), ...read(withoutFile)];
  const out = [];
  for (const fmt of ['5424', '3164']) {
    const pick = (name) => rows.filter((r) => r.name === `${name}-file-${fmt}`);
    const w = pick('gw');
    const wo = pick('nojournal');
    if (!w.length || !wo.length) continue;
    const rate = (rs) => med(rs.map((r) => r.eps));
    const cpuUs = (rs) => med(rs.map((r) => (1e6 * r.peer_cpu_s) / r.delivered));
    out.push({ fmt, withJournal: rate(w), withoutJournal: rate(wo), cpuUsWith: cpuUs(w), cpuUsWithout: cpuUs(wo) });
  }
  return out;
}

if (!a.skipUdp) {
  // UDP loss: N datagrams offered at a fixed rate; loss = 1 - lines written / datagrams sent.
  for (const rate of [50000, 100000]) {
    const out = spawnSync('bash', [path.join(PB, 'udp-run.sh'), gw, '5515', OUT_FILE, String(a.udpN), String(rate)],
      { cwd: REPO, encoding: 'utf8', timeout: 5 * 60 * 1000 });
    const line = out.stdout.trim().split('\n').pop();
    let parsed;
    try { parsed = JSON.parse(line); } catch { parsed = { error: (out.stderr || out.stdout).slice(-500) }; }
    report.udp.push({ offered_per_s: rate, ...parsed });
    console.log(`UDP ${rate}/s offered: ${line}`);
  }
}

const md = [`# ingest benchmark ${report.date}`, '',
  `node ${report.node}, N=${a.n} per run, ${a.runs} runs (median), pipeline.workers=${a.workers}, machine: ${require('os').cpus().length} cores`, '',
  '## TCP → ECS NDJSON file (siemgate = gw-file-*, mappings off; rsyslog imtcp → JSON template → omfile = rs-filejson-sync-*)', '',
  report.tcp ? report.tcp.table : '(skipped)', '',
  ...(report.journalCost ? ['## What the journal costs (same harness and run: gw-file-* vs nojournal-file-*, bench/no-journal-gateway.js)', '',
    '| format | events/s with journal (fsync interval) | without | CPU µs/event with | without | added CPU |', '|---|---|---|---|---|---|',
    ...report.journalCost.map((c) => `| ${c.fmt} | ${Math.round(c.withJournal / 1000)}k | ${Math.round(c.withoutJournal / 1000)}k | ${c.cpuUsWith.toFixed(1)} | ${c.cpuUsWithout.toFixed(1)} | ${(100 * (c.cpuUsWith / c.cpuUsWithout - 1)).toFixed(0)} % |`), ''] : []),
  ...(report.mappingCost ? ['## What product mapping costs (same harness and run: gw-file-* with mappings off vs mapped-file-*, the default)', '',
    'Target (issue 6): within 25% of the unmapped speed. The peer-bench pool (ASA, UFW, filterlog) is mapped entirely.', '',
    '| format | events/s unmapped | mapped | CPU µs/event unmapped | mapped | speed lost |', '|---|---|---|---|---|---|',
    ...report.mappingCost.map((c) => `| ${c.fmt} | ${Math.round(c.a / 1000)}k | ${Math.round(c.b / 1000)}k | ${c.cpuA.toFixed(1)} | ${c.cpuB.toFixed(1)} | ${(100 * (1 - c.b / c.a)).toFixed(0)} % |`), ''] : []),
  '## UDP loss', '', '| offered/s | sent | received | loss % |', '|---|---|---|---|',
  ...report.udp.map((u) => `| ${u.offered_per_s} | ${u.sent ?? '-'} | ${u.received ?? '-'} | ${u.loss_pct ?? u.error} |`), ''].join('\n');
fs.writeFileSync(path.join(REPO, `bench/results/ingest-${stamp}.json`), JSON.stringify(report, null, 2));
fs.writeFileSync(path.join(REPO, `bench/results/ingest-${stamp}.md`), md);
fs.writeFileSync(path.join(REPO, 'bench/results/ingest-latest.md'), md);
console.log(`\nwritten: bench/results/ingest-${stamp}.{json,md,jsonl}`);

function fail(msg) {
  console.error(`bench:ingest: ${msg}`);
  process.exit(2);
}
