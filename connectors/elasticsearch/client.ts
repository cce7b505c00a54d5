import type { ElasticsearchDestinationConfig } from '../../src/config/types';
import { parseRetryAfter } from '../../src/delivery/backoff';
import type { Verdict } from '../../src/delivery/connector';
import { createHttpClient, headerOf, requestBody, answerText } from '../shared/http-client';


/** An answer to `POST /_bulk`: HTTP status, body text, Retry-After if sent. */
export interface EsAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

/** Sends one `_bulk` body (already NDJSON, uncompressed) to one endpoint. Throws only when there is no answer. */
export interface EsTransport {
  bulk(endpoint: string, body: Buffer, signal: AbortSignal): Promise<EsAnswer>;
}

/** Which credential the operator configured: the 401/403 messages name it. */
export type EsCredential = 'api_key' | 'basic' | 'none';

export function credentialOf(cfg: ElasticsearchDestinationConfig): EsCredential {
  if (cfg.apiKey !== undefined) return 'api_key';
  if (cfg.username !== undefined) return 'basic';
  return 'none';
}

/**
 * The Authorization header (§5.1 Auth). The `encoded` value of the create-API-key answer is
 * base64 and never contains `:`; a key pasted as `id:api_key` (the other two fields of that
 * answer) is encoded here rather than refused with a 401 the operator cannot explain.
 */
export function authHeaders(cfg: ElasticsearchDestinationConfig): Record<string, string> {
  if (cfg.apiKey !== undefined) {
    const key = cfg.apiKey.includes(':') ? Buffer.from(cfg.apiKey).toString('base64') : cfg.apiKey;
    return { Authorization: `ApiKey ${key}` };
  }
  if (cfg.username !== undefined) {
    return { Authorization: `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64')}` };
  }
  return {};
}

/** An endpoint as it may be shown: without user:password@ if someone wrote them into the URL. */
export function shownEndpoint(endpoint: string): string {
  return endpoint.replace(/^(https?:\/\/)[^/@]*@/, '$1');
}

/**
 * Only what classification reads (protocols.md §5.1 filter_path): an all-good answer is then a
 * few bytes per item, and a failing item still carries its error type and reason. `status` must be
 * in it: filter_path prunes objects left empty (elastic/elasticsearch #63842), so with the error
 * paths alone the successful items would vanish and the failed ones could not be matched to events.
 */
const FILTER_PATH = 'filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason';
/** A bulk answer with per-item reasons is far larger than the shared client's 1 MiB default. */
const MAX_ANSWER_BYTES = 256 << 20;

export function bulkPath(cfg: ElasticsearchDestinationConfig): string {
  return `/_bulk?${FILTER_PATH}${cfg.pipeline !== undefined ? `&pipeline=${encodeURIComponent(cfg.pipeline)}` : ''}`;
}

export function createEsTransport(cfg: ElasticsearchDestinationConfig): EsTransport {
  const client = createHttpClient({ https: cfg.endpoints.some((e) => e.startsWith('https:')), timeoutMs: cfg.timeoutMs, tls: cfg.tls });
  const base = { ...authHeaders(cfg), 'Content-Type': 'application/x-ndjson' };
  // gzip request bodies: accepted by every Elasticsearch since 5.0 (§5.1 Compression, [S47]); level 1 (design.md)
  const headers = cfg.gzip ? { ...base, 'Content-Encoding': 'gzip' } : base;
  const path = bulkPath(cfg);
  return {
    async bulk(endpoint, body, signal) {
      const data = await requestBody(body, cfg.gzip);
      const res = await client.post(`${endpoint}${path}`, data, { headers, signal, maxContentLength: MAX_ANSWER_BYTES });
      return { status: res.status, body: answerText(res.data), retryAfter: headerOf(res.headers['retry-after']) };
    },
  };
}

// ------------------------------------------------------------------------ classification

/** What an answer means for each of `n` items sent together; `split` asks for halving (413). */
export interface BulkOutcome {
  verdicts: Verdict[] | 'split';
  /** The destination is unusable until an operator acts (credentials, privileges, URL, pipeline): it is `down`. */
  misconfigured?: string;
  /** This endpoint failed (5xx, 429, not Elasticsearch): prefer the others for a while. */
  endpointFailed?: boolean;
  /** Items answered 409 on `create`: indexed by an earlier attempt, counted as delivered. */
  duplicates: number;
}

export interface BulkContext {
  credential: EsCredential;
  /** The data stream of item i (0-based within this request). */
  streamOf(i: number): string;
  namespace: string;
  pipeline?: string;
}

interface EsError { type?: string; reason?: string }
interface ItemResult { status?: unknown; error?: unknown }

