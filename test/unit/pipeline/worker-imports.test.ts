import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * What a parse worker loads is what each of them holds in its own heap. The config loader compiles
 * the JSON schemas (ajv) when it is imported: pulled in through a small helper it once made every
 * worker's heap ~25 MB larger at idle (26 -> 51 MB) and the gateway's idle RSS 150 -> 205 MB.
 */
test('a parse worker loads neither the config loader nor ajv (the compiled worker file, as the gateway starts it)', () => {
  const worker = resolve(__dirname, '../../../dist/src/pipeline/parse-worker.js');
  // the worker's imports without starting it as a worker: require its modules, list what loaded
  const script = `
    const Module = require('module');
    const loaded = [];
    const orig = Module._load;
    Module._load = function (req, parent, isMain) { loaded.push(req); return orig.apply(this, arguments); };
    try { require(${JSON.stringify(worker)}); } catch (e) { /* no parentPort outside a worker: its imports are done by then */ }
    const files = Object.keys(require.cache);
    console.log(JSON.stringify({ ajv: files.some((f) => f.includes('/node_modules/ajv/')), loader: files.some((f) => f.endsWith('/config/loader.js')), n: files.length }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim().split('\n').pop()!) as { ajv: boolean; loader: boolean; n: number };
  expect(out.n).toBeGreaterThan(10); // it did load the worker's modules
  expect(out).toMatchObject({ ajv: false, loader: false });
});
