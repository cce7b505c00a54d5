import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileDestination } from '../../../connectors/file';
import type { FileDestinationConfig } from '../../../src/config/types';
import { eventsOf, recordsOf } from '../../helpers/journal-records';

const cfgOf = (path: string): FileDestinationConfig => ({
  name: 'f', type: 'file', path, batch: { maxEvents: 10, maxBytes: 1 << 20, maxWaitMs: 10 }, retry: { initialMs: 1, maxMs: 2 }, concurrency: 1,
});

test('a partial last line left by a crash is cut before appending, so no document is glued to a fragment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-file-'));
  try {
    const path = join(dir, 'out.ndjson');
    writeFileSync(path, '{"a":1}\n{"a":2}\n{"a":3,"tor');
    const c = await openFileDestination(cfgOf(path));
    const events = eventsOf(recordsOf(['{"a":3}', '{"a":4}']));
    const encoded = events.map((e) => c.encode(e));
    expect(await c.send({ events, encoded, bytes: encoded.reduce((n, b) => n + b.length, 0) }, new AbortController().signal)).toEqual({ outcome: 'delivered' });
    await c.close();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