/** Reasons are kept readable in status and dead letters; Elasticsearch may quote a whole document in one. */
const REASON_MAX = 500;
const clip = (s: string) => (s.length > REASON_MAX ? `${s.slice(0, REASON_MAX)}…` : s);

/** `{"error":{"type","reason",…},"status":n}`, or `{"error":"text"}` (no handler, wrong method). */
export function esErrorOf(body: string): EsError {
  let v: unknown;
  try { v = JSON.parse(body); } catch { return {}; }
  const e = v !== null && typeof v === 'object' ? (v as { error?: unknown }).error : undefined;
  if (typeof e === 'string') return { reason: e };
  if (e === null || typeof e !== 'object') return {};
  const o = e as { type?: unknown; reason?: unknown };
  return { type: typeof o.type === 'string' ? o.type : undefined, reason: typeof o.reason === 'string' ? o.reason : undefined };
}

function describe(status: number, e: EsError): string {
  return `Elasticsearch ${status}${e.type ? ` ${e.type}` : ''}${e.reason ? `: ${clip(e.reason)}` : ''}`;
}

function credentialHint(c: EsCredential): string {
  switch (c) {
    case 'api_key': return 'the API key was refused: check that api_key / api_key_file holds the key\'s "encoded" value (base64 of id:api_key) and that the key is not expired or invalidated';
    case 'basic': return 'the username/password was refused: check username and password / password_file, and that the user exists in the cluster\'s realm';
    case 'none': return 'the cluster requires credentials: set api_key (or api_key_file) or username and password';
  }
}

function privilegeHint(c: EsCredential, streams: string, namespace: string): string {
  const who = c === 'api_key' ? 'the API key' : c === 'basic' ? 'the user' : 'anonymous access';
  return `${who} may not write to ${streams}: grant the index privileges create_doc and auto_configure on logs-*-${namespace} to its role (or lift a write block on the data stream)`;
}

const PIPELINE_MISSING = /pipeline with id \[[^\]]*\] does not exist/;

/**
 * The gateway's policy for `_bulk` answers (protocols.md §5.2), as one pure function.
 *
 * Whole request: 2xx → per item; 413 → split; 429 and 5xx → retry all (Retry-After honoured, the
 * endpoint passed over); 401/403 → retry all and `down` (credentials / privileges: events wait in
 * the journal until fixed); 400 → reject all (our action lines are generated, so a malformed request
 * cannot be fixed by resending it); any other status (404, 405, 3xx...) → retry and `down`: the URL
 * does not point at an Elasticsearch node's base.
 *
 * Per item (in order, same count as sent): 2xx delivered; 409 on create → delivered (the `_id` is
 * the event's own, so a 409 means an earlier attempt indexed it: a duplicate, counted); 429 and 5xx
 * → retry that item alone; 403 → retry and `down`: a missing privilege or a write block on the data
 * stream is fixed on the cluster, and the events should then go without an operator replaying
 * dead letters (protocols.md marks 403 "don't retry by default", UNVERIFIED; retrying keeps them
 * in the journal rather than dead-lettering every event while a role is wrong); a 400 naming a
 * missing ingest pipeline → retry and `down` (configuration, not the event); 404 → reject and
 * `down` (no template creates the data stream); other 4xx → reject with Elasticsearch's
 * `error.type: reason` and the item as the response.
 */
export function classifyBulk(a: EsAnswer, n: number, ctx: BulkContext): BulkOutcome {
  const all = (v: Verdict): Verdict[] => Array.from({ length: n }, () => v);
  if (a.status >= 200 && a.status < 300) return classifyItems(a, n, ctx);
  if (a.status === 413) return { verdicts: 'split', duplicates: 0 };
  const e = esErrorOf(a.body);
  const said = describe(a.status, e);
  if (a.status === 429 || a.status >= 500) {
    return { verdicts: all({ outcome: 'retry', reason: said, delayMs: parseRetryAfter(a.retryAfter) }), endpointFailed: true, duplicates: 0 };
  }
  if (a.status === 401) {
    return { verdicts: all({ outcome: 'retry', reason: said }), misconfigured: `${said}: ${credentialHint(ctx.credential)}`, duplicates: 0 };
  }
  if (a.status === 403) {
    return { verdicts: all({ outcome: 'retry', reason: said }), misconfigured: `${said}: ${privilegeHint(ctx.credential, 'the _bulk API', ctx.namespace)}`, duplicates: 0 };
  }
  if (a.status === 400) {
    if (e.reason !== undefined && PIPELINE_MISSING.test(e.reason)) {
      return { verdicts: all({ outcome: 'retry', reason: said }), misconfigured: `${said}: create the ingest pipeline ${JSON.stringify(ctx.pipeline ?? '')} or fix pipeline`, duplicates: 0 };
    }
    return { verdicts: all({ outcome: 'reject', reason: `${said} (the whole request was refused)`, response: a.body }), duplicates: 0 };
  }
  return {
    verdicts: all({ outcome: 'retry', reason: said }),
    misconfigured: `${said}: the endpoint did not answer as an Elasticsearch node; check endpoints (base URL such as https://es:9200, no path)`,
    endpointFailed: true,
    duplicates: 0,
  };
}

