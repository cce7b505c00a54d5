#!/usr/bin/env node
'use strict';
// Connector benchmark: TCP syslog → siemgate (journal on, fsync: interval) → each connector → its double.
//
// Part 1, ratios (same harness, same run, same Elasticsearch double as the peers): the gateway with an
// elasticsearch destination (gzip off: the shared sink counts uncompressed bodies, and the peers send
// uncompressed too) is measured by ../shared/peer-bench/run-peers.sh (--peer) together with rsyslog
// imtcp → omelasticsearch (memory queues: rs-es-5424; disk queue: rs-es-disk-5424) and syslog-ng
// network() → http() _bulk (sng-http-es-5424; reliable disk-buffer: sng-http-es-diskbuf-5424).
// Reported: the medians table, gateway ÷ peer ratios, and the issue's targets met or missed.
//
// Part 2, per connector: for es, hec and sentinel, each with gzip on and off, the same generator
// (peer-bench gen.js: 1,000 firewall messages over 4 TCP connections) → gateway → bench/connector-sink.js
// (a double that gunzips and counts, and records bytes on the wire and after gunzip). Definitions
// as peer-bench's run.js: events/s = events delivered ÷ (last event at the sink − generator start);
// CPU = the gateway's utime+stime (/proc/PID/stat, all threads) over that interval; peak RSS = VmHWM.
//
// Results: bench/results/connectors-<stamp>.{jsonl,json,md} (+ connectors-latest.md); the markdown is
// printed at the end. Everything on 127.0.0.1, every wait bounded, every process started is stopped by PID.
//
// usage: npm run bench:connectors [-- --n 1000000 --runs 3 --skip-peers --only REGEX --with-3164]
//   --n N            events per run (default 1000000; rs-es-disk-* is capped at 300k by run-peers.sh)
//   --runs R         runs per case, median reported (default 3)
//   --skip-peers     part 2 only (no rsyslog / syslog-ng needed)
//   --only REGEX     only the cases whose name matches (JavaScript regex), in both parts. Names:
//                    gw-es-http-5424 rs-es-5424 sng-http-es-5424 rs-es-disk-5424 sng-http-es-diskbuf-5424;
//                    es-gzip-5424 es-plain-5424 hec-gzip-5424 hec-plain-5424 sentinel-gzip-5424 sentinel-plain-5424
//   --with-3164      also the RFC 3164 variants (peers and connectors)
//   --mappings       with product mappings on (the product default; off by default here, as the peers map nothing)
//   --workers W      pipeline.workers (default 2, as bench:ingest)
//   --batch E        batch.max_events (default 1000, as the syslog-ng peer's batch-lines)
//   --wait-ms MS     batch.max_wait_ms (default 100, as the syslog-ng peer's batch-timeout)
//   --concurrency C  destination concurrency (default 1; lanes are chosen by source IP, and all load comes from 127.0.0.1)
//   --timeout-s S    bound of one run, after the generator (default 180)
// needs: a built checkout (npm run build), and for part 1 `bash ../shared/peer-bench/setup.sh` once (as root).
const { spawn, spawnSync, execSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const PB = path.resolve(REPO, '../shared/peer-bench');
const RUN = process.env.PEER_BENCH_RUN || '/tmp/peer-bench';
const WORK = '/tmp/siemgate-bench-connectors';
const DATA = path.join(WORK, 'data');
const GW_PEER_PORT = 5524; // gateway input in part 1 (the peers use 155xx, bench:ingest 5514/5515)
const GW_PORT = 5525; // gateway input in part 2
const SINK_PORT = 19210; // connector-sink.js (peer-bench's sink.js uses 19200)
const SHARED_SINK_PORT = 19200;
const NCPU = os.cpus().length;
const HZ = Number(execSync('getconf CLK_TCK').toString().trim());

// ---------------------------------------------------------------------------------- options
const a = { n: 1000000, runs: 3, skipPeers: false, mappings: false, only: '', with3164: false, workers: 2, batch: 1000, waitMs: 100, concurrency: 1, timeoutS: 180 };
const FLAGS = ['skipPeers', 'with3164', 'mappings'];
const STRINGS = ['only'];
{
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const key = v[i].replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
    if (!v[i].startsWith('--') || !(key in a)) fail(`unknown option ${v[i]} (see the header of bench/connectors.js)`);
    if (FLAGS.includes(key)) { a[key] = true; continue; }
    if (i + 1 >= v.length) fail(`${v[i]} needs a value`);
    const val = v[++i];
    if (STRINGS.includes(key)) a[key] = val;
    else {
      a[key] = Number(val);
      if (!Number.isFinite(a[key]) || a[key] < 0 || (key !== 'workers' && a[key] === 0)) fail(`${v[i - 1]}: not a usable number: ${val}`);
    }
  }
}
let onlyRe = null;
try { onlyRe = a.only ? new RegExp(a.only) : null; } catch (e) { fail(`--only: ${e.message}`); }
const wanted = (name) => !onlyRe || onlyRe.test(name);
const FMTS = a.with3164 ? ['5424', '3164'] : ['5424'];

