import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { E } from '../../src/errors';
import type { FileDestinationConfig } from '../../src/config/types';

/**
 * The file destination: ECS NDJSON appended to a local file, one document per line. It is the
 * embedded default's output and the local record. Writes are whole batches; a write that the
 * stream cannot take at once is awaited (backpressure reaches the inputs through the pipeline).
 */
export interface FileDestination {
  name: string;
  write(out: Uint8Array): Promise<void> | void;
  close(): Promise<void>;
}

export async function openFileDestination(cfg: FileDestinationConfig): Promise<FileDestination> {
  try {
    mkdirSync(dirname(cfg.path), { recursive: true });
  } catch (err) {
    throw E.DEST_FILE_OPEN(cfg.name, cfg.path, (err as Error).message);
  }
  const stream: WriteStream = createWriteStream(cfg.path, { flags: 'a', highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(E.DEST_FILE_OPEN(cfg.name, cfg.path, err.message)));
  });
  let failure: Error | undefined;
  stream.on('error', (err) => { failure = err; });
  return {
    name: cfg.name,
    write(out) {
      if (failure) throw E.DEST_FILE_OPEN(cfg.name, cfg.path, failure.message);
      if (stream.write(out)) return;
      return new Promise<void>((resolve) => stream.once('drain', resolve));
    },
    close() {
      return new Promise<void>((resolve) => stream.end(resolve));
    },
  };
}