function classifyItems(a: EsAnswer, n: number, ctx: BulkContext): BulkOutcome {
  const all = (v: Verdict): Verdict[] => Array.from({ length: n }, () => v);
  // The common answer is cheap: parsed only when something failed (Vector's elasticsearch/retry.rs).
  if (!a.body.includes('"errors":true')) {
    if (a.body.includes('"errors":false')) return { verdicts: all({ outcome: 'delivered' }), duplicates: 0 };
    const reason = `Elasticsearch answered ${a.status} without a _bulk result (${JSON.stringify(clip(a.body.slice(0, 200)))}); sent again`;
    return { verdicts: all({ outcome: 'retry', reason }), misconfigured: `${reason}: check endpoints point at an Elasticsearch node, not a proxy or another service`, endpointFailed: true, duplicates: 0 };
  }
  let items: unknown;
  try {
    items = (JSON.parse(a.body) as { items?: unknown }).items;
  } catch {
    return { verdicts: all({ outcome: 'retry', reason: `Elasticsearch answered ${a.status} with an unreadable _bulk result; sent again` }), endpointFailed: true, duplicates: 0 };
  }
  if (!Array.isArray(items) || items.length !== n) {
    const got = Array.isArray(items) ? items.length : 'no';
    // Which result belongs to which event is unknowable: all are sent again, and those already indexed come back 409.
    const reason = `Elasticsearch answered ${got} item results for ${n} actions; not trusted, all ${n} are sent again`;
    return { verdicts: all({ outcome: 'retry', reason }), endpointFailed: true, duplicates: 0 };
  }
  const verdicts: Verdict[] = new Array(n);
  let duplicates = 0;
  let misconfigured: string | undefined;
  for (let i = 0; i < n; i++) {
    const r = resultOf(items[i]);
    const status = typeof r.status === 'number' ? r.status : 0;
    const e: EsError = r.error !== null && typeof r.error === 'object'
      ? { type: strOrU((r.error as EsError).type), reason: strOrU((r.error as EsError).reason) }
      : {};
    const said = describe(status, e);
    if (status >= 200 && status < 300) verdicts[i] = { outcome: 'delivered' };
    else if (status === 409) {
      verdicts[i] = { outcome: 'delivered' };
      duplicates++;
    } else if (status === 429 || status >= 500) verdicts[i] = { outcome: 'retry', reason: `${said} (${ctx.streamOf(i)})` };
    else if (status === 401 || status === 403) {
      verdicts[i] = { outcome: 'retry', reason: `${said} (${ctx.streamOf(i)})` };
      misconfigured ??= status === 401
        ? `${said}: ${credentialHint(ctx.credential)}`
        : `${said}: ${privilegeHint(ctx.credential, ctx.streamOf(i), ctx.namespace)}`;
    } else if (status === 400 && e.reason !== undefined && PIPELINE_MISSING.test(e.reason)) {
      verdicts[i] = { outcome: 'retry', reason: said };
      misconfigured ??= `${said}: create the ingest pipeline ${JSON.stringify(ctx.pipeline ?? '')} on the cluster or fix pipeline`;
    } else if (status >= 400 && status < 500) {
      verdicts[i] = { outcome: 'reject', reason: `${e.type ?? 'error'}: ${clip(e.reason ?? '(no reason given)')} (Elasticsearch ${status} on ${ctx.streamOf(i)})`, response: JSON.stringify(items[i]) };
      if (status === 404) {
        misconfigured ??= `${said}: ${ctx.streamOf(i)} cannot be created; check that an index template with data_stream matches it (the built-in logs-*-* one, unless stack.templates.enabled is false)`;
      }
    } else {
      verdicts[i] = { outcome: 'retry', reason: `Elasticsearch gave item ${i} no usable status (${JSON.stringify(clip(JSON.stringify(items[i]) ?? ''))}); sent again` };
    }
  }
  return { verdicts, misconfigured, duplicates };
}

const strOrU = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** An item is `{"<action>":{…}}`; the action is whatever its one key is. */
function resultOf(item: unknown): ItemResult {
  if (item === null || typeof item !== 'object') return {};
  for (const k in item as Record<string, unknown>) {
    const v = (item as Record<string, unknown>)[k];
    return v !== null && typeof v === 'object' ? (v as ItemResult) : {};
  }
  return {};
}
