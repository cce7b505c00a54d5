import { close, closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, open, openSync, readSync, statSync, writev } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { FileDestinationConfig } from '../../src/config/types';
import type { Connector } from '../../src/delivery/connector';
import { E } from '../../src/errors';
import { log } from '../../src/observe/log';

const openAsync = promisify(open);
const writevAsync = promisify(writev);
const closeAsync = promisify(close);

/**
 * The file destination: ECS NDJSON appended to a local file, one document per line; the embedded
 * default's output and the local record. A batch is one writev; a failed write (disk full) is
 * retried by the dispatcher like any unavailable destination, and the file is reopened by name on
 * the next attempt. A file moved or removed under us (logrotate's create mode, an operator's rm)
 * takes writes without an error, so before a batch, at most every ROTATE_CHECK_MS, the path is
 * checked to still be the file we hold open; if not, a new one is made under the name.
 * (copytruncate needs nothing: the file is opened for appending.)
 */
const ROTATE_CHECK_MS = 250;

/**
 * A crash in the middle of a write leaves a partial last line. Its events were not acknowledged,
 * so the journal sends them again; appending after the fragment would glue it to the next
 * document. Cut the file back to its last newline; returns the bytes cut.
 */
function cutTornLine(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const from = Math.max(0, end - buf.length);
      readSync(fd, buf, 0, end - from, from);
      const nl = buf.subarray(0, end - from).lastIndexOf(10);
      if (nl >= 0) {
        const keep = from + nl + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = from;
    }
    if (size > 0) ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

/**
 * mkdir -p, a level at a time: Node's recursive mkdirSync never returns for some paths (under
 * /proc, seen with Node 20: 100 % CPU, deaf to SIGTERM), and says EEXIST where a parent is a file.
 */
function makeParents(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) throw new Error(`${d} is a file, not a directory`);
  for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]);
}

export async function openFileDestination(cfg: FileDestinationConfig): Promise<Connector> {
  try {
    makeParents(dirname(cfg.path));
  } catch (err) {
    throw E.DEST_FILE_OPEN(cfg.name, cfg.path, (err as Error).message);
  }
  let fd: number | undefined;
  let held = { dev: 0, ino: 0 };
  let checkedAt = 0;
  async function handle(): Promise<number> {
    if (fd !== undefined && Date.now() - checkedAt >= ROTATE_CHECK_MS) {
      checkedAt = Date.now();
      if (!stillAtPath()) {
        log.info(`destination ${cfg.name}: ${cfg.path} was moved or removed (log rotation?); writing to a new ${cfg.path}`);
        const old = fd;
        fd = undefined;
        await closeAsync(old).catch(() => undefined);
      }
    }
    if (fd === undefined) {
      fd = await openAsync(cfg.path, 'a');
      const st = fstatSync(fd);
      held = { dev: st.dev, ino: st.ino };
      checkedAt = Date.now();
    }
    return fd;
  }
  function stillAtPath(): boolean {
    try {
      const st = statSync(cfg.path);
      return st.ino === held.ino && st.dev === held.dev;
    } catch {
      return false; // removed: written to, the events would be in no file
    }
  }
  try {
    const cut = cutTornLine(cfg.path);
    if (cut > 0) {
      log.warn(`destination ${cfg.name}: ${cfg.path} ended in a partial line (${cut} bytes), written when the gateway stopped without closing; ` +
        'it is cut, and the events it held are written again from the journal');
    }
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
