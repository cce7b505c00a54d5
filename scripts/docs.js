#!/usr/bin/env node
'use strict';
// Rewrites docs/configuration.md from the config schema (npm run docs; needs a build).
const fs = require('fs');
const path = require('path');
const { renderConfigReference } = require('../dist/src/config/reference.js');
const file = path.join(__dirname, '../docs/configuration.md');
fs.writeFileSync(file, renderConfigReference());
console.log(`written ${path.relative(process.cwd(), file)}`);