// ---------------------------------------------------------------------------------- checks
if (!fs.existsSync(path.join(PB, 'gen.js'))) fail(`no peer harness at ${PB}; the bench expects ../shared/peer-bench beside the checkout`);
if (!fs.existsSync(path.join(REPO, 'dist/src/cli.js'))) fail('not built; run npm ci (or npm run build) first');
const PEER_NAMES = [];
for (const f of FMTS) PEER_NAMES.push(`gw-es-http-${f}`, `rs-es-${f}`, `sng-http-es-${f}`, `rs-es-disk-${f}`, `sng-http-es-diskbuf-${f}`);
const peerCases = a.skipPeers ? [] : PEER_NAMES.filter(wanted);
if (peerCases.length) {
  if (!fs.existsSync(path.join(PB, 'run-peers.sh'))) fail(`no run-peers.sh in ${PB}`);
  if (peerCases.some((c) => c.startsWith('rs-')) && !fs.existsSync(path.join(RUN, 'rsyslog-root/usr/sbin/rsyslogd'))) {
    fail(`no unpacked rsyslog in ${RUN}; run: sudo bash ${PB}/setup.sh (or use --skip-peers)`);
  }
  if (peerCases.some((c) => c.startsWith('sng-')) && spawnSync('bash', ['-c', 'command -v syslog-ng'], { encoding: 'utf8' }).status !== 0) {
    fail(`syslog-ng is not installed; run: sudo bash ${PB}/setup.sh (or use --skip-peers)`);
  }
}
const CONNECTORS = ['es', 'hec', 'sentinel'];
const connCases = [];
for (const fmt of FMTS) for (const c of CONNECTORS) for (const gz of [true, false]) {
  const name = `${c}-${gz ? 'gzip' : 'plain'}-${fmt}`;
  if (wanted(name)) connCases.push({ name, connector: c, gzip: gz, fmt });
}
if (!peerCases.length && !connCases.length) fail(`--only ${a.only}: no case matches`);

fs.mkdirSync(WORK, { recursive: true });
fs.mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
// One invocation at a time: two would share the data dir (each empties it before a run) and the ports.
const LOCK = path.join(WORK, 'bench.pid');
takeLock();
const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\..*/, '');
const base = path.join(REPO, `bench/results/connectors-${stamp}`);
const rawFile = `${base}.jsonl`;

const live = new Set(); // processes started here that are still running
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const med = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const k = (x) => (!Number.isFinite(x) ? '–' : x >= 1e6 ? (x / 1e6).toFixed(2) + 'M' : Math.round(x / 1000) + 'k');
const x2 = (v) => (Number.isFinite(v) ? v.toFixed(2) + '×' : '–');

