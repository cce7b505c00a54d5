import type { IncomingMessage, ServerResponse } from 'http';
import type { SiemgateError } from '../errors';

/** How much of an unread body we read and discard after answering early, and for how long. */
export const DRAIN_MAX_BYTES = 4 * 1024 * 1024;
export const DRAIN_MAX_MS = 10_000;

/** One request in flight: what replies need to know. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The client sent `Expect: 100-continue` and has not been told to send the body yet. */
  awaitingContinue: boolean;
}

/**
 * Sends a JSON reply. When the body was not (fully) read: if the client still waits for
 * 100-continue it never sends it, so the connection is closed; otherwise the rest of the body
 * is read and thrown away (up to DRAIN_MAX_BYTES / DRAIN_MAX_MS, then the socket is cut), so
 * the client gets the answer instead of a reset and the connection stays usable.
 */
/** Seconds a client is asked to wait (Retry-After) when the pipeline is behind. */
export const BUSY_RETRY_AFTER_S = 1;

export function replyJson(ex: Exchange, status: number, json: string, headers: Record<string, string> = {}): void {
  const { req, res } = ex;
  if (res.headersSent || res.destroyed) return;
  const unread = !req.complete;
  const head: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    ...headers,
  };
  if (unread && ex.awaitingContinue) head.Connection = 'close';
  res.writeHead(status, head);
  res.end(json);
  if (unread && !ex.awaitingContinue) drain(req);
}

/** `{"error":{"code","message"}}` for the /v1 family. */
export function replyError(ex: Exchange, status: number, err: SiemgateError, headers?: Record<string, string>): void {
  replyJson(ex, status, JSON.stringify({ error: { code: err.code, message: err.message } }), headers);
}

/** Tell a client that sent `Expect: 100-continue` to send its body now. */
export function allowBody(ex: Exchange): void {
  if (ex.awaitingContinue) {
    ex.awaitingContinue = false;
    ex.res.writeContinue();
  }
}

function drain(req: IncomingMessage): void {
  let left = DRAIN_MAX_BYTES;
  const cut = (): void => { req.socket.destroy(); };
  const timer = setTimeout(cut, DRAIN_MAX_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) { clearTimeout(timer); cut(); }
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}
