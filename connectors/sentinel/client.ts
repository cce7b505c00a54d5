import { randomUUID } from 'node:crypto';
import type { SentinelDestinationConfig } from '../../src/config/types';
import { parseRetryAfter } from '../../src/delivery/backoff';
import { createHttpClient, headerOf, requestBody, answerText } from '../shared/http-client';
import type { TokenRequest } from './token';


/** A Logs Ingestion API answer (protocols.md §6.2): status, body, and the headers we act on. */
export interface IngestAnswer {
  status: number;
  body: string;
  /** Retry-After (seconds or HTTP-date). */
  retryAfter?: string;
  /** retry-after-ms / x-ms-retry-after-ms, which Azure services may send instead. */
  retryAfterMs?: string;
  /** x-ms-error-code: the error code, also when the body has none. */
  errorCode?: string;
}

/** The two HTTP calls the connector makes; unit tests replace them. */
export interface SentinelTransport {
  token: TokenRequest;
  /** POST one JSON array (uncompressed bytes) to a stream of the DCR. */
  ingest(stream: string, body: Buffer, token: string, signal?: AbortSignal): Promise<IngestAnswer>;
}

/** The token URL for a tenant (authority host without trailing slash). */
export function tokenUrl(cfg: Pick<SentinelDestinationConfig, 'authorityHost' | 'tenantId'>): string {
  return `${cfg.authorityHost}/${encodeURIComponent(cfg.tenantId)}/oauth2/v2.0/token`;
}

/** The ingestion URL of a stream (protocols.md §6.2 URL). */
export function ingestUrl(cfg: Pick<SentinelDestinationConfig, 'endpoint' | 'dcrImmutableId' | 'apiVersion'>, stream: string): string {
  return `${cfg.endpoint}/dataCollectionRules/${encodeURIComponent(cfg.dcrImmutableId)}/streams/${encodeURIComponent(stream)}?api-version=${encodeURIComponent(cfg.apiVersion)}`;
}

export function createSentinelTransport(cfg: SentinelDestinationConfig, timeoutMs = cfg.timeoutMs): SentinelTransport {
  // one client per host: createHttpClient gives a keep-alive agent for one scheme
  const ingestClient = createHttpClient({ https: cfg.endpoint.startsWith('https:'), timeoutMs, tls: cfg.tls });
  const loginClient = createHttpClient({ https: cfg.authorityHost.startsWith('https:'), timeoutMs, tls: cfg.tls });
  const form = new URLSearchParams({
    client_id: cfg.clientId, client_secret: cfg.clientSecret, grant_type: 'client_credentials', scope: cfg.scope,
  }).toString();
  return {
    async token(signal) {
      const res = await loginClient.post(tokenUrl(cfg), form, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, signal });
      return { status: res.status, body: answerText(res.data), retryAfter: headerOf(res.headers['retry-after']) };
    },
    async ingest(stream, body, token, signal) {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'x-ms-client-request-id': randomUUID(),
      };
      if (cfg.gzip) headers['Content-Encoding'] = 'gzip';
      const data = await requestBody(body, cfg.gzip);
      const res = await ingestClient.post(ingestUrl(cfg, stream), data, { headers, signal });
      return {
        status: res.status,
        body: answerText(res.data),
        retryAfter: headerOf(res.headers['retry-after']),
        retryAfterMs: headerOf(res.headers['retry-after-ms']) ?? headerOf(res.headers['x-ms-retry-after-ms']),
        errorCode: headerOf(res.headers['x-ms-error-code']),
      };
    },
  };
}

/** What an answer means for the rows of that request. */
export type IngestOutcome =
  | { kind: 'delivered' }
  /** 413: the request is too large; send it in halves (a single row: reject). */
  | { kind: 'split'; reason: string }
  /** 400 about the content: some row is refused; halve to find it (a single row: reject). */
  | { kind: 'bad-rows'; reason: string; response: string }
  /**
   * Try again later. `misconfigured`: the destination itself is unusable until someone fixes a
   * setting or a permission. `busy`: the service is throttling or failing: the batch's other
   * requests wait too instead of hitting it meanwhile.
   */
  | { kind: 'retry'; reason: string; delayMs?: number; misconfigured?: string; busy?: boolean };

