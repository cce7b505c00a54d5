import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readBody } from './read-body';

/**
 * A Microsoft Entra ID token endpoint and an Azure Monitor Logs Ingestion API, for the sentinel
 * destination's tests, following /work/shared/docs/protocols.md §6.2 and the "Logs Ingestion API"
 * row of §8. Two plain-HTTP servers on 127.0.0.1 (the real ones are HTTPS on different hosts), so
 * a token request sent to the ingestion host, or the reverse, fails as it would.
 *
 * Recorded facts it reproduces, with where they come from:
 * - Token success `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":…}`
 *   with `Cache-Control: no-store, no-cache` (Azure SDK recordings of client-credential requests).
 * - Token errors: 401 `invalid_client` AADSTS7000215 (wrong secret) and AADSTS7000222 (expired
 *   secret); 400 `unauthorized_client` AADSTS700016 (unknown client id); 400 `invalid_request`
 *   AADSTS90002 (unknown tenant); each with `error_codes`, `timestamp`, `trace_id`,
 *   `correlation_id`, `error_uri`, and a description whose first line is followed by
 *   `\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …` (error bodies quoted in public issues
 *   and code). AADSTS1002012 (scope without /.default), AADSTS900144 (missing parameter) and
 *   AADSTS500011 (unknown resource) follow the same shape; their exact texts are UNVERIFIED.
 * - Ingestion 204 with no body, echoing x-ms-client-request-id and adding x-ms-request-id
 *   (Azure.Monitor.Ingestion session records).
 * - 403 `OperationFailed` "The authentication token provided does not have access to ingest data
 *   for the data collection rule with immutable Id '…'" (SDK troubleshooting guides, S35).
 * - 404 `NotFound` "Data collection rule with immutable Id '…' not found." (a public issue quoting
 *   the service). A 404 for an unknown stream of a known DCR is UNVERIFIED, as is its text.
 * - 413 `ContentLengthLimitExceeded` "Maximum allowed content length: 1048576 bytes (1 MB)."
 *   above 1,048,576 bytes, compressed or not (S32, limits page: "both compressed and uncompressed").
 * - 401 for a missing, expired or foreign token: `UnsupportedAccessTokenType` with the "S2S17001:
 *   SAL was able to validate the protocol…" message was quoted from the service; `InvalidAudience`
 *   for a token of another resource (S51). The codes used here for a missing header
 *   (`MissingAuthentication`) and an expired token (`TokenExpired`) are UNVERIFIED.
 * - A JSON body that is not an array gets 204 and nothing is stored (MicrosoftDocs/azure-docs
 *   #106266, #112669, #118163; azure-sdk-for-python #32562): recorded in `droppedBodies`.
 * - Field values over 64 KB are truncated by the service (limits page): the double cuts them at
 *   65,536 bytes and counts it in `truncatedFields`, so a test can prove the sender never relies on it.
 * UNVERIFIED and chosen here: 400 `InvalidPayload` for a body that is not JSON or for an injected
 * bad row (`rejectRowsContaining`); 400 `MissingApiVersionParameter` / `InvalidApiVersionParameter`
 * for the api-version; 415 for a Content-Type other than application/json.
 *
 * Every error answer is `{"error":{"code","message"}}` plus an `x-ms-error-code` header (S31).
 * Rows are checked against the stream's declared columns (from a DCR template): an undeclared
 * column or a value of the wrong JSON type is recorded in `schemaViolations` (what the service
 * does then is not documented; the row is stored as sent).
 */

export type DeclaredType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';
export interface Column { name: string; type: DeclaredType }

export interface AppRegistration {
  secret: string;
  /** The secret has expired: AADSTS7000222. */
  expired?: boolean;
}

export interface TokenRequestRecord {
  tenant: string;
  clientId?: string;
  scope?: string;
  grantType?: string;
  status: number;
  contentType?: string;
}

export interface IngestRequestRecord {
  dcr: string;
  stream: string;
  apiVersion?: string;
  status: number;
  authorization?: string;
  contentType?: string;
  contentEncoding?: string;
  clientRequestId?: string;
  /** Bytes on the wire and after gunzip. */
  wireBytes: number;
  bodyBytes: number;
  /** Rows in the body when it was a JSON array. */
  rows?: number;
}

interface Issued { tenant: string; clientId: string; audience: string; expiresAt: number }

