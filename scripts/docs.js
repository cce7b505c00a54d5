#!/usr/bin/env node
'use strict';
// Rewrites docs/configuration.md from the config schema (npm run docs; needs a build).
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('usage: npm run docs   (rewrites docs/configuration.md from the config schema; needs a build)');
  process.exit(0);
}
const fs = require('fs');
const path = require('path');
const { renderConfigReference } = require('../dist/src/config/reference.js');
const file = path.join(__dirname, '../docs/configuration.md');
fs.writeFileSync(file, renderConfigReference());
console.log(`written ${path.relative(process.cwd(), file)}`);
