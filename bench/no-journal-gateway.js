#!/usr/bin/env node
'use strict';
// Benchmark reference only, never a product mode: siemgate's inputs and parse workers with their
// records written straight to the output file, without the journal and the dispatcher, so that
// bench:ingest can say in one run what the journal costs end to end (gw-file-* vs nojournal-file-*).
// usage: node bench/no-journal-gateway.js CONFIG.yaml   (its first file destination is the output)
const fs = require('fs');
const path = require('path');
const { promisify } = require('util');
const DIST = path.resolve(__dirname, '../dist/src');
const { loadConfigFile } = require(`${DIST}/config`);
const { startInput } = require(`${DIST}/inputs`);
const { createIngest } = require(`${DIST}/pipeline`);
const { scanRecords } = require(`${DIST}/journal/record`);

const writev = promisify(fs.writev);
const NL = Buffer.from('\n');

(async () => {
  const cfg = loadConfigFile(process.argv[2]);
  const out = cfg.destinations.find((d) => d.type === 'file');
  const fd = fs.openSync(out.path, 'a');
  const zones = Object.fromEntries(cfg.inputs.map((i) => [i.name, i.timezone]));
  const ingest = createIngest({
    workers: cfg.pipeline.workers, zones,
    output: async (records) => {
      const b = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
      const iov = [];
      scanRecords(b, 0, b.length, (s) => { iov.push(b.subarray(s + 16, s + 16 + b.readUInt32LE(s + 12)), NL); }, false);
      for (let i = 0; i < iov.length; i += 1024) await writev(fd, iov.slice(i, i + 1024));
    },
  });
  const inputs = [];
  for (const i of cfg.inputs) inputs.push(await startInput(i, ingest));
  process.stderr.write('no-journal reference gateway ready\n');
  process.on('SIGTERM', async () => {
    await Promise.all(inputs.map((i) => i.close()));
    await ingest.close();
    fs.closeSync(fd);
    process.exit(0);
  });
})();