export interface DcrState {
  streams: Map<string, Column[]>;
  /** Client ids holding Monitoring Metrics Publisher on this DCR. */
  publishers: Set<string>;
}

export interface SentinelDouble {
  /** http://127.0.0.1:<port> of the token endpoint (authority_host). */
  loginUrl: string;
  /** http://127.0.0.1:<port> of the Logs Ingestion API (endpoint). */
  ingestUrl: string;
  /** tenant → client id → registration. */
  tenants: Map<string, Map<string, AppRegistration>>;
  dcrs: Map<string, DcrState>;
  /** Lifetime of issued tokens (expires_in), seconds. */
  tokenLifetimeS: number;
  /** Rows stored (204), per stream, in arrival order. */
  rows: Map<string, Array<Record<string, unknown>>>;
  tokenRequests: TokenRequestRecord[];
  requests: IngestRequestRecord[];
  /** Accepted bodies that were not arrays (204, nothing stored). */
  droppedBodies: number;
  truncatedFields: number;
  schemaViolations: string[];
  /** Next this-many ingest requests: 429 with Retry-After: retryAfterS. */
  throttle: number;
  retryAfterS: number;
  /** Next this-many ingest requests: 503. */
  unavailable: number;
  /** Next this-many ingest requests: 500 with an empty body (seen in SDK live tests, §6.2). */
  serverError: number;
  /** Next this-many token requests: 503 temporarily_unavailable. */
  tokenUnavailable: number;
  /** Token answers wait this long (to test that concurrent callers share one request). */
  tokenDelayMs: number;
  /** Next this-many ingest requests are stored, then answered after delayMs. */
  slow: number;
  delayMs: number;
  /** Next this-many ingest requests get their connection reset, unanswered and not stored. */
  reset: number;
  /** A body with a row whose JSON text contains this is refused whole with 400 InvalidPayload. */
  rejectRowsContaining?: string;
  /** Every token issued so far stops being valid now (a token expiring before its expires_in). */
  expireTokens(): void;
  grant(clientId: string, dcr?: string): void;
  revoke(clientId: string, dcr?: string): void;
  /** All rows of all streams, in arrival order per stream. */
  allRows(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface SentinelDoubleOptions {
  tenants?: Record<string, Record<string, AppRegistration>>;
  /** DCR immutable id → stream → columns (see streamsFromTemplate). */
  dcrs?: Record<string, { streams: Record<string, Column[]>; publishers?: string[] }>;
  tokenLifetimeS?: number;
}

export const MAX_BODY_BYTES = 1_048_576;
const MAX_FIELD_BYTES = 65_536;
const API_VERSIONS = new Set(['2023-01-01', '2021-11-01-preview']);
// resource → audience the token is issued for (protocols.md §6.2: one audience per cloud)
const RESOURCES = new Map([
  ['https://monitor.azure.com', 'https://monitor.azure.com'],
  ['https://monitor.azure.us', 'https://monitor.azure.us'],
  ['https://monitor.azure.cn', 'https://monitor.azure.cn'],
  ['https://management.azure.com', 'https://management.azure.com'],
]);
const INGEST_AUDIENCE = 'https://monitor.azure.com';
const INGEST_PATH = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;

/** The stream declarations of an ARM DCR template (docs/sentinel/*.json). */
export function streamsFromTemplate(file: string): Record<string, Column[]> {
  const t = JSON.parse(readFileSync(resolve(file), 'utf8')) as {
    resources: Array<{ type: string; properties?: { streamDeclarations?: Record<string, { columns: Column[] }> } }>;
  };
  const dcr = t.resources.find((r) => r.type === 'Microsoft.Insights/dataCollectionRules');
  const out: Record<string, Column[]> = {};
  for (const [name, decl] of Object.entries(dcr?.properties?.streamDeclarations ?? {})) out[name] = decl.columns;
  return out;
}

interface Reply { status: number; headers?: Record<string, string>; body?: string }

function aadError(status: number, error: string, code: number, text: string): Reply {
  const trace = randomUUID();
  const correlation = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache' },
    body: JSON.stringify({
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code], timestamp, trace_id: trace, correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    }),
  };
}

function ingestError(status: number, code: string, message: string, extra: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'x-ms-error-code': code, 'x-ms-request-id': randomUUID(), ...extra },
    body: JSON.stringify({ error: { code, message } }),
  };
}

