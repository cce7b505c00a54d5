import { parseRetryAfter } from '../../src/delivery/backoff';

/**
 * Entra ID access tokens for the Logs Ingestion API: OAuth2 client credentials (protocols.md §6.2,
 * "Token request"), cached and shared. A token is used until it nears its end, then refreshed in
 * the background while it is still good; callers arriving together share one request to Entra ID.
 * A 401 from the ingestion API may mean the service stopped accepting a token we still think good
 * (revoked, clock skew): the caller asks for one forced refresh; a fresh token refused again is a
 * setting to fix (audience/scope, tenant), not something more token requests can cure.
 */

/** Entra ID's answer to a token request. */
export interface TokenAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

/** Sends the form POST to `<authority_host>/<tenant_id>/oauth2/v2.0/token`. */
export type TokenRequest = (signal?: AbortSignal) => Promise<TokenAnswer>;

/** A token could not be had. `permanent`: the credentials or settings are wrong (the destination is down until fixed). */
export interface TokenFailure extends Error {
  code: 'SENTINEL_TOKEN';
  permanent: boolean;
  delayMs?: number;
}

export function isTokenFailure(err: unknown): err is TokenFailure {
  return (err as { code?: unknown } | null)?.code === 'SENTINEL_TOKEN';
}

export interface TokenSource {
  /** A token good for now: cached, or fetched (rejects with a TokenFailure). */
  get(signal?: AbortSignal): Promise<string>;
  /**
   * The ingestion API answered 401 to `rejected`: a new token, fetched at most once per token
   * handed out; undefined when `rejected` was itself the fresh one (the 401 is not about age).
   */
  refreshAfter401(rejected: string, signal?: AbortSignal): Promise<string | undefined>;
  /** The ingestion API took this token: a later 401 with it may again be cured by a refresh. */
  accepted(token: string): void;
}

export interface TokenSettings {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  authorityHost: string;
}

interface Cached {
  token: string;
  /** From here on, refresh in the background while still handing out this token. */
  refreshAt: number;
  /** From here on, wait for a new one. */
  staleAt: number;
  /** Fetched because the ingestion API refused its predecessor (no second forced refresh for it). */
  forced: boolean;
}

const FIVE_MINUTES = 5 * 60_000;

/**
 * When to refresh a token that lives `lifetimeMs`: once less than 5 minutes or 10% of its life is
 * left, whichever comes first, but never in its first half (a token Entra ID issues for less than
 * 10 minutes would otherwise be refreshed on every call). It is handed out until 30 s (or a tenth
 * of its life, if shorter) before it expires, so a request does not reach the service stale.
 */
export function refreshTimes(obtainedAt: number, lifetimeMs: number): { refreshAt: number; staleAt: number } {
  const early = Math.min(Math.max(FIVE_MINUTES, lifetimeMs * 0.1), lifetimeMs / 2);
  return { refreshAt: obtainedAt + lifetimeMs - early, staleAt: obtainedAt + lifetimeMs - Math.min(30_000, lifetimeMs * 0.1) };
}

export function createTokenSource(request: TokenRequest, settings: TokenSettings, now: () => number = Date.now): TokenSource {
  let cached: Cached | undefined;
  let inflight: Promise<Cached> | undefined;

  function fetchShared(signal?: AbortSignal): Promise<Cached> {
    if (inflight === undefined) {
      inflight = fetchToken(request, settings, now, signal).then(
        (c) => { cached = c; inflight = undefined; return c; },
        (err: unknown) => { inflight = undefined; throw err; },
      );
    }
    return inflight;
  }

  return {
    async get(signal) {
      const c = cached;
      const t = now();
      if (c !== undefined && t < c.refreshAt) return c.token;
      if (c !== undefined && t < c.staleAt) {
        // still good: hand it out and renew behind it (a failure shows on a later get)
        fetchShared().catch(() => undefined);
        return c.token;
      }
      return (await fetchShared(signal)).token;
    },
    async refreshAfter401(rejected, signal) {
      const c = cached;
      if (c !== undefined && c.token !== rejected) return c.token; // another caller already replaced it
      if (c?.forced) return undefined;
      cached = undefined;
      const fresh = await fetchShared(signal);
      fresh.forced = true;
      return fresh.token === rejected ? undefined : fresh.token;
    },
    accepted(token) {
      if (cached !== undefined && cached.token === token) cached.forced = false;
    },
  };
}

