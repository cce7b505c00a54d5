#!/usr/bin/env node
'use strict';
// The CLI lives in TypeScript under src/; `npm ci` builds it into dist/ (the `prepare` script).
let cli;
try {
  cli = require('../dist/src/cli.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]src[\\/]cli/.test(String(err.message))) {
    process.stderr.write('siemgate: not built yet; run `npm ci` (or `npm run build`) in the checkout first\n');
    process.exit(2);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
