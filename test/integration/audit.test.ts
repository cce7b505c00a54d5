/**
 * The audit trail of a real gateway: what it records (start with the config's hash, refused
 * tokens without the token, destination state changes, stop with the ledger), and
 * `siemgate audit verify` on it, intact and tampered; then the same trail gone on in rotated
 * files (written here through the module), which `audit verify` reads across.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import axios from 'axios';
import { unlinkSync } from 'node:fs';
import { audit, closeAudit, openAudit } from '../../src/observe/audit';
import { freePort, killAllGateways, startGateway, BIN } from '../helpers/gateway';
import { cleanUp, makeTempDir, runProc, waitUntil } from '../helpers/procs';

jest.setTimeout(60000);
afterAll(async () => {
  await killAllGateways();
  await cleanUp();
});

test('start, refused tokens, destination state, stop: recorded, chained, signed; verify finds a tampered record by file and line', async () => {
  const http = await freePort();
  const dead = await freePort(); // nothing listens: the destination cannot be reached
  const keyFile = join(makeTempDir('sg-audit-key-'), 'audit.key');
  writeFileSync(keyFile, Buffer.alloc(32, 7));
  const yaml = `
data_dir: "@DIR@/data"
audit: { key_file: "${keyFile}" }
inputs:
  - { name: api, type: http, address: "127.0.0.1:${http}", tokens: [{ name: app, secret: "right-token-0123456789" }] }
destinations:
  - { name: siem, type: http, url: "http://127.0.0.1:${dead}/ingest", retry: { initial_ms: 50, max_ms: 100 } }
`;
  const gw = await startGateway(yaml);
  const cfgFile = join(gw.dir, 'siemgate.yaml');
  const r = await axios.post(`http://127.0.0.1:${http}/v1/events`, '{"message":"x"}', { headers: { Authorization: 'Bearer wrong-token-abcdef' }, validateStatus: () => true });
  expect(r.status).toBe(401);
  const ok = await axios.post(`http://127.0.0.1:${http}/v1/events`, '{"message":"y"}', { headers: { Authorization: 'Bearer right-token-0123456789' }, validateStatus: () => true });
  expect(ok.status).toBe(200);
  await waitUntil(() => (gw.stderr().includes('destination siem (') && gw.stderr().includes(' is degraded') ? true : undefined), 20000, () => 'not degraded yet');
  await gw.stop();

  const dir = join(gw.dir, 'data', 'audit');
  const file = join(dir, readdirSync(dir).find((f) => f.startsWith('audit-'))!);
  const text = readFileSync(file, 'utf8');
  const recs = text.trim().split('\n').map((l) => JSON.parse(l));
  expect(recs[0]).toMatchObject({ seq: 1, type: 'start', config: cfgFile, config_sha256: createHash('sha256').update(readFileSync(cfgFile)).digest('hex') });
  expect(recs.find((x) => x.type === 'auth_failure')).toMatchObject({ where: 'input api', method: 'POST', path: '/v1/events', peer: '127.0.0.1', why: 'SG_HTTP_AUTH_INVALID' });
  expect(recs.find((x) => x.type === 'destination_state')).toMatchObject({ destination: 'siem', state: 'degraded' });
  expect(recs[recs.length - 1]).toMatchObject({ type: 'stop', received: 1, journaled: 1, unaccounted: 0, destinations: { siem: { delivered: 0, pending: 1 } } });
  for (const x of recs) expect(x.mac).toMatch(/^[0-9a-f]{64}$/);
  expect(text).not.toContain('wrong-token');
  expect(text).not.toContain('right-token');

  const verify = () => runProc(process.execPath, [BIN, 'audit', 'verify', '-c', cfgFile], { cwd: gw.dir });
  const good = await verify();
  expect([good.code, good.stdout]).toEqual([0, expect.stringMatching(new RegExp(`${recs.length} record\\(s\\) in 1 file\\(s\\), chain intact, every record signed with audit.key_file`))]);
  // someone "fixes" the refused request's peer address
  writeFileSync(file, text.replace('"peer":"127.0.0.1"', '"peer":"10.9.9.9"'));
  const bad = await verify();
  expect(bad.code).toBe(1);
  const line = recs.findIndex((x) => x.type === 'auth_failure') + 1;
  expect(bad.stderr).toMatch(new RegExp(`the audit trail does not verify: .*audit-\\d{8}\\.jsonl:${line}: the HMAC does not match.*\\[SG_AUDIT_BROKEN\\]`));
});

/** Audit files in chain order: by day, then -1, -2 ... numerically. */
function chainOrder(dir: string): string[] {
  const idx = (f: string) => Number(/-(\d+)\.jsonl$/.exec(f.slice(14))?.[1] ?? 0);
  return readdirSync(dir).filter((f) => /^audit-\d{8}(-\d+)?\.jsonl$/.test(f))
    .sort((a, b) => (a.slice(6, 14) === b.slice(6, 14) ? idx(a) - idx(b) : a < b ? -1 : 1));
}

test('a trail begun by the gateway goes on in rotated files (audit-YYYYMMDD-1.jsonl, -2 ...): `audit verify` reads across them and names a removed middle file', async () => {
  const http = await freePort();
  const key = Buffer.alloc(32, 9);
  const keyFile = join(makeTempDir('sg-audit-key-'), 'audit.key');
  writeFileSync(keyFile, key);
  const gw = await startGateway(`
data_dir: "@DIR@/data"
audit: { key_file: "${keyFile}" }
inputs:
  - { name: api, type: http, address: "127.0.0.1:${http}", tokens: [{ name: app, secret: "right-token-0123456789" }] }
destinations:
  - { name: out, type: file, path: "@OUT@" }
`);
  expect(await gw.stop()).toBe(0);
  const dir = join(gw.dir, 'data', 'audit');
  expect(chainOrder(dir)).toEqual([expect.stringMatching(/^audit-\d{8}\.jsonl$/)]);
  const byGateway = readFileSync(join(dir, chainOrder(dir)[0]), 'utf8').trim().split('\n').length;

  openAudit({ dir, key, maxFileBytes: 4096 });
  for (let i = 0; i < 30; i++) audit('test', { i, pad: 'p'.repeat(300) });
  await closeAudit();
  const fs = chainOrder(dir);
  expect(fs.length).toBeGreaterThanOrEqual(3);
  expect(fs[1]).toMatch(/^audit-\d{8}-1\.jsonl$/);

  const cfgFile = join(gw.dir, 'siemgate.yaml');
  const verify = () => runProc(process.execPath, [BIN, 'audit', 'verify', '-c', cfgFile], { cwd: gw.dir });
  const good = await verify();
  expect([good.code, good.stdout]).toEqual([0, `${dir}: ${byGateway + 30} record(s) in ${fs.length} file(s), chain intact, every record signed with audit.key_file\n`]);

  const middle = readFileSync(join(dir, fs[1]), 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq as number);
  unlinkSync(join(dir, fs[1]));
  const bad = await verify();
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain(`the audit trail does not verify: ${join(dir, fs[2])}:1: record ${middle[0]}..${middle[middle.length - 1]} is missing here: a file before this one was removed (or cut at its end)`);
  expect(bad.stderr).toContain('[SG_AUDIT_BROKEN]');
});
