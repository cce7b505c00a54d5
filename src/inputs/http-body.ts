import type { IncomingMessage } from 'http';
import { gunzip } from 'zlib';

export type BodyResult =
  | { kind: 'ok'; body: Buffer }
  | { kind: 'too_large' }
  | { kind: 'bad_gzip'; why: string }
  | { kind: 'aborted' };

export type Encoding = { kind: 'identity' } | { kind: 'gzip' } | { kind: 'unsupported'; name: string };

export function contentEncoding(req: IncomingMessage): Encoding {
  const raw = req.headers['content-encoding'];
  if (raw === undefined) return { kind: 'identity' };
  const v = raw.trim().toLowerCase();
  if (v === '' || v === 'identity') return { kind: 'identity' };
  if (v === 'gzip' || v === 'x-gzip') return { kind: 'gzip' };
  return { kind: 'unsupported', name: raw.slice(0, 40) };
}

/** True when the declared Content-Length already exceeds the limit (answer before reading). */
export function declaredTooLarge(req: IncomingMessage, max: number): boolean {
  const len = req.headers['content-length'];
  return len !== undefined && Number(len) > max;
}

/**
 * Reads the body, never holding more than `max` bytes: past the limit it stops collecting and
 * answers too_large (the caller replies and drains the rest without keeping it). A gzip body
 * is inflated with the same bound on its inflated size. `onBytes` sees wire bytes as they come.
 */
export function readBody(req: IncomingMessage, max: number, gzip: boolean, onBytes: (n: number) => void): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult | Promise<BodyResult>): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      onBytes(chunk.length);
      if (size > max) { finish({ kind: 'too_large' }); return; }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const body = Buffer.concat(chunks, size);
      finish(gzip ? inflate(body, max) : { kind: 'ok', body });
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const onClose = (): void => { if (!req.complete) finish({ kind: 'aborted' }); };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

function inflate(body: Buffer, max: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    gunzip(body, { maxOutputLength: Math.max(1, max) }, (err, out) => {
      if (!err) resolve({ kind: 'ok', body: out });
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') resolve({ kind: 'too_large' });
      else resolve({ kind: 'bad_gzip', why: err.message });
    });
  });
}