async function fetchToken(request: TokenRequest, s: TokenSettings, now: () => number, signal?: AbortSignal): Promise<Cached> {
  const startedAt = now();
  let a: TokenAnswer;
  try {
    a = await request(signal);
  } catch (err) {
    throw failure(redact(`Entra ID token endpoint ${s.authorityHost} not reachable: ${(err as Error).message}; check authority_host, the network path and tls.ca_file`, s), false);
  }
  if (a.status === 200) {
    const body = parseObject(a.body);
    const token = body?.access_token;
    const expiresIn = Number(body?.expires_in);
    if (typeof token !== 'string' || token === '' || !(expiresIn > 0)) {
      throw failure(`Entra ID answered 200 to the token request without access_token and expires_in; check authority_host (${s.authorityHost}) points at Entra ID`, false);
    }
    return { token, ...refreshTimes(startedAt, expiresIn * 1000), forced: false };
  }
  throw explainTokenError(a, s);
}

/** One line for the operator about a refused token request (never with the secret). */
export function explainTokenError(a: TokenAnswer, s: TokenSettings): TokenFailure {
  const body = parseObject(a.body);
  const error = typeof body?.error === 'string' ? body.error : undefined;
  const description = typeof body?.error_description === 'string' ? firstLine(body.error_description) : undefined;
  const aadsts = description === undefined ? undefined : AADSTS.exec(description)?.[1];
  const said = `HTTP ${a.status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`;
  const who = `client_id ${s.clientId} in tenant ${s.tenantId}`;
  let text: string;
  switch (aadsts) {
    case '7000215':
      text = `Entra ID refused client_secret for ${who} (AADSTS7000215): copy the secret's Value, not its Secret ID, from the app registration's Certificates & secrets into client_secret`;
      break;
    case '7000222':
      text = `the client secret of ${who} has expired (AADSTS7000222): create a new one under the app registration's Certificates & secrets and update client_secret`;
      break;
    case '700016':
      text = `Entra ID has no application with client_id ${s.clientId} in tenant ${s.tenantId} (AADSTS700016): check client_id, and that tenant_id is the app registration's Directory (tenant) ID`;
      break;
    case '90002':
      text = `Entra ID does not know tenant ${s.tenantId} (AADSTS90002): check tenant_id, and authority_host (${s.authorityHost}) for sovereign clouds`;
      break;
    case '900023':
      text = `tenant_id ${s.tenantId} is not a tenant (AADSTS900023): use the Directory (tenant) ID GUID from the app registration's overview`;
      break;
    case '70011':
    case '1002012':
      text = `Entra ID refused scope ${s.scope} (AADSTS${aadsts}): use the resource with /.default, e.g. https://monitor.azure.com//.default`;
      break;
    case '500011':
      text = `scope ${s.scope} names a resource unknown in tenant ${s.tenantId} (AADSTS500011): for Azure Monitor use https://monitor.azure.com//.default (.us / .cn in sovereign clouds)`;
      break;
    default:
      text = `Entra ID refused the token request for ${who} (${said})`;
  }
  const transient = a.status === 408 || a.status === 429 || a.status >= 500;
  const f = failure(redact(transient ? `Entra ID token endpoint busy or failing (${said}); will retry` : text, s), !transient);
  if (transient) f.delayMs = parseRetryAfter(a.retryAfter);
  return f;
}

const AADSTS = /AADSTS(\d+)/;
const LINE_END = /[\r\n]/;

/** Entra ID appends `Trace ID`, `Correlation ID` and `Timestamp` lines: the first line is the news. */
function firstLine(text: string): string {
  const nl = text.search(LINE_END);
  return (nl < 0 ? text : text.slice(0, nl)).trim();
}

function failure(message: string, permanent: boolean): TokenFailure {
  return Object.assign(new Error(message), { code: 'SENTINEL_TOKEN' as const, permanent });
}

/** Text for logs and reasons never carries the client secret, whatever the service echoed. */
export function redact(text: string, s: Pick<TokenSettings, 'clientSecret'>): string {
  return s.clientSecret.length >= 4 ? text.split(s.clientSecret).join('[redacted]') : text;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
