import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { AdminConfig } from '../config/types';
import { readCredential, TokenSet } from '../inputs/http-auth';
import { serverTlsOptions } from '../inputs/tls-material';
import { pathOf, peerIp } from '../inputs/listen-address';
import type { Registry } from 'prom-client';
import type { Gateway } from '../gateway';
import { E } from '../errors';
import { burstLimited, log } from './log';
import { audit } from './audit';
import { createMetrics } from './metrics';
import { DASHBOARD_HTML } from './dashboard';
import { summarize, totalOf } from './stats-store';
import { auditHttpRequest } from './audit-http';
import { contentTypeOf } from './report-render';
import { requestReplay } from '../delivery/dead-letters';

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

  /**
   * Who is asking, when tokens are configured: the token's name and scope, or undefined when the
   * refusal is already answered. Without tokens (loopback only) every caller may act, as anyone
   * on the machine who can run the CLI may.
   */
  function authorised(req: IncomingMessage, res: ServerResponse, path: string, peer: string): { name: string; scope: 'read' | 'operator' } | undefined {
    if (tokens === undefined) return { name: '(loopback, no tokens configured)', scope: 'operator' };
    const c = readCredential(req.headers.authorization);
    const name = c.kind === 'token' && c.scheme === 'bearer' ? tokens.match(c.token) : undefined;
    const scope = name === undefined ? undefined : scopes.get(name);
    if (name !== undefined && scope !== undefined) return { name, scope };
    const why = c.kind === 'absent' ? 'no token' : c.kind === 'malformed' || c.scheme !== 'bearer' ? 'not a Bearer token' : 'an unknown token';
    logLimited(`admin:auth:${peer}`, (suppressed) => {
      log.warn(`admin: refused ${req.method} ${path} from ${peer}: ${why}`, suppressed ? { suppressed } : undefined);
      audit('auth_failure', { where: 'admin', method: req.method, path, peer, why, ...(suppressed ? { suppressed_before: suppressed } : {}) });
    });
    res.setHeader('WWW-Authenticate', 'Bearer realm="siemgate-admin"');
    reply(res, 401, { error: `${why}: send Authorization: Bearer <token> with a token from admin.tokens` });
    return undefined;
  }
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    auditHttpRequest('admin', req, res);
    const path = pathOf(req.url);
    const peer = peerIp(req.socket.remoteAddress);
    const who = authorised(req, res, path, peer);
    if (who === undefined) return;
    const action = ACTIONS.find((a) => a.path.test(path));
    if (action !== undefined) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return reply(res, 405, { error: `${path} is an action: POST it (with an operator token)` });
      }
      if (who.scope !== 'operator') {
        audit('auth_failure', { where: 'admin', method: req.method, path, peer, token: who.name, why: 'read-only token used for an operator action' });
        return reply(res, 403, { error: `token ${who.name} has scope read; ${path} needs an admin.tokens entry with scope: operator` });
      }
      const m = action.path.exec(path)!;
      const target = decodeURIComponent(m[1]);
      audit('operator_action', { action: action.name, target, token: who.name, peer });
      const [status, body] = await action.run(gw, target);
      return reply(res, status, body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, { error: `${req.method} is not allowed on ${path}; reading is GET, the actions are POST /api/dead-letters/DEST/replay and /api/reports/NAME/run` });
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
          // every configured rule (one that never fired too), then the episodes in detail
          alert_rules: gw.alertRules(),
          alerts: gw.alerts(),
          reports: gw.nextReports(),
        });
      }
      default: {
        const file = path.startsWith('/reports/') ? gw.reportFile(decodeURIComponent(path.slice(9))) : undefined;
        if (file !== undefined) {
          const type = contentTypeOf(file.slice(file.lastIndexOf('.') + 1));
          // a report is self-contained: no script runs in it, nothing is fetched for it
          res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'X-Content-Type-Options': 'nosniff' });
          res.end(req.method === 'HEAD' ? undefined : await readFile(file));
          return;
        }
        return reply(res, 404, { error: `no ${path} here; try / (the dashboard), /health, /metrics, /api/status or /reports/<file> of a configured report` });
      }
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

/** The operator actions: POST, operator scope, each audited with the token's name and the caller. */
const ACTIONS: Array<{ name: string; path: RegExp; run: (gw: Gateway, target: string) => Promise<[number, unknown]> }> = [
  {
    name: 'dlq_replay', path: /^\/api\/dead-letters\/([^/]+)\/replay$/,
    run: async (gw, dest) => {
      if (!gw.delivery.statuses().some((d) => d.name === dest)) return [404, { error: `no destination named ${JSON.stringify(dest)}; there are: ${gw.delivery.statuses().map((d) => d.name).join(', ')}` }];
      const r = requestReplay(gw.dataDir, dest);
      if (r === undefined) return [200, { destination: dest, queued: 0, note: 'no dead letters' }];
      return [202, { destination: dest, queued: r.events, file: r.file, note: 'sent within a second; any refused again return to the dead-letter file' }];
    },
  },
  {
    name: 'report_run', path: /^\/api\/reports\/([^/]+)\/run$/,
    run: async (gw, name) => {
      const r = await gw.runReport(name);
      if (r === undefined) return [404, { error: `no report named ${JSON.stringify(name)} in reports:; there are: ${gw.nextReports().map((x) => x.name).join(', ') || 'none'}` }];
      return [r.failed.length === 0 ? 200 : 502, { report: name, ...r }];
    },
  },
];

/** The stats store's last 24 hours, summed: per input, top senders, products by category/outcome, destinations. */
function last24h(gw: Gateway): Record<string, unknown> {
  const now = Date.now();
  gw.stats.sample(now);
  const t = summarize(totalOf(gw.stats.hours(now - 24 * 3_600_000, now + 1)));
  return {
    inputs: t.inputs,
    top_sources: t.sources.slice(0, 20).map((x) => ({ input: x.input, address: x.address, events: x.events, ...(x.lastSeen !== undefined ? { last_seen: new Date(x.lastSeen * 1000).toISOString() } : {}) })),
    products: t.products.slice(0, 50), destinations: t.destinations,
  };
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
