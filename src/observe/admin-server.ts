import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AdminConfig } from '../config/types';
import { readCredential, TokenSet } from '../inputs/http-auth';
import { serverTlsOptions } from '../inputs/tls-material';
import { peerIp } from '../inputs/listen-address';
import type { Registry } from 'prom-client';
import type { Gateway } from '../gateway';
import { E } from '../errors';
import { burstLimited, log } from './log';
import { audit } from './audit';
import { createMetrics } from './metrics';
import { DASHBOARD_HTML } from './dashboard';
import { summarize, totalOf } from './stats-store';

/** The admin server: /health, /metrics (Prometheus) and /api/status, on a loopback address. */
export interface AdminServer {
  address: { host: string; port: number };
  close(): Promise<void>;
}

export type AdminOptions = Pick<AdminConfig, 'host' | 'port' | 'tokens' | 'tls'>;

/** What /health and /api/status say: every input listening, no destination down. */
export function healthOf(gw: Gateway): { status: 'ok' | 'failing'; problems: string[]; inputs: unknown[]; destinations: unknown[] } {
  const problems: string[] = [];
  const inputs = gw.inputs.map((i) => ({ name: i.name, listening: `${i.address.host}:${i.address.port}`, connections: i.connections() }));
  const destinations = gw.delivery.statuses().map((s) => {
    if (s.state === 'down') problems.push(`destination ${s.name} is down: ${s.reason ?? 'no reason given'}`);
    return { name: s.name, target: s.target, state: s.state, reason: s.reason ?? null, since: s.since, pending: s.ledger.pending, oldest_pending_age_s: Math.round(s.oldestPendingAgeMs / 1000) };
  });
  return { status: problems.length === 0 ? 'ok' : 'failing', problems, inputs, destinations };
}

// each refusal is logged and audited, up to 20 per peer in 10 s; beyond that they are counted
const logLimited = burstLimited(20, 10_000);

export async function startAdminServer(gw: Gateway, opts: AdminOptions): Promise<AdminServer> {
  const metrics: Registry = createMetrics(gw);
  const tokens = opts.tokens.length > 0 ? new TokenSet(opts.tokens) : undefined;
  const scopes = new Map(opts.tokens.map((t) => [t.name, t.scope]));
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: Error) => {
      log.error(`admin: ${req.method} ${req.url} failed: ${err.message}`);
      if (!res.headersSent) reply(res, 500, { error: 'internal error; see the gateway log' });
      else res.destroy();
    });
  };
  const server: Server = opts.tls === undefined ? createServer(onRequest) : createTlsServer(serverTlsOptions('admin', opts.tls), onRequest);

  /** Who is asking, when tokens are configured: the token's name, or a refusal already answered. */
  function authorised(req: IncomingMessage, res: ServerResponse): boolean {
    if (tokens === undefined) return true;
    const c = readCredential(req.headers.authorization);
    const name = c.kind === 'token' && c.scheme === 'bearer' ? tokens.match(c.token) : undefined;
    if (name !== undefined && scopes.get(name) !== undefined) return true;
    const why = c.kind === 'absent' ? 'no token' : c.kind === 'malformed' || c.scheme !== 'bearer' ? 'not a Bearer token' : 'an unknown token';
    const peer = peerIp(req.socket.remoteAddress);
    const path = (req.url ?? '/').split('?')[0];
    logLimited(`admin:auth:${peer}`, (suppressed) => {
      log.warn(`admin: refused ${req.method} ${path} from ${peer}: ${why}`, suppressed ? { suppressed } : undefined);
      audit('auth_failure', { where: 'admin', method: req.method, path, peer, why, ...(suppressed ? { suppressed_before: suppressed } : {}) });
    });
    res.setHeader('WWW-Authenticate', 'Bearer realm="siemgate-admin"');
    reply(res, 401, { error: `${why}: send Authorization: Bearer <token> with a token from admin.tokens` });
    return false;
  }
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (!authorised(req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, { error: `${req.method} is not allowed here; the admin API is read-only (GET)` });
    }
    switch (path) {
      case '/':
      case '/index.html':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:" });
        res.end(req.method === 'HEAD' ? undefined : DASHBOARD_HTML);
        return;
      case '/health': {
        const h = healthOf(gw);
        return reply(res, h.status === 'ok' ? 200 : 503, h);
      }
      case '/metrics': {
        const text = await metrics.metrics();
        res.writeHead(200, { 'Content-Type': metrics.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      case '/api/status': {
        const h = healthOf(gw);
        const l = gw.ledger();
        return reply(res, 200, {
          ...h,
          ledger: l,
          journal: { bytes: gw.journal.bytes(), segments: gw.journal.segments().length, head: gw.journal.head() },
          formats: gw.ingest.stats().formats,
          received_by_input: gw.ingest.stats().receivedByInput,
          last_24h: last24h(gw),
          alerts: [],
        });
      }
      default:
        return reply(res, 404, { error: `no ${path} here; try / (the dashboard), /health, /metrics or /api/status` });
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error) => reject(E.ADMIN_BIND(`${opts.host}:${opts.port}`, err.message)));
    server.listen(opts.port, opts.host, () => resolve());
  });
  server.on('error', (err) => log.error(`admin server: ${err.message}`));
  const a = server.address();
  const address = typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : { host: opts.host, port: opts.port };
  log.info(`admin server on ${opts.tls === undefined ? 'http' : 'https'}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port} (/ dashboard, /health, /metrics, /api/status)` +
    (tokens === undefined ? '' : `; ${opts.tokens.length} token(s) accepted`));
  return {
    address,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The stats store's last 24 hours, summed: per input, top senders, products by category/outcome, destinations. */
function last24h(gw: Gateway): Record<string, unknown> {
  const now = Date.now();
  gw.stats.sample(now);
  const t = summarize(totalOf(gw.stats.hours(now - 24 * 3_600_000, now + 1)));
  return { inputs: t.inputs, top_sources: t.sources.slice(0, 20), products: t.products.slice(0, 50), destinations: t.destinations };
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