// ---------------------------------------------------------------------------------- gateway config
function destinationYaml(connector, endpointBase, gzip) {
  const batch = `batch: { max_events: ${a.batch}, max_wait_ms: ${a.waitMs}${connector === 'sentinel' ? '' : ', max_bytes: 8MiB'} }`;
  const common = `    gzip: ${gzip}\n    ${batch}\n    concurrency: ${a.concurrency}\n`;
  switch (connector) {
    case 'es':
      return `  - name: es\n    type: elasticsearch\n    endpoints: ["${endpointBase}"]\n${common}`;
    case 'hec':
      return `  - name: hec\n    type: splunk_hec\n    endpoints: ["${endpointBase}"]\n    token: x\n${common}`;
    case 'sentinel':
      return `  - name: sentinel\n    type: sentinel\n    endpoint: "${endpointBase}"\n    dcr_immutable_id: dcr-bench\n` +
        `    streams: { syslog: Custom-SyslogStream }\n    tenant_id: t\n    client_id: c\n    client_secret: s\n` +
        `    authority_host: "${endpointBase}"\n${common}`;
    default: throw new Error(connector);
  }
}
function writeConfig(file, port, connector, endpointBase, gzip) {
  fs.writeFileSync(file, `# written by bench/connectors.js
data_dir: ${DATA}
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:${port}", framing: auto }
journal: { fsync: interval }
pipeline: { workers: ${a.workers} }
# the peers (rsyslog, syslog-ng templates) classify nothing: the connector path compared like for
# like; what product mapping costs is measured by bench:ingest and bench:mapping
mappings: { enabled: ${a.mappings ? 'true' : 'false'} }
destinations:
${destinationYaml(connector, endpointBase, gzip)}`);
  return file;
}
const gwCmd = (cfg) => ['node', [path.join(REPO, 'bin/siemgate.js'), 'run', '-c', cfg]];

// ---------------------------------------------------------------------------------- processes and /proc
function procCpu(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / HZ; // utime + stime, whole thread group
  } catch { return NaN; }
}
function procHwm(pid) {
  try { const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/); return m ? Number(m[1]) / 1024 : NaN; } catch { return NaN; }
}
function sysCpu() {
  const l = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: l.reduce((x, y) => x + y, 0), idle: l[3] + l[4] };
}
function startProc(cmd, args, tag, echo = false) {
  const p = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  p.outBuf = ''; p.errBuf = ''; p.tag = tag;
  p.stdout.on('data', (d) => { p.outBuf += d; if (echo) process.stdout.write(d); if (p.outBuf.length > 400000) p.outBuf = p.outBuf.slice(-200000); });
  p.stderr.on('data', (d) => { p.errBuf += d; if (echo) process.stderr.write(d); if (p.errBuf.length > 200000) p.errBuf = p.errBuf.slice(-100000); });
  p.exited = new Promise((res) => p.on('close', (code, sig) => res({ code, sig })));
  p.on('error', (e) => { p.errBuf += `spawn failed: ${e.message}`; });
  live.add(p);
  p.exited.then(() => live.delete(p));
  return p;
}
const running = (p) => p && p.exitCode === null && p.signalCode === null;
async function stopProc(p, ms = 15000) {
  if (!running(p)) return;
  try { process.kill(p.pid, 'SIGTERM'); } catch { return; }
  const r = await Promise.race([p.exited, sleep(ms).then(() => 'timeout')]);
  if (r === 'timeout') {
    console.error(`[${p.tag}] pid ${p.pid} still running ${ms} ms after SIGTERM; SIGKILL`);
    try { process.kill(p.pid, 'SIGKILL'); } catch {}
    await Promise.race([p.exited, sleep(5000)]);
  }
}
async function stopAll() { for (const p of [...live]) await stopProc(p, 5000); }
function canConnect(port) {
  return new Promise((res) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); res(true); });
    s.on('error', () => { s.destroy(); res(false); });
  });
}
async function waitPort(port, ms, proc) {
  const until = Date.now() + ms;
  for (;;) {
    if (await canConnect(port)) return;
    if (proc && !running(proc)) { await proc.exited; throw new ProcExit(proc); }
    if (Date.now() > until) throw new Error(`port ${port} not ready within ${ms} ms`);
    await sleep(100);
  }
}
class ProcExit extends Error {
  constructor(p) { super(`${p.tag} exited (code ${p.exitCode}, signal ${p.signalCode}) before it was ready: ${p.errBuf.slice(-1500).trim()}`); this.proc = p; }
}
class Skip extends Error {}
const NOT_WIRED = /lands in the next commit/;
function lastJson(buf) {
  const lines = buf.trim().split('\n').filter((l) => l.startsWith('{'));
  try { return lines.length ? JSON.parse(lines[lines.length - 1]) : null; } catch { return null; }
}
async function portsFree(ports) {
  for (const p of ports) if (await canConnect(p)) fail(`127.0.0.1:${p} is already in use (another bench running?); the bench needs it`);
}

