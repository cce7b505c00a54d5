import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import type { Socket } from 'net';
import type { TLSSocket } from 'tls';
import type { HttpInputConfig } from '../config/types';
import { E } from '../errors';
import { log } from '../observe/log';
import { auditHttpRequest } from '../observe/audit-http';
import { handleEvents } from './events-endpoint';
import { handleHec } from './hec-endpoints';
import { HEC } from './hec-replies';
import { TokenSet } from './http-auth';
import type { HttpContext } from './http-context';
import { replyError, replyJson, type Exchange } from './http-reply';
import { listenOn } from './listen-address';
import { clientCertProblem, countHandshakeFailures, logHandshakeFailure, serverTlsOptions } from './tls-material';
import { newInputCounters, type IngestSink, type RunningInput } from './types';

/** Slow-client bounds: all headers within 15 s, the whole request within 2 min, idle keep-alive 5 s. */
export const HEADERS_TIMEOUT_MS = 15_000;
export const REQUEST_TIMEOUT_MS = 120_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How long close() lets requests in flight finish before cutting their connections. */
export const HTTP_CLOSE_GRACE_MS = 5_000;

/**
 * The HTTP input: POST /v1/events (JSON, NDJSON) and the Splunk HEC-compatible
 * /services/collector/* on one server, HTTPS when `tls` is set.
 */
export async function startHttpInput(cfg: HttpInputConfig, sink: IngestSink): Promise<RunningInput> {
  const counters = newInputCounters();
  const ctx: HttpContext = { cfg, sink, counters, tokens: new TokenSet(cfg.tokens), isOpen: cfg.auth === 'none' };
  const serverOptions: ServerOptions = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse, awaitingContinue: boolean): void => {
    const ex: Exchange = { req, res, awaitingContinue };
    auditHttpRequest(`input ${cfg.name}`, req, res);
    route(ctx, ex).catch((err: Error) => {
      log.error(`input ${cfg.name}: ${req.method} request failed: ${err.message}`);
      replyError(ex, 500, E.HTTP_INTERNAL(err.message));
    });
  };
  let server: Server;
  if (cfg.tls) {
    const tlsCfg = cfg.tls;
    const https = createHttpsServer({ ...serverTlsOptions(cfg.name, tlsCfg), ...serverOptions }, (req, res) => onRequest(req, res, false));
    https.on('secureConnection', (socket: TLSSocket) => {
      const problem = clientCertProblem(socket, tlsCfg);
      if (problem) {
        counters.tlsHandshakeFailures++;
        logHandshakeFailure(cfg.name, socket.remoteAddress, socket.remotePort, problem);
        socket.destroy();
      }
    });
    countHandshakeFailures(https, cfg.name, counters);
    server = https;
  } else {
    server = createHttpServer(serverOptions, (req, res) => onRequest(req, res, false));
  }
  // Answer auth/size/encoding problems before the client sends a body it announced with Expect.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, true));
  server.on('connection', (socket: Socket) => {
    counters.connectionsOpened++;
    socket.once('close', () => { counters.connectionsClosed++; });
  });

  const address = await listenOn(server, cfg.name, cfg.address);
  let closed: Promise<void> | undefined;
  return {
    name: cfg.name,
    address,
    counters,
    kind: { type: 'http', tls: cfg.tls !== undefined },
    connections: () => counters.connectionsOpened - counters.connectionsClosed,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), HTTP_CLOSE_GRACE_MS).unref();
      });
      return closed;
    },
  };
}

async function route(ctx: HttpContext, ex: Exchange): Promise<void> {
  ctx.counters.httpRequests++;
  const url = ex.req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/v1/events') return handleEvents(ctx, ex, path);
  if (path.startsWith('/services/')) return handleHec(ctx, ex, path, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
  if (path === '/services') { replyJson(ex, HEC.notFound.status, HEC.notFound.body); return; }
  replyError(ex, 404, E.HTTP_NOT_FOUND(path.slice(0, 200)));
}
