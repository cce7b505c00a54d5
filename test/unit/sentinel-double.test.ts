import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_BODY_BYTES, startSentinelDouble, streamsFromTemplate, type SentinelDouble } from '../helpers/sentinel-double';

/** Tests of the Entra ID + Logs Ingestion API double itself against protocols.md §6.2 and the §8 row. */

const TENANT = '72f988bf-0000-4000-8000-000000000001';
const CLIENT = '60aeaa16-0000-4000-8000-000000000002';
const OTHER_CLIENT = '60aeaa16-0000-4000-8000-000000000003';
const SECRET = 'Xy8Q~not-a-real-secret-0123456789abcdefgh';
const DCR = 'dcr-00000000000000000000000000000001';
const STREAMS = streamsFromTemplate(resolve(__dirname, '../../docs/sentinel/dcr-all.json'));

let d: SentinelDouble;
beforeEach(async () => {
  d = await startSentinelDouble({
    tenants: { [TENANT]: { [CLIENT]: { secret: SECRET }, [OTHER_CLIENT]: { secret: SECRET, expired: true } } },
    dcrs: { [DCR]: { streams: STREAMS, publishers: [CLIENT] } },
  });
});
afterEach(() => d.close());

interface Answer { status: number; headers: Headers; text: string; json?: Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

function tokenRequest(fields: Record<string, string>, tenant = TENANT): Promise<Answer> {
  return fetch(`${d.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
  }).then(answer);
}

const goodForm = { client_id: CLIENT, client_secret: SECRET, grant_type: 'client_credentials', scope: 'https://monitor.azure.com//.default' };

async function newToken(form: Record<string, string> = goodForm): Promise<string> {
  const a = await tokenRequest(form);
  expect(a.status).toBe(200);
  return a.json!.access_token as string;
}

function ingest(body: string | Buffer, opts: { token?: string; stream?: string; dcr?: string; apiVersion?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const q = opts.apiVersion === null ? '' : `?api-version=${opts.apiVersion ?? '2023-01-01'}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...opts.headers };
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  return fetch(`${d.ingestUrl}/dataCollectionRules/${opts.dcr ?? DCR}/streams/${opts.stream ?? 'Custom-SyslogStream'}${q}`, {
    method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body),
  }).then(answer);
}

const row = { TimeGenerated: '2026-11-23T10:00:00.000Z', Computer: 'fw01', SyslogMessage: 'hello', ProcessID: 42 };