function send(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, r.headers ?? {});
  res.end(r.body ?? '');
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

const close = (s: Server) => new Promise<void>((ok) => { s.closeAllConnections(); s.close(() => ok()); });

export async function startSentinelDouble(opts: SentinelDoubleOptions = {}): Promise<SentinelDouble> {
  const issued = new Map<string, Issued>();
  const tenants = new Map<string, Map<string, AppRegistration>>();
  for (const [t, apps] of Object.entries(opts.tenants ?? {})) tenants.set(t, new Map(Object.entries(apps)));
  const dcrs = new Map<string, DcrState>();
  for (const [id, d] of Object.entries(opts.dcrs ?? {})) {
    dcrs.set(id, { streams: new Map(Object.entries(d.streams)), publishers: new Set(d.publishers ?? []) });
  }

  const state = {
    tenants, dcrs,
    tokenLifetimeS: opts.tokenLifetimeS ?? 3599,
    rows: new Map<string, Array<Record<string, unknown>>>(),
    tokenRequests: [] as TokenRequestRecord[],
    requests: [] as IngestRequestRecord[],
    droppedBodies: 0, truncatedFields: 0, schemaViolations: [] as string[],
    throttle: 0, retryAfterS: 1, unavailable: 0, serverError: 0, tokenUnavailable: 0, tokenDelayMs: 0,
    slow: 0, delayMs: 0, reset: 0,
    rejectRowsContaining: undefined as string | undefined,
  };

  // ---- token endpoint ---------------------------------------------------------------------------
  function token(req: IncomingMessage, raw: Buffer): Reply {
    const url = new URL(req.url ?? '/', 'http://login.invalid');
    const m = TOKEN_PATH.exec(url.pathname);
    const rec: TokenRequestRecord = { tenant: m?.[1] ?? '', status: 0, contentType: req.headers['content-type'] };
    state.tokenRequests.push(rec);
    const reply = ((): Reply => {
      if (m === null) return { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html><body>Not Found</body></html>' };
      if (req.method !== 'POST') return aadError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
      if (state.tokenUnavailable > 0) {
        state.tokenUnavailable--;
        return { status: 503, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '1' }, body: '{"error":"temporarily_unavailable"}' };
      }
      const form = new URLSearchParams(raw.toString('utf8'));
      rec.clientId = form.get('client_id') ?? undefined;
      rec.scope = form.get('scope') ?? undefined;
      rec.grantType = form.get('grant_type') ?? undefined;
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
      }
      const tenant = m[1];
      const apps = tenants.get(tenant);
      if (apps === undefined) {
        return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
      }
      for (const p of ['grant_type', 'client_id', 'scope']) {
        if (!form.get(p)) return aadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`);
      }
      if (form.get('grant_type') !== 'client_credentials') {
        return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      }
      const clientId = form.get('client_id')!;
      const app = apps.get(clientId);
      if (app === undefined) {
        return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
      }
      const scope = form.get('scope')!;
      if (!scope.endsWith('/.default')) {
        return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      }
      const resource = scope.slice(0, -'/.default'.length).replace(/\/+$/, '');
      const audience = RESOURCES.get(resource);
      if (audience === undefined) {
        return aadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}.`);
      }
      if (form.get('client_secret') !== app.secret) {
        return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
      }
      if (app.expired) {
        return aadError(401, 'invalid_client', 7000222, `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`);
      }
      const accessToken = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
      issued.set(accessToken, { tenant, clientId, audience, expiresAt: Date.now() + state.tokenLifetimeS * 1000 });
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
        body: JSON.stringify({ token_type: 'Bearer', expires_in: state.tokenLifetimeS, ext_expires_in: state.tokenLifetimeS, access_token: accessToken }),
      };
    })();
    rec.status = reply.status;
    return reply;
  }

  // ---- ingestion endpoint -----------------------------------------------------------------------
  /** Everything up to the body: path, api-version, token, DCR, role, stream. */
  function admit(req: IncomingMessage, url: URL, rec: IngestRequestRecord): { error?: Reply; columns?: Column[] } {
    const m = INGEST_PATH.exec(url.pathname);
    if (m === null) return { error: ingestError(404, 'NotFound', `The requested resource '${url.pathname}' was not found.`) };
    rec.dcr = decodeURIComponent(m[1]);
    rec.stream = decodeURIComponent(m[2]);
    if (req.method !== 'POST') return { error: ingestError(405, 'MethodNotAllowed', `The method '${req.method}' is not allowed.`) };
    const v = url.searchParams.get('api-version');
    if (v === null) return { error: ingestError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.") };
    if (!API_VERSIONS.has(v)) {
      return { error: ingestError(400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${[...API_VERSIONS].join(',')}'.`) };
    }
    const auth = req.headers.authorization;
    if (auth === undefined || !auth.startsWith('Bearer ')) {
      return { error: ingestError(401, 'MissingAuthentication', 'The request is missing a Bearer token in the Authorization header.') };
    }
    const t = issued.get(auth.slice('Bearer '.length));
    if (t === undefined) {
      return { error: ingestError(401, 'UnsupportedAccessTokenType', "S2S17001: SAL was able to validate the protocol, but validation failed as none of the inbound policies were satisfied. Validation failures: 'token': UnsupportedAccessTokenType.") };
    }
    if (Date.now() >= t.expiresAt) {
      return { error: ingestError(401, 'TokenExpired', 'S2S17001: SAL was able to validate the protocol, but validation failed as none of the inbound policies were satisfied. Validation failures: Lifetime validation failed. The token is expired.') };
    }
    if (t.audience !== INGEST_AUDIENCE) {
      return { error: ingestError(401, 'InvalidAudience', `The audience '${t.audience}' of the token is not valid for this resource.`) };
    }
    const dcr = dcrs.get(rec.dcr);
    if (dcr === undefined) return { error: ingestError(404, 'NotFound', `Data collection rule with immutable Id '${rec.dcr}' not found.`) };
    if (!dcr.publishers.has(t.clientId)) {
      return {
        error: ingestError(403, 'OperationFailed', `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${rec.dcr}' PipelineAccessResult: AccessGranted: False, IsRbacPresent: False, IsDcrDceBindingValid: , DcrArmId: /subscriptions/0/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/${rec.dcr}, Message: Required authorization action was not found for tenantId ${t.tenant} objectId ${t.clientId} on resourceId ${rec.dcr} ConfigurationId: ${randomUUID()}..`),
      };
    }
    const columns = dcr.streams.get(rec.stream);
    if (columns === undefined) {
      return { error: ingestError(404, 'NotFound', `Stream '${rec.stream}' is not declared in data collection rule with immutable Id '${rec.dcr}'.`) };
    }
    return { columns };
  }

  function tooLarge(n: number): Reply {
    return ingestError(413, 'ContentLengthLimitExceeded', `Maximum allowed content length: ${MAX_BODY_BYTES} bytes (1 MB). Provided content length: ${n} bytes.`);
  }

  function ingest(req: IncomingMessage, raw: Buffer): Reply {
    const url = new URL(req.url ?? '/', 'http://ingest.invalid');
    const rec: IngestRequestRecord = {
      dcr: '', stream: '', apiVersion: url.searchParams.get('api-version') ?? undefined, status: 0,
      authorization: req.headers.authorization, contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'],
      clientRequestId: req.headers['x-ms-client-request-id'] as string | undefined, wireBytes: raw.length, bodyBytes: 0,
    };
    state.requests.push(rec);
    const reply = ((): Reply => {
      const a = admit(req, url, rec);
      if (a.error) return a.error;
      if (state.throttle > 0) {
        state.throttle--;
        return ingestError(429, 'TooManyRequests', 'The request rate of the data collection rule has exceeded its limit.', { 'Retry-After': String(state.retryAfterS) });
      }
      if (state.unavailable > 0) {
        state.unavailable--;
        return ingestError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
      }
      if (state.serverError > 0) {
        state.serverError--;
        return { status: 500, headers: { 'x-ms-request-id': randomUUID() } };
      }
      if (!(rec.contentType ?? '').toLowerCase().startsWith('application/json')) {
        return ingestError(415, 'UnsupportedMediaType', `Content-Type '${rec.contentType ?? ''}' is not supported; use application/json.`);
      }
      if (raw.length > MAX_BODY_BYTES) return tooLarge(raw.length);
      let body = raw;
      const enc = (rec.contentEncoding ?? '').trim().toLowerCase();
      if (enc === 'gzip') {
        try {
          body = gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES + 1 });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return tooLarge(MAX_BODY_BYTES + 1);
          return ingestError(400, 'InvalidPayload', 'The request body could not be decompressed as gzip.');
        }
      } else if (enc !== '' && enc !== 'identity') {
        return ingestError(415, 'UnsupportedMediaType', `Content-Encoding '${enc}' is not supported.`);
      }
      rec.bodyBytes = body.length;
      if (body.length > MAX_BODY_BYTES) return tooLarge(body.length);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (e) {
        return ingestError(400, 'InvalidPayload', `The request body is not valid JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(parsed)) {
        state.droppedBodies++;
        return accepted(req);
      }
      rec.rows = parsed.length;
      const marker = state.rejectRowsContaining;
      if (marker !== undefined) {
        const bad = parsed.findIndex((r) => JSON.stringify(r).includes(marker));
        if (bad >= 0) return ingestError(400, 'InvalidPayload', `Data of record ${bad} does not match the stream's schema.`);
      }
      const store = state.rows.get(rec.stream) ?? [];
      state.rows.set(rec.stream, store);
      for (const r of parsed) store.push(checkRow(r, a.columns!, rec.stream));
      return accepted(req);
    })();
    rec.status = reply.status;
    return reply;
  }

  function accepted(req: IncomingMessage): Reply {
    const headers: Record<string, string> = { 'x-ms-request-id': randomUUID() };
    const id = req.headers['x-ms-client-request-id'];
    if (typeof id === 'string') headers['x-ms-client-request-id'] = id;
    return { status: 204, headers };
  }

  /** The row as the table would keep it; schema problems are recorded. */
  function checkRow(r: unknown, columns: Column[], stream: string): Record<string, unknown> {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      state.schemaViolations.push(`${stream}: a row that is not an object: ${JSON.stringify(r)}`);
      return {};
    }
    const row = r as Record<string, unknown>;
    const types = new Map(columns.map((c) => [c.name, c.type]));
    for (const [k, v] of Object.entries(row)) {
      const t = types.get(k);
      if (t === undefined) state.schemaViolations.push(`${stream}: column ${k} is not declared`);
      else if (v !== null && !fits(v, t)) state.schemaViolations.push(`${stream}: ${k} is declared ${t} but got ${JSON.stringify(v).slice(0, 80)}`);
      if (typeof v === 'string' && Buffer.byteLength(v, 'utf8') > MAX_FIELD_BYTES) {
        state.truncatedFields++;
        row[k] = Buffer.from(v, 'utf8').subarray(0, MAX_FIELD_BYTES).toString('utf8');
      }
    }
    return row;
  }

  const servers = await Promise.all([
    listen((req, res) => {
      readBody(req).then(async (raw) => {
        if (state.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, state.tokenDelayMs));
        send(res, token(req, raw));
      }, () => res.destroy());
    }),
    listen((req, res) => {
      readBody(req).then((raw) => {
        if (state.reset > 0) {
          state.reset--;
          req.socket.destroy(); // a reset mid-request: nothing stored, no answer
          return;
        }
        const reply = ingest(req, raw);
        if (state.slow > 0) {
          state.slow--;
          setTimeout(() => send(res, reply), state.delayMs);
        } else send(res, reply);
      }, () => res.destroy());
    }),
  ]);

  return Object.assign(state, {
    loginUrl: servers[0].url,
    ingestUrl: servers[1].url,
    expireTokens() {
      for (const t of issued.values()) t.expiresAt = 0;
    },
    grant(clientId: string, dcr?: string) {
      for (const [id, d] of dcrs) if (dcr === undefined || id === dcr) d.publishers.add(clientId);
    },
    revoke(clientId: string, dcr?: string) {
      for (const [id, d] of dcrs) if (dcr === undefined || id === dcr) d.publishers.delete(clientId);
    },
    allRows() {
      return [...state.rows.values()].flat();
    },
    close: async () => { await Promise.all(servers.map((s) => close(s.server))); },
  });
}

function fits(v: unknown, t: DeclaredType): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'int': return Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647;
    case 'long': return Number.isInteger(v);
    case 'real': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'datetime': return typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /(Z|[+-]\d\d:\d\d)$/.test(v);
    case 'dynamic': return true;
  }
}