// ---------------------------------------------------------------------------------- part 1: ratios
const report = { date: new Date().toISOString(), node: process.version, ncpu: NCPU, n: a.n, runs: a.runs,
  settings: { journal: 'fsync: interval', workers: a.workers, batch_max_events: a.batch, batch_max_wait_ms: a.waitMs, concurrency: a.concurrency },
  peers: null, connectors: [], skipped: [], failed: [], notes: [] };

async function peerPart() {
  await portsFree([GW_PEER_PORT, SHARED_SINK_PORT]);
  const cfg = writeConfig(path.join(WORK, 'gw-es-peers.yaml'), GW_PEER_PORT, 'es', `http://127.0.0.1:${SHARED_SINK_PORT}`, false);
  const gw = `node ${path.join(REPO, 'bin/siemgate.js')} run -c ${cfg}`;
  const fmts = FMTS.filter((f) => peerCases.includes(`gw-es-http-${f}`));
  const only = peerCases.map((c) => `^${c}$`).join('|');
  const args = [path.join(PB, 'run-peers.sh'), String(a.n), '--runs', String(a.runs), '--only', only, '--name', 'gw-es',
    '--peer', gw, '--port', String(GW_PEER_PORT), '--sink', 'http', '--fmts', fmts.length ? fmts.join(' ') : '5424',
    '--clean', `rm -rf ${DATA}`, '--out', rawFile];
  console.log(`== part 1: gateway → elasticsearch (gzip off) beside the peers, same harness: ${peerCases.join(', ')}`);
  const p = startProc('bash', args, 'run-peers', true);
  // run-peers bounds each run itself (run.js: generator max 120 s, sink/peer 180 s); this is the outer bound
  const bound = (peerCases.length * a.runs * (a.timeoutS + 150) + 120) * 1000;
  const r = await Promise.race([p.exited, sleep(bound).then(() => 'timeout')]);
  if (r === 'timeout') { console.error(`run-peers.sh still running after ${bound / 1000} s; stopping it`); await stopProc(p); }
  const out = p.outBuf;
  // summarize.js's medians table (its ratio table is replaced by the one below, which names each peer's mode)
  const from = out.indexOf('| case');
  let to = out.indexOf('\nRatios', from);
  if (to < 0) to = out.indexOf('\nresults:', from);
  const table = from >= 0 ? out.slice(from, to > from ? to : undefined).trim() : '(no results: see the log next to the jsonl)';
  const rows = fs.existsSync(rawFile) ? fs.readFileSync(rawFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  report.peers = { cases: peerCases, table, log: path.relative(REPO, rawFile.replace(/\.jsonl$/, '.log')), exit: r === 'timeout' ? 'timeout' : r.code, ...targets(rows) };
  for (const c of peerCases) if (!rows.some((row) => row.name === c)) report.failed.push(`${c}: no successful run (see ${report.peers.log})`);
}

/** Medians per case as summarize.js computes them, the gateway ÷ peer ratios, and the issue's targets. */
function targets(rows) {
  const stats = {};
  for (const name of new Set(rows.map((r) => r.name))) {
    const rs = rows.filter((r) => r.name === name);
    stats[name] = { fmt: rs[0].fmt, n: rs[0].n, runs: rs.length, eps: med(rs.map((r) => r.eps)), epc: med(rs.map((r) => r.eps / (r.peer_cpu_pct / 100))),
      rss: Math.max(...rs.map((r) => r.peer_peak_rss_mb)), lost: Math.max(...rs.map((r) => r.lost)) };
  }
  const ratios = [];
  const goals = [];
  for (const fmt of FMTS) {
    const g = stats[`gw-es-http-${fmt}`];
    if (!g) continue;
    for (const [peer, what, min] of [[`rs-es-${fmt}`, 'rsyslog, memory queues (the fastest peer)', 1.0], [`sng-http-es-${fmt}`, 'syslog-ng, memory', null],
      [`rs-es-disk-${fmt}`, 'rsyslog, disk queue', 3.0], [`sng-http-es-diskbuf-${fmt}`, 'syslog-ng, reliable disk-buffer', 3.0]]) {
      const p = stats[peer];
      if (!p) continue;
      const r = { gateway: `gw-es-http-${fmt}`, peer, what, eps: g.eps / p.eps, epc: g.epc / p.epc, rss: g.rss / p.rss, peer_n: p.n };
      ratios.push(r);
      if (min !== null) goals.push({ goal: `events/s ≥ ${min.toFixed(1)}× ${what} (${peer}${p.n !== g.n ? `, N=${k(p.n)}` : ''})`, measured: x2(r.eps), met: r.eps >= min });
    }
    goals.push({ goal: `peak RSS ≤ 150 MB (gw-es-http-${fmt}, max of ${g.runs} runs)`, measured: `${g.rss.toFixed(0)} MB`, met: g.rss <= 150 });
  }
  return { stats, ratios, goals };
}

// ---------------------------------------------------------------------------------- part 2: per connector
async function oneRun(c, i, cfg) {
  fs.rmSync(DATA, { recursive: true, force: true });
  fs.mkdirSync(DATA, { recursive: true });
  const sink = startProc('node', [path.join(__dirname, 'connector-sink.js'), '--port', String(SINK_PORT), '--n', String(a.n), '--idle-s', '8', '--max-s', String(a.timeoutS + 130)], 'sink');
  await waitPort(SINK_PORT, 10000, sink);
  const [cmd, args] = gwCmd(cfg);
  const gw = startProc(cmd, args, 'gateway');
  try {
    await waitPort(GW_PORT, 20000, gw);
  } catch (e) {
    if (NOT_WIRED.test(gw.errBuf)) throw new Skip(`the gateway refuses type sentinel in this build (it said: ${firstLine(gw.errBuf).replace(/^siemgate: (unexpected error: )?(Error: )?/, '')}); this case runs once the connector is wired in`);
    throw e;
  }
  await sleep(500);
  if (!running(gw)) { await gw.exited; throw new ProcExit(gw); }
  const cpu0 = procCpu(gw.pid), sys0 = sysCpu();
  const gen = startProc('node', [path.join(PB, 'gen.js'), '--port', String(GW_PORT), '--n', String(a.n), '--conns', '4', '--fmt', c.fmt, '--framing', 'lf', '--max-s', '120'], 'gen');
  await Promise.race([gen.exited, sleep(130000)]);
  const g = lastJson(gen.outBuf);
  await Promise.race([sink.exited, gw.exited, sleep(a.timeoutS * 1000)]);
  const sys1 = sysCpu();
  const cpu1 = procCpu(gw.pid), hwm = procHwm(gw.pid);
  const gwDied = !running(gw);
  await stopProc(sink, 5000);
  const s = lastJson(sink.outBuf);
  await stopProc(gen, 3000);
  await stopProc(gw);
  if (gwDied) throw new Error(`the gateway exited during the run (code ${gw.exitCode}, signal ${gw.signalCode}): ${gw.errBuf.slice(-1500).trim()}`);
  if (!g || !s) throw new Error(`missing result. gen=${gen.outBuf.trim()} ${gen.errBuf.slice(-500)} sink=${sink.outBuf.trim()} ${sink.errBuf.slice(-500)} gateway=${gw.errBuf.slice(-1500)}`);
  const e2e = (s.last_ms - g.start_ms) / 1000;
  const cpu = cpu1 - cpu0;
  const busy = 100 * (1 - (sys1.idle - sys0.idle) / (sys1.total - sys0.total)) * NCPU;
  const ev = s.events || NaN;
  const r = { part: 'connectors', name: c.name, connector: c.connector, gzip: c.gzip, run: i, n: a.n, fmt: c.fmt, framing: 'lf', conns: 4,
    delivered: s.events, lost: a.n - s.events, sink_reason: s.reason, e2e_s: +e2e.toFixed(3), eps: Math.round(s.events / e2e), gen_send_s: g.send_s,
    peer_cpu_s: +cpu.toFixed(2), peer_cpu_pct: Math.round(100 * cpu / e2e), peer_peak_rss_mb: +hwm.toFixed(1), cpu_us_per_event: +(1e6 * cpu / ev).toFixed(2),
    machine_busy_pct_of_1core: Math.round(busy), gen_cpu_s: g.cpu_s, sink_cpu_s: s.cpu_s, sink_requests: s.requests, event_requests: s.event_requests, gzip_requests: s.gzip_requests,
    token_requests: s.token_requests, bad_bodies: s.bad_bodies, wire_bytes: s.wire_bytes, raw_bytes: s.raw_bytes, header_bytes: s.header_bytes,
    wire_bytes_per_event: +(s.wire_bytes / ev).toFixed(1), raw_bytes_per_event: +(s.raw_bytes / ev).toFixed(1),
    compression: +(s.raw_bytes / s.wire_bytes).toFixed(2), ncpu: NCPU, ts: new Date().toISOString() };
  if (c.gzip ? s.gzip_requests !== s.event_requests : s.gzip_requests !== 0) {
    note(`${c.name} run ${i}: ${s.gzip_requests} of ${s.event_requests} requests carried Content-Encoding: gzip, with gzip ${c.gzip ? 'on' : 'off'} in the config`);
  }
  fs.appendFileSync(rawFile, JSON.stringify(r) + '\n');
  console.log(JSON.stringify(r));
  if (/\b(error|fail)/i.test(gw.errBuf)) console.error(`[${c.name}] gateway stderr tail: ${gw.errBuf.slice(-800)}`);
  return r;
}
const firstLine = (s) => s.split('\n').find((l) => NOT_WIRED.test(l)) || s.trim().split('\n')[0];

async function connectorPart() {
  await portsFree([GW_PORT, SINK_PORT]);
  console.log(`== part 2: gateway → each connector → connector-sink.js: ${connCases.map((c) => c.name).join(', ')}`);
  for (const c of connCases) {
    const cfg = writeConfig(path.join(WORK, `${c.name}.yaml`), GW_PORT, c.connector, `http://127.0.0.1:${SINK_PORT}`, c.gzip);
    if (c.connector === 'sentinel') {
      const chk = spawnSync('node', [path.join(REPO, 'bin/siemgate.js'), 'check', '-c', cfg, '--offline'], { cwd: REPO, encoding: 'utf8', timeout: 30000 });
      if (chk.status !== 0) {
        const why = (chk.stderr || chk.stdout || '').trim().split('\n').pop();
        skip(c, `siemgate check --offline refuses the sentinel destination: ${why}`);
        continue;
      }
    }
    const rs = [];
    let skipped = false;
    for (let i = 1; i <= a.runs; i++) {
      try {
        rs.push(await oneRun(c, i, cfg));
      } catch (e) {
        if (e instanceof Skip) { skip(c, e.message); skipped = true; break; }
        console.error(`[${c.name} run ${i}] failed: ${e.message}`);
      } finally {
        await stopAll();
      }
      await sleep(500);
    }
    if (skipped) continue;
    if (!rs.length) { report.failed.push(`${c.name}: no successful run`); continue; }
    const m = (f) => med(rs.map((r) => r[f]));
    const e = rs.map((r) => r.eps);
    const sum = { name: c.name, connector: c.connector, gzip: c.gzip, fmt: c.fmt, runs: rs.length, eps: m('eps'), eps_min: Math.min(...e), eps_max: Math.max(...e),
      wire_bytes_per_event: m('wire_bytes_per_event'), raw_bytes_per_event: m('raw_bytes_per_event'), compression: m('compression'),
      cpu_us_per_event: m('cpu_us_per_event'), cpu_pct: m('peer_cpu_pct'), peak_rss_mb: Math.max(...rs.map((r) => r.peer_peak_rss_mb)),
      requests: m('event_requests'), gzip_requests: m('gzip_requests'), lost: Math.max(...rs.map((r) => r.lost)) };
    report.connectors.push(sum);
    console.log(`SUMMARY ${c.name}: median ${sum.eps} ev/s (min ${sum.eps_min}, max ${sum.eps_max}), ${sum.wire_bytes_per_event} B/event on the wire, ` +
      `${sum.raw_bytes_per_event} raw, ${sum.cpu_us_per_event} µs CPU/event, peak RSS max ${sum.peak_rss_mb} MB, lost max ${sum.lost}`);
  }
}
function note(line) {
  console.log(`!! ${line}`);
  report.notes.push(line);
}
function skip(c, why) {
  const line = `${c.name}: skipped: ${why}`;
  console.log(`!! ${line}`);
  report.skipped.push(line);
}

// ---------------------------------------------------------------------------------- report
function markdown() {
  const L = [`# connector benchmark ${report.date}`, '',
    `node ${report.node}, N=${a.n} per run, ${a.runs} run(s) (median), machine: ${NCPU} cores shared by generator, gateway and sink. ` +
    `Gateway: journal on (fsync: interval), pipeline.workers=${a.workers}, batch.max_events=${a.batch}, batch.max_wait_ms=${a.waitMs}, concurrency=${a.concurrency}.`, ''];
  if (report.peers) {
    const p = report.peers;
    L.push('## Ratios: gateway → Elasticsearch double beside rsyslog and syslog-ng (same harness, same run)', '',
      'Harness ../shared/peer-bench/run-peers.sh: same generator (4 TCP connections, 1,000 firewall messages), same `_bulk` double ' +
      '(sink.js at 127.0.0.1:19200, uncompressed bodies: the gateway runs with gzip off here), same /proc reads. ' +
      '`gw-es-http-*` = siemgate; `rs-es-*` = rsyslog imtcp → omelasticsearch (memory queues); `rs-es-disk-*` = its Disk action queue ' +
      `(N capped at 300k by run-peers.sh); \`sng-http-es-*\` = syslog-ng network() → http() \`_bulk\`; \`sng-http-es-diskbuf-*\` = with a reliable disk-buffer.`, '',
      p.table, '');
    if (p.ratios.length) {
      L.push('Gateway ÷ peer (medians; > 1× = the gateway is faster / more CPU-efficient / uses more memory):', '',
        '| gateway | peer | mode | events/s | events per CPU-second | peak RSS |', '|---|---|---|---|---|---|',
        ...p.ratios.map((r) => `| ${r.gateway} | ${r.peer} | ${r.what} | **${x2(r.eps)}** | ${x2(r.epc)} | ${x2(r.rss)} |`), '');
    }
    if (p.goals.length) {
      L.push('Targets (issue: with our journal on, fsync: interval):', '', '| target | measured | |', '|---|---|---|',
        ...p.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? 'met' : '**missed**'} |`), '');
    }
    L.push(`Per-run rows: ${path.relative(REPO, rawFile)}; run-peers log: ${p.log}`, '');
  } else {
    L.push('## Ratios', '', a.skipPeers ? '(skipped: --skip-peers)' : '(no peer case selected by --only)', '');
  }
  L.push('## Per connector: TCP syslog → gateway → connector → its double (bench/connector-sink.js)', '',
    'events/s = events counted at the double ÷ (last event at the double − generator start); wire = request bodies as received; ' +
    'raw = after gunzip; compression = raw ÷ wire; CPU = gateway utime+stime (all threads) over the same interval; peak RSS = gateway VmHWM.', '');
  if (report.connectors.length) {
    L.push('| case | connector | gzip | runs | events/s median | min–max | wire bytes/event | raw bytes/event | compression | gateway CPU µs/event | gateway CPU % | peak RSS MB (max) | requests (with events) | lost |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...report.connectors.map((s) => `| ${s.name} | ${s.connector} | ${s.gzip ? 'on' : 'off'} | ${s.runs} | **${k(s.eps)}** | ${k(s.eps_min)}–${k(s.eps_max)} | ` +
        `${s.wire_bytes_per_event.toFixed(0)} | ${s.raw_bytes_per_event.toFixed(0)} | ${s.compression.toFixed(2)}× | ${s.cpu_us_per_event.toFixed(1)} | ${s.cpu_pct} | ` +
        `${s.peak_rss_mb.toFixed(0)} | ${Math.round(s.requests)} | ${s.lost} |`), '');
    const rss = Math.max(...report.connectors.map((s) => s.peak_rss_mb));
    L.push(`Peak RSS ≤ 150 MB over every connector case: ${rss.toFixed(0)} MB, ${rss <= 150 ? 'met' : '**missed**'}.`, '');
  } else if (!connCases.length) {
    L.push('(no connector case selected by --only)', '');
  }
  if (report.notes.length) L.push('Notes:', '', ...report.notes.map((s) => `- ${s}`), '');
  if (report.skipped.length) L.push('Skipped:', '', ...report.skipped.map((s) => `- ${s}`), '');
  if (report.failed.length) L.push('Failed:', '', ...report.failed.map((s) => `- ${s}`), '');
  return L.join('\n');
}

// ---------------------------------------------------------------------------------- main
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`bench:connectors: ${sig}, stopping the processes it started`);
    await stopAll();
    process.exit(130);
  });
}

(async () => {
  await portsFree([...(peerCases.length ? [GW_PEER_PORT, SHARED_SINK_PORT] : []), ...(connCases.length ? [GW_PORT, SINK_PORT] : [])]);
  console.log(`bench:connectors: N=${a.n}, runs=${a.runs}, ${NCPU} CPUs, node ${process.version}, results -> ${path.relative(REPO, base)}.*`);
  if (peerCases.length) await peerPart();
  if (connCases.length) await connectorPart();
  await stopAll();
  const md = markdown();
  fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
  fs.writeFileSync(`${base}.md`, md);
  fs.writeFileSync(path.join(REPO, 'bench/results/connectors-latest.md'), md);
  console.log(`\n${md}`);
  console.log(`written: ${path.relative(REPO, base)}.{jsonl,json,md}`);
  process.exit(report.failed.length ? 1 : 0);
})().catch(async (e) => {
  console.error(`bench:connectors: ${e.stack || e.message}`);
  await stopAll();
  process.exit(1);
});

function takeLock() {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(LOCK, `${process.pid}\n`, { flag: 'wx' });
      process.on('exit', () => { try { if (fs.readFileSync(LOCK, 'utf8').trim() === String(process.pid)) fs.unlinkSync(LOCK); } catch {} });
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const other = Number(fs.readFileSync(LOCK, 'utf8').trim());
    let alive = false;
    try { if (other > 0) { process.kill(other, 0); alive = true; } } catch (e) { alive = e.code === 'EPERM'; }
    let cmd = '';
    try { cmd = fs.readFileSync(`/proc/${other}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch {}
    if (alive && /connectors\.js/.test(cmd)) fail(`another bench:connectors is running (pid ${other}: ${cmd.trim()}); wait for it to finish: the two would share ${DATA} and the ports`);
    fs.rmSync(LOCK, { force: true }); // left by a run that is gone
  }
  fail(`could not take ${LOCK}`);
}

function fail(msg) {
  console.error(`bench:connectors: ${msg}`);
  process.exit(2);
}