describe('Entra ID token endpoint', () => {
  test('client credentials: Bearer token with expires_in, not cacheable by proxies', async () => {
    const a = await tokenRequest(goodForm);
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(typeof a.json!.access_token).toBe('string');
    expect(a.headers.get('cache-control')).toBe('no-store, no-cache');
    expect(d.tokenRequests[0]).toMatchObject({ tenant: TENANT, clientId: CLIENT, scope: 'https://monitor.azure.com//.default', grantType: 'client_credentials', status: 200 });
  });

  test.each([
    ['wrong secret', 401, 'invalid_client', 7000215, { ...goodForm, client_secret: 'nope' }, TENANT],
    ['expired secret', 401, 'invalid_client', 7000222, { ...goodForm, client_id: OTHER_CLIENT }, TENANT],
    ['unknown client id', 400, 'unauthorized_client', 700016, { ...goodForm, client_id: '00000000-0000-0000-0000-000000000000' }, TENANT],
    ['unknown tenant', 400, 'invalid_request', 90002, goodForm, '11111111-1111-1111-1111-111111111111'],
    ['scope without /.default', 400, 'invalid_scope', 1002012, { ...goodForm, scope: 'https://monitor.azure.com' }, TENANT],
    ['unknown resource', 400, 'invalid_resource', 500011, { ...goodForm, scope: 'https://nothing.example/.default' }, TENANT],
    ['missing client_id', 400, 'invalid_request', 900144, { grant_type: 'client_credentials', scope: goodForm.scope }, TENANT],
    ['other grant type', 400, 'unsupported_grant_type', 70003, { ...goodForm, grant_type: 'password' }, TENANT],
  ])('%s => %i %s AADSTS%i, with trace lines after the first', async (_n, status, error, code, form, tenant) => {
    const a = await tokenRequest(form as Record<string, string>, tenant as string);
    expect(a.status).toBe(status);
    expect(a.json).toMatchObject({ error, error_codes: [code] });
    expect(a.json!.error_description).toMatch(new RegExp(`^AADSTS${code}: [^\\r\\n]+\\r\\nTrace ID: `));
    expect(a.json!.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
  });

  test('the wrong-secret answer never echoes the secret that was sent', async () => {
    const a = await tokenRequest({ ...goodForm, client_secret: 'candidate-secret-xyz' });
    expect(a.text).not.toContain('candidate-secret-xyz');
  });

  test('tokenUnavailable: 503 temporarily_unavailable with Retry-After', async () => {
    d.tokenUnavailable = 1;
    const a = await tokenRequest(goodForm);
    expect([a.status, a.json?.error, a.headers.get('retry-after')]).toEqual([503, 'temporarily_unavailable', '1']);
    expect((await tokenRequest(goodForm)).status).toBe(200);
  });
});

describe('Logs Ingestion API', () => {
  test('204 with no body; rows stored per stream; x-ms-client-request-id echoed', async () => {
    const t = await newToken();
    const a = await ingest(JSON.stringify([row, { ...row, SyslogMessage: 'two' }]), { token: t, headers: { 'x-ms-client-request-id': 'abc-1' } });
    expect([a.status, a.text]).toEqual([204, '']);
    expect(a.headers.get('x-ms-client-request-id')).toBe('abc-1');
    expect(a.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.rows.get('Custom-SyslogStream')).toEqual([row, { ...row, SyslogMessage: 'two' }]);
    expect(d.requests[0]).toMatchObject({ dcr: DCR, stream: 'Custom-SyslogStream', apiVersion: '2023-01-01', status: 204, rows: 2, clientRequestId: 'abc-1' });
    expect(d.schemaViolations).toEqual([]);
  });

  test('gzip bodies are read', async () => {
    const t = await newToken();
    const a = await ingest(gzipSync(JSON.stringify([row])), { token: t, headers: { 'Content-Encoding': 'gzip' } });
    expect(a.status).toBe(204);
    expect(d.rows.get('Custom-SyslogStream')).toEqual([row]);
  });

  test.each([
    ['missing api-version', 'MissingApiVersionParameter', null],
    ['unsupported api-version', 'InvalidApiVersionParameter', '2099-01-01'],
  ])('%s => 400 %s', async (_n, code, v) => {
    const t = await newToken();
    const a = await ingest('[]', { token: t, apiVersion: v });
    expect([a.status, a.json?.error?.code, a.headers.get('x-ms-error-code')]).toEqual([400, code, code]);
  });

  test('401: no token, a token it never issued, an expired token, a token for another resource', async () => {
    expect((await ingest('[]')).json?.error?.code).toBe('MissingAuthentication');
    const foreign = await ingest('[]', { token: 'eyJ.forged.sig' });
    expect([foreign.status, foreign.json?.error?.code]).toEqual([401, 'UnsupportedAccessTokenType']);
    const t = await newToken();
    d.expireTokens();
    const expired = await ingest('[]', { token: t });
    expect([expired.status, expired.headers.get('x-ms-error-code')]).toEqual([401, 'TokenExpired']);
    const mgmt = await newToken({ ...goodForm, scope: 'https://management.azure.com/.default' });
    expect((await ingest('[]', { token: mgmt })).json?.error?.code).toBe('InvalidAudience');
    expect(d.allRows()).toEqual([]);
  });

  test('404 for an unknown DCR or stream; 403 OperationFailed without the role, 204 once granted', async () => {
    const t = await newToken();
    const noDcr = await ingest('[]', { token: t, dcr: 'dcr-ffffffffffffffffffffffffffffffff' });
    expect([noDcr.status, noDcr.json?.error?.code]).toEqual([404, 'NotFound']);
    expect(noDcr.json?.error?.message).toBe("Data collection rule with immutable Id 'dcr-ffffffffffffffffffffffffffffffff' not found.");
    expect((await ingest('[]', { token: t, stream: 'Custom-Nope' })).status).toBe(404);
    d.revoke(CLIENT);
    const denied = await ingest(JSON.stringify([row]), { token: t });
    expect([denied.status, denied.json?.error?.code]).toEqual([403, 'OperationFailed']);
    expect(denied.json?.error?.message).toMatch(/^The authentication token provided does not have access to ingest data for the data collection rule with immutable Id 'dcr-0+1'/);
    d.grant(CLIENT);
    expect((await ingest(JSON.stringify([row]), { token: t })).status).toBe(204);
    expect(d.allRows()).toHaveLength(1);
  });

  test('413 ContentLengthLimitExceeded above 1,048,576 bytes, plain or after gunzip; exactly the limit passes', async () => {
    const t = await newToken();
    const fill = (n: number) => { const base = JSON.stringify([{ SyslogMessage: '' }]); return JSON.stringify([{ SyslogMessage: 'x'.repeat(n - base.length) }]); };
    expect(Buffer.byteLength(fill(MAX_BODY_BYTES))).toBe(MAX_BODY_BYTES);
    expect((await ingest(fill(MAX_BODY_BYTES), { token: t })).status).toBe(204);
    const big = await ingest(fill(MAX_BODY_BYTES + 1), { token: t });
    expect([big.status, big.json?.error?.code]).toEqual([413, 'ContentLengthLimitExceeded']);
    expect(big.json?.error?.message).toMatch(/^Maximum allowed content length: 1048576 bytes \(1 MB\)\./);
    const gz = await ingest(gzipSync(fill(MAX_BODY_BYTES + 1)), { token: t, headers: { 'Content-Encoding': 'gzip' } });
    expect(gz.status).toBe(413);
  });

  test('a JSON object instead of an array: 204 and nothing stored (observed); invalid JSON: 400', async () => {
    const t = await newToken();
    expect((await ingest(JSON.stringify(row), { token: t })).status).toBe(204);
    expect(d.droppedBodies).toBe(1);
    expect(d.allRows()).toEqual([]);
    expect((await ingest('[{"a":', { token: t })).json?.error?.code).toBe('InvalidPayload');
  });

  test('rows are checked against the stream declaration; values over 64 KB are cut and counted', async () => {
    const t = await newToken();
    await ingest(JSON.stringify([{ ...row, ProcessID: 'x', Nope: 1, TimeGenerated: 'yesterday', SyslogMessage: 'é'.repeat(40_000) }]), { token: t });
    expect(d.schemaViolations).toEqual([
      'Custom-SyslogStream: TimeGenerated is declared datetime but got "yesterday"',
      'Custom-SyslogStream: ProcessID is declared int but got "x"',
      'Custom-SyslogStream: column Nope is not declared',
    ]);
    expect(d.truncatedFields).toBe(1);
    expect(Buffer.byteLength(d.allRows()[0].SyslogMessage as string)).toBeLessThanOrEqual(65_536);
  });

  test('faults: 429 + Retry-After, 503, 500 with an empty body, injected bad row, reset, slow', async () => {
    const t = await newToken();
    d.throttle = 1;
    d.retryAfterS = 7;
    const thr = await ingest('[]', { token: t });
    expect([thr.status, thr.headers.get('retry-after')]).toEqual([429, '7']);
    d.unavailable = 1;
    expect((await ingest('[]', { token: t })).status).toBe(503);
    d.serverError = 1;
    expect(await ingest('[]', { token: t }).then((a) => [a.status, a.text])).toEqual([500, '']);
    d.rejectRowsContaining = 'BAD';
    const bad = await ingest(JSON.stringify([row, { ...row, SyslogMessage: 'BAD' }]), { token: t });
    expect([bad.status, bad.json?.error?.code]).toEqual([400, 'InvalidPayload']);
    expect(d.allRows()).toEqual([]);
    d.reset = 1;
    await expect(ingest(JSON.stringify([row]), { token: t })).rejects.toThrow();
    d.slow = 1;
    d.delayMs = 50;
    expect((await ingest(JSON.stringify([row]), { token: t })).status).toBe(204);
    expect(d.allRows()).toEqual([row]);
  });
});
