import { close, mkdirSync, open, writev } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { FileDestinationConfig } from '../../src/config/types';
import type { Connector } from '../../src/delivery/connector';
import { E } from '../../src/errors';

const openAsync = promisify(open);
const writevAsync = promisify(writev);
const closeAsync = promisify(close);

/**
 * The file destination: ECS NDJSON appended to a local file, one document per line; the embedded
 * default's output and the local record. A batch is one writev; a failed write (disk full, file
 * removed under us) is retried by the dispatcher like any unavailable destination, and the file is
 * reopened by name on the next attempt.
 */
export async function openFileDestination(cfg: FileDestinationConfig): Promise<Connector> {
  try {
    mkdirSync(dirname(cfg.path), { recursive: true });
  } catch (err) {
    throw E.DEST_FILE_OPEN(cfg.name, cfg.path, (err as Error).message);
  }
  let fd: number | undefined;
  async function handle(): Promise<number> {
    if (fd === undefined) fd = await openAsync(cfg.path, 'a');
    return fd;
  }
  try {
    await handle();
  } catch (err) {
    throw E.DEST_FILE_OPEN(cfg.name, cfg.path, (err as Error).message);
  }
  const NL = Buffer.from('\n');
  return {
    target: cfg.path,
    // The document as it is in the journal read buffer (a view, no copy); the newlines are added
    // as their own iovecs at write time. Copying each document cost the reading thread more in
    // allocation and garbage collection than the write itself.
    encode: (ev) => ev.doc,
    async send(batch) {
      try {
        const h = await handle();
        const iov: Buffer[] = new Array(batch.encoded.length * 2);
        for (let i = 0; i < batch.encoded.length; i++) {
          iov[2 * i] = batch.encoded[i];
          iov[2 * i + 1] = NL;
        }
        const total = batch.bytes + batch.encoded.length;
        let done = 0;
        let bufs = iov;
        while (done < total) {
          const { bytesWritten } = await writevAsync(h, bufs);
          done += bytesWritten;
          if (done < total) bufs = [Buffer.concat(iov).subarray(done)];
        }
        return { outcome: 'delivered' };
      } catch (err) {
        const h = fd;
        fd = undefined;
        if (h !== undefined) await closeAsync(h).catch(() => undefined);
        return { outcome: 'retry', reason: E.DEST_FILE_OPEN(cfg.name, cfg.path, (err as Error).message).message };
      }
    },
    async close() {
      if (fd !== undefined) await closeAsync(fd);
      fd = undefined;
    },
  };
}
