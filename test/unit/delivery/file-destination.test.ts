import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFileDestination } from '../../../connectors/file';
import type { FileDestinationConfig } from '../../../src/config/types';
import { eventsOf, recordsOf } from '../../helpers/journal-records';
import { makeTempDir, removeTempDirs } from '../../helpers/procs';

afterAll(removeTempDirs);

const cfgOf = (path: string): FileDestinationConfig => ({
  name: 'f', type: 'file', path, batch: { maxEvents: 10, maxBytes: 1 << 20, maxWaitMs: 10 }, retry: { initialMs: 1, maxMs: 2 }, concurrency: 1,
});

/** Sends these documents as one batch; it must be delivered. */
async function send(c: Awaited<ReturnType<typeof openFileDestination>>, docs: string[]): Promise<void> {
  const events = eventsOf(recordsOf(docs));
  const encoded = events.map((e) => c.encode(e));
  expect(await c.send({ events, encoded, bytes: encoded.reduce((n, b) => n + b.length, 0) }, new AbortController().signal)).toEqual({ outcome: 'delivered' });
}

test('a partial last line left by a crash is cut before appending, so no document is glued to a fragment', async () => {
  const dir = makeTempDir('sg-file-');
  const path = join(dir, 'out.ndjson');
  writeFileSync(path, '{"a":1}\n{"a":2}\n{"a":3,"tor');
  const c = await openFileDestination(cfgOf(path));
  await send(c, ['{"a":3}', '{"a":4}']);
  await c.close();
  expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n');
});

test('a file moved away (logrotate) or removed is followed by a new one under the name: no event goes to the old or a deleted file', async () => {
  const dir = makeTempDir('sg-file-');
  const pause = () => new Promise((r) => setTimeout(r, 300)); // past the check interval
  const path = join(dir, 'out.ndjson');
  const c = await openFileDestination(cfgOf(path));
  await send(c, ['{"n":1}']);
  renameSync(path, `${path}.1`);
  await pause();
  await send(c, ['{"n":2}']);
  expect(readFileSync(`${path}.1`, 'utf8')).toBe('{"n":1}\n');
  expect(readFileSync(path, 'utf8')).toBe('{"n":2}\n');
  unlinkSync(path);
  await pause();
  await send(c, ['{"n":3}']);
  await c.close();
  expect(readFileSync(path, 'utf8')).toBe('{"n":3}\n');
});

test('a path that cannot be made is refused at once with the reason: a parent that is a file, a directory under /proc (where Node\'s recursive mkdir never returns)', async () => {
  const dir = makeTempDir('sg-file-');
  writeFileSync(join(dir, 'plain'), 'x');
  await expect(openFileDestination(cfgOf(join(dir, 'plain', 'sub', 'out.ndjson')))).rejects.toThrow(/plain is a file, not a directory/);
  if (process.platform === 'linux') await expect(openFileDestination(cfgOf('/proc/siemgate-nope/out.ndjson'))).rejects.toThrow(/cannot open \/proc\/siemgate-nope\/out\.ndjson/);
  const deep = join(dir, 'a', 'b', 'c', 'out.ndjson');
  const c = await openFileDestination(cfgOf(deep));
  await c.close();
  expect(existsSync(deep)).toBe(true);
});