interface ErrorBody { code?: string; message?: string }

/** `{"error":{"code","message"}}` (protocols.md §6.2 Errors), or what the header says. */
export function errorOf(a: IngestAnswer): ErrorBody {
  let code = a.errorCode;
  let message: string | undefined;
  try {
    const v = JSON.parse(a.body) as { error?: { code?: unknown; message?: unknown } } | null;
    if (typeof v?.error?.code === 'string') code = v.error.code;
    if (typeof v?.error?.message === 'string') message = v.error.message;
  } catch { /* not JSON: the status speaks alone */ }
  return { code, message: message === undefined ? undefined : message.length > 400 ? `${message.slice(0, 400)}…` : message };
}

export interface ClassifyContext {
  stream: string;
  dcrImmutableId: string;
  clientId: string;
  apiVersion: string;
}

/**
 * The Logs Ingestion API's answer (protocols.md §6.2 status table) as an outcome for the rows
 * sent. A 401 reaches here only after the one forced token refresh (index.ts).
 */
export function classifyIngestion(a: IngestAnswer, c: ClassifyContext): IngestOutcome {
  if (a.status >= 200 && a.status < 300) return { kind: 'delivered' }; // 204: accepted (not yet stored)
  const err = errorOf(a);
  const status = `Logs Ingestion API ${a.status}${err.code ? ` ${err.code}` : ''}`;
  const said = `${status}${err.message ? `: ${err.message}` : ''} (stream ${c.stream})`;
  // the destination's state shows what to do; the service's own words stay in the retry reason
  const short = `${status} (stream ${c.stream})`;
  if (a.status === 413) return { kind: 'split', reason: said };
  if (a.status === 429 || a.status === 408 || a.status >= 500) {
    // 500 with an empty body was seen in Microsoft's SDK live tests (§6.2): transient too
    return { kind: 'retry', reason: said, delayMs: retryDelay(a), busy: true };
  }
  if (a.status === 400 && isApiVersionProblem(err)) {
    return { kind: 'retry', reason: said, misconfigured: `${short}: the service does not take api_version ${c.apiVersion}; set api_version: 2023-01-01` };
  }
  if (a.status === 400) return { kind: 'bad-rows', reason: said, response: a.body };
  if (a.status === 401) {
    return {
      kind: 'retry', reason: said,
      misconfigured: `${short}: a freshly issued token was refused too; its audience must be this cloud's Azure Monitor (scope https://monitor.azure.com//.default; .us or .cn in sovereign clouds) and tenant_id the DCR's tenant`,
    };
  }
  if (a.status === 403) {
    return {
      kind: 'retry', reason: said,
      misconfigured: `${short}: give the app registration (client_id ${c.clientId}) the "Monitoring Metrics Publisher" role on data collection rule ${c.dcrImmutableId} (docs/sentinel/README.md); a new role assignment can take up to 30 minutes to apply, and events wait in the journal meanwhile`,
    };
  }
  if (a.status === 404) {
    return {
      kind: 'retry', reason: said,
      misconfigured: `${short}: check dcr_immutable_id (${c.dcrImmutableId}), that stream ${c.stream} is declared in the DCR's streamDeclarations, and that endpoint is the DCR's logs ingestion endpoint or its DCE`,
    };
  }
  return { kind: 'retry', reason: said, misconfigured: `${said}: unexpected answer; check endpoint and api_version` };
}

function isApiVersionProblem(err: ErrorBody): boolean {
  return API_VERSION.test(err.code ?? '') || API_VERSION.test(err.message ?? '');
}
const API_VERSION = /api-?version/i;

/** Retry-After, or the millisecond headers Azure SDKs also honour (azure-core's `get_retry_after`). */
function retryDelay(a: IngestAnswer): number | undefined {
  const s = parseRetryAfter(a.retryAfter);
  if (s !== undefined) return s;
  const ms = a.retryAfterMs === undefined ? NaN : Number(a.retryAfterMs);
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 10 * 60_000) : undefined;
}
