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
    encode(ev) {
      // the document's bytes are a view into the journal read buffer: one copy with the newline
      const out = Buffer.allocUnsafe(ev.doc.length + 1);
      ev.doc.copy(out, 0);
      out[ev.doc.length] = NL[0];
      return out;
    },
    async send(batch) {
      try {
        const h = await handle();
        let done = 0;
        let bufs = batch.encoded as Buffer[];
        while (done < batch.bytes) {
          const { bytesWritten } = await writevAsync(h, bufs);
          done += bytesWritten;
          if (done < batch.bytes) bufs = [Buffer.concat(batch.encoded as Buffer[]).subarray(done)];
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
