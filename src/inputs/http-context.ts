import { audit } from '../observe/audit';
import type { IncomingMessage } from 'http';
import type { HttpInputConfig } from '../config/types';
import { log, rateLimited } from '../observe/log';
import type { TokenSet } from './http-auth';
import { contentEncoding, declaredTooLarge, readBody } from './http-body';
import { allowBody, type Exchange } from './http-reply';
import { peerIp } from './listen-address';
import type { IngestSink, InputCounters, Peer } from './types';

/** What every HTTP endpoint of one input shares. */
export interface HttpContext {
  cfg: HttpInputConfig;
  sink: IngestSink;
  counters: InputCounters;
  tokens: TokenSet;
  /** auth: none ⇒ no token needed. */
  isOpen: boolean;
}

export function requestPeer(ctx: HttpContext, req: IncomingMessage): Peer {
  return { input: ctx.cfg.name, transport: 'http', ip: peerIp(req.socket.remoteAddress), port: req.socket.remotePort ?? 0 };
}

const logLimited = rateLimited();

/** An authentication failure: logged (peer, path, why; never the token), rate-limited per peer, counted. */
export function noteAuthFailure(ctx: HttpContext, req: IncomingMessage, path: string, why: string): void {
  ctx.counters.httpAuthFailures++;
  const ip = peerIp(req.socket.remoteAddress);
  // logged and audited at a bounded rate per peer: a flood of bad tokens is counted, not written out
  logLimited(`${ctx.cfg.name}:auth:${ip}`, (suppressed) => {
    log.warn(`input ${ctx.cfg.name}: rejected ${req.method} ${path} from ${ip}: ${why}`, suppressed ? { suppressed } : undefined);
    audit('auth_failure', { where: `input ${ctx.cfg.name}`, method: req.method, path, peer: ip, why, ...(suppressed ? { suppressed_before: suppressed } : {}) });
  });
}

/** How each endpoint family words the failures of receiveBody. */
export interface BodyFailureReplies {
  unsupportedEncoding(name: string): void;
  tooLarge(): void;
  badGzip(why: string): void;
}

/**
 * Content-Encoding check, 100-continue, bounded read and gzip. Resolves with the body, or
 * undefined once a failure reply is sent (413 and 400 counted here).
 */
export async function receiveBody(ctx: HttpContext, ex: Exchange, replies: BodyFailureReplies): Promise<Buffer | undefined> {
  const max = ctx.cfg.maxBodyBytes;
  const enc = contentEncoding(ex.req);
  if (enc.kind === 'unsupported') { ctx.counters.httpUnsupported++; replies.unsupportedEncoding(enc.name); return undefined; }
  if (declaredTooLarge(ex.req, max)) { ctx.counters.httpTooLarge++; replies.tooLarge(); return undefined; }
  allowBody(ex);
  const r = await readBody(ex.req, max, enc.kind === 'gzip', (n) => { ctx.counters.bytes += n; });
  switch (r.kind) {
    case 'ok': return r.body;
    case 'too_large': ctx.counters.httpTooLarge++; replies.tooLarge(); return undefined;
    case 'bad_gzip': ctx.counters.httpBadRequests++; replies.badGzip(r.why); return undefined;
    case 'aborted': return undefined;
  }
}
