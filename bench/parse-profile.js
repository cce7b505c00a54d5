#!/usr/bin/env node
'use strict';
// Profiling helper for bench/parse.js: runs ONE parser over the bench pool, for `node --cpu-prof`.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/parse-profile.js rfc5424 [n]
//   node bench/parse-profile.js summary /tmp/prof/<file>.cpuprofile   (self-time table by function)
// targets: rfc5424 | message5424 | rfc3164 | message3164 | cef | messagecef
const fs = require('fs');
const path = require('path');
const { loadPeerPool, makeCefPool } = require('./parse-messages');

function summary(file) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]);
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${path.basename(cf.url || '')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) || 0) + (dt[i] || 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

if (process.argv[2] === 'summary') {
  summary(process.argv[3]);
} else {
  const P = require(path.resolve(__dirname, '../dist/src/parse'));
  const ctx = { timezone: 'UTC', now: Date.now() };
  const target = process.argv[2] || 'rfc5424';
  const n = Number(process.argv[3] || 3000000);
  const T = {
    rfc5424: ['5424', (s) => P.parseRfc5424(s, ctx)], message5424: ['5424', (s) => P.parseMessage(s, ctx)],
    rfc3164: ['3164', (s) => P.parseRfc3164(s, ctx)], message3164: ['3164', (s) => P.parseMessage(s, ctx)],
    cef: ['cef', (s) => P.parseCef(s)], messagecef: ['cef', (s) => P.parseMessage(s, ctx)],
  }[target];
  if (!T) { console.error(`unknown target ${target}`); process.exit(2); }
  const lines = T[0] === 'cef' ? makeCefPool(1000) : loadPeerPool(T[0], 1000);
  const fn = T[1];
  let chk = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) chk += fn(lines[i % lines.length]) ? 1 : 0;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${target}: ${Math.round(n / s).toLocaleString('en-US')} msg/s (n=${n}, chk=${chk})`);
}
