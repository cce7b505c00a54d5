import type { ElasticsearchDestinationConfig } from '../../src/config/types';
import { createHttpClient } from '../shared/http-client';
import { authHeaders, credentialOf, esErrorOf, shownEndpoint, type EsCredential } from './client';
import { DEFAULT_DATASET, sanitizeDataStreamPart } from './encode';

/** Data streams (protocols.md §5.1) arrived in Elasticsearch 7.9 (its release highlights). */
const MIN_VERSION: [number, number] = [7, 9];
/**
 * `create_doc` (7.5+) lets a key add documents and nothing else; `auto_configure` (7.9+) lets a
 * write create the data stream from its template: the two privileges Fleet's output keys carry
 * (elastic/elasticsearch #45806; the auto_create action is "granted by the index privileges
 * [auto_configure,create_index,manage,all]").
 */
const PRIVILEGES = ['create_doc', 'auto_configure'];

interface Info { version?: { number?: unknown; distribution?: unknown } }
interface HasPrivileges { has_all_requested?: unknown; index?: Record<string, Record<string, unknown>> }

function who(c: EsCredential): string {
  return c === 'api_key' ? 'the API key (api_key)' : c === 'basic' ? 'the user (username/password)' : 'anonymous access (no credentials configured)';
}

function refused(c: EsCredential): string {
  switch (c) {
    case 'api_key': return 'credentials refused: check that api_key / api_key_file holds the key\'s "encoded" value and that the key is not expired or invalidated';
    case 'basic': return 'credentials refused: check username and password / password_file';
    case 'none': return 'the cluster requires credentials: set api_key (or api_key_file) or username and password';
  }
}

/**
 * `has_privileges` on a cluster without security: older versions answer 500 "Security must be
 * explicitly enabled when using a [basic] license…" (elastic/elasticsearch #50288), others have no
 * handler for the path. Either way nothing checks who writes.
 */
function securityDisabled(status: number, body: string): boolean {
  return (status === 500 && body.includes('Security must be explicitly enabled')) ||
    ((status === 400 || status === 404 || status === 405) && body.includes('no handler found'));
}

function parseJson<T>(text: string): T | undefined {
  try { return JSON.parse(text) as T; } catch { return undefined; }
}

function versionOk(number: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(number);
  if (m === null) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > MIN_VERSION[0] || (maj === MIN_VERSION[0] && min >= MIN_VERSION[1]);
}

/** The data streams the gateway writes when the mappings classify nothing: what must certainly be writable. */
export function defaultStreams(cfg: ElasticsearchDestinationConfig): string[] {
  const ns = sanitizeDataStreamPart(cfg.namespace) ?? 'default';
  const fallback = cfg.dataset === undefined ? undefined : sanitizeDataStreamPart(cfg.dataset);
  const datasets = fallback !== undefined ? [fallback] : [...new Set(Object.values(DEFAULT_DATASET))];
  return datasets.map((d) => `logs-${d}-${ns}`);
}

/**
 * `siemgate check`: per endpoint, does it answer as Elasticsearch 7.9+ (GET /), and may these
 * credentials write the data streams (has_privileges, which every authenticated user may ask about
 * itself, API keys included)? No document is written. Resolves with one line per endpoint; rejects
 * with one line per problem, each naming the endpoint and what to do. Secrets never appear.
 */
export async function probeElasticsearch(cfg: ElasticsearchDestinationConfig, timeoutMs: number): Promise<string[]> {
  const client = createHttpClient({ https: cfg.endpoints.some((e) => e.startsWith('https:')), timeoutMs, tls: cfg.tls });
  const credential = credentialOf(cfg);
  const auth = authHeaders(cfg);
  const ns = sanitizeDataStreamPart(cfg.namespace) ?? 'default';
  const pattern = `logs-*-${ns}`;
  const streams = defaultStreams(cfg);
  const problems: string[] = [];
  const ok: string[] = [];
  for (const endpoint of cfg.endpoints) {
    const e = shownEndpoint(endpoint);
    try {
      const info = await client.get(`${endpoint}/`, { headers: auth });
      const text = String(info.data ?? '');
      let version: string;
      if (info.status === 401) { problems.push(`${e}: ${refused(credential)}`); continue; }
      if (info.status === 200) {
        const v = parseJson<Info>(text)?.version;
        if (typeof v?.number !== 'string') { problems.push(`${e}: GET / answered without an Elasticsearch version (${JSON.stringify(text.slice(0, 120))}); check the URL points at an Elasticsearch node`); continue; }
        if (v.distribution === 'opensearch') { problems.push(`${e}: this is OpenSearch ${v.number}, not Elasticsearch; this destination needs Elasticsearch ${MIN_VERSION.join('.')} or later`); continue; }
        if (!versionOk(v.number)) { problems.push(`${e}: Elasticsearch ${v.number} has no data streams; upgrade to ${MIN_VERSION.join('.')} or later`); continue; }
        version = `Elasticsearch ${v.number}`;
      } else if (info.status === 403) {
        // GET / needs the monitor cluster privilege, which a write-only key rightly lacks
        version = 'Elasticsearch (version not checked: the credentials lack the monitor cluster privilege)';
      } else {
        problems.push(`${e}: GET / answered HTTP ${info.status}${describeError(text)}; check the URL points at an Elasticsearch node`);
        continue;
      }

      const body = JSON.stringify({ index: [{ names: [pattern, ...streams], privileges: PRIVILEGES }] });
      const p = await client.post(`${endpoint}/_security/user/_has_privileges`, body, { headers: { ...auth, 'Content-Type': 'application/json' } });
      const ptext = String(p.data ?? '');
      if (securityDisabled(p.status, ptext)) {
        ok.push(`${e}: ${version}; security is disabled, anyone who can reach it can write${credential === 'none' ? '' : ' (the configured credentials are not checked)'}`);
        continue;
      }
      if (p.status === 401) { problems.push(`${e}: ${refused(credential)}`); continue; }
      const hp = p.status === 200 ? parseJson<HasPrivileges>(ptext) : undefined;
      if (hp?.index === undefined) {
        problems.push(`${e}: could not check privileges (has_privileges answered HTTP ${p.status}${describeError(ptext)})`);
        continue;
      }
      const lacking = (name: string) => PRIVILEGES.filter((priv) => hp.index![name]?.[priv] !== true);
      const denied = streams.filter((s) => lacking(s).length > 0);
      if (denied.length > 0) {
        problems.push(`${e}: ${who(credential)} may not write to ${denied.join(', ')} (missing ${[...new Set(denied.flatMap(lacking))].join(', ')}); grant the index privileges ${PRIVILEGES.join(' and ')} on ${pattern} to its role`);
        continue;
      }
      ok.push(lacking(pattern).length === 0
        ? `${e}: ${version}; ${who(credential)} may write to ${pattern}`
        : `${e}: ${version}; ${who(credential)} may write to ${streams.join(', ')} but not to all of ${pattern}: events the mappings put into other datasets would be refused (403)`);
    } catch (err) {
      problems.push(`${e}: not reachable (${(err as Error).message}); check the URL, the network path and tls.ca_file`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n  '));
  return ok;
}

function describeError(text: string): string {
  const er = esErrorOf(text);
  if (er.type === undefined && er.reason === undefined) return '';
  return ` ${[er.type, er.reason].filter(Boolean).join(': ').slice(0, 300)}`;
}
