import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readBody } from './read-body';

/**
 * An Elasticsearch test double for the elasticsearch destination's tests. It reproduces what
 * /work/shared/docs/protocols.md §5 records about `_bulk` and the "Elasticsearch" row of the §8
 * checklist, plus the few other endpoints `siemgate check` uses. Plain HTTP on 127.0.0.1.
 *
 * Error bodies have Elasticsearch's shape `{"error":{"root_cause":[…],"type","reason"},"status":n}`
 * (as quoted in elastic/elasticsearch-js #1686 and elastic/elasticsearch-py #2594 for the bulk
 * newline error); 401s carry `WWW-Authenticate` both as headers and inside the body, as
 * elastic/go-elasticsearch #279 shows for 7.13. Not modelled: `update` actions, exclusions (`-`) in
 * filter_path, mapping conflicts other than the data_stream constant_keyword fields, ILM/rollover.
 */

export interface EsCredentialConfig {
  /** Shown in 403 reasons as Elasticsearch does ("for user [x]"). */
  user: string;
  /** Index patterns (`*` wildcards) this credential may write to; undefined = any. */
  indices?: string[];
  /** Index privileges it holds on `indices` (has_privileges answers from these); default create_doc + auto_configure. */
  privileges?: string[];
  /** Cluster privileges; GET / needs `monitor` (or `all`). Default: monitor. */
  cluster?: string[];
}

export interface EsDocRecord {
  _id: string;
  /** The document as parsed. */
  source: Record<string, unknown>;
  /** The source line exactly as received. */
  raw: string;
  pipeline?: string;
  /** Global indexing order (all streams). */
  seq: number;
}

export interface EsRequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** Body text after gunzip ('' when it could not be decoded or was over the limit). */
  body: string;
  gzip: boolean;
}

/** A per-item failure to inject: items whose document `match`es fail with this status, `times` times (default always). */
export interface ItemFault {
  match: (source: Record<string, unknown>, id: string | undefined) => boolean;
  status: number;
  type: string;
  reason: string;
  times?: number;
}

/** A whole-request failure to inject on the next `_bulk` request (after authentication, before parsing). */
export interface RequestFault {
  status: number;
  /** Retry-After header value. */
  retryAfter?: string;
  /** Error type and reason for the body; status 413 answers with an empty body instead (§5.1 Size: body shape UNVERIFIED, often empty). */
  type?: string;
  reason?: string;
}

export interface EsDouble {
  /** http://127.0.0.1:<port>, no path. */
  url: string;
  /** Indexed documents per index or data stream name, in the order they were indexed. */
  indexed: Map<string, EsDocRecord[]>;
  requests: EsRequestRecord[];
  apiKeys: Map<string, EsCredentialConfig>;
  users: Map<string, EsCredentialConfig & { password: string }>;
  /** `disabled`: no authentication at all (xpack.security.enabled: false). */
  security: 'enabled' | 'disabled';
  version: string;
  /** Index patterns whose targets are data streams (the built-in `logs-*-*` template, §5.1 [S45]). */
  dataStreamPatterns: string[];
  /** Ingest pipelines that exist (`?pipeline=` naming another one fails per item). */
  pipelines: Set<string>;
  /** http.max_content_length, on the decoded body (default 100mb, §5.1). */
  maxContentLength: number;
  itemFaults: ItemFault[];
  requestFaults: RequestFault[];
  /** Fault injection: the next this-many `_bulk` requests are handled, then answered after delayMs. */
  slow: number;
  delayMs: number;
  /** The next this-many `_bulk` requests get their connection reset, unanswered and nothing indexed. */
  reset: number;
  /** Every indexed document, all streams, in indexing order. */
  docs(): Array<EsDocRecord & { index: string }>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  /** undefined: empty body. */
  json?: unknown;
  headers?: Record<string, string | string[]>;
}

const WWW_AUTHENTICATE = ['Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', 'ApiKey'];

/** The error shape every Elasticsearch API uses. */
function esError(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): Reply {
  const cause = { type, reason, ...extra };
  return { status, json: { error: { root_cause: [cause], ...cause }, status } };
}

function unauthenticated(reason: string): Reply {
  const r = esError(401, 'security_exception', reason, { header: { 'WWW-Authenticate': WWW_AUTHENTICATE } });
  r.headers = { 'WWW-Authenticate': WWW_AUTHENTICATE };
  return r;
}

/** `*` matches any run of characters (Elasticsearch index patterns). */
export function globMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  if (!name.startsWith(parts[0]) || !name.endsWith(parts[parts.length - 1])) return false;
  let at = parts[0].length;
  const stop = name.length - parts[parts.length - 1].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const k = name.indexOf(parts[i], at);
    if (k < 0 || k + parts[i].length > stop) return false;
    at = k + parts[i].length;
  }
  return at <= stop;
}

// ------------------------------------------------------------------------ filter_path

/**
 * The `filter_path` query parameter (§5.1): comma-separated dot paths, `*` within a name, `**` for
 * any depth; arrays are looked through. Inclusions only. Objects and arrays left empty are pruned
 * (elastic/elasticsearch #63842: `filter_path=errors,items.*.error` answers a fully successful bulk
 * with `{"errors":false}` alone), so an item keeps its place only if some path matches inside it.
 * A response with nothing left is `{}`.
 */
export function applyFilterPath(value: unknown, filterPath: string | undefined): unknown {
  if (filterPath === undefined || filterPath === '') return value;
  const paths = filterPath.split(',').map((p) => p.trim()).filter(Boolean).map((p) => p.split('.'));
  const out = filterValue(value, paths);
  return out === undefined ? {} : out;
}

function filterValue(value: unknown, paths: string[][]): unknown {
  if (paths.some((p) => p.length === 0)) return value;
  if (Array.isArray(value)) {
    const kept = value.map((v) => filterValue(v, paths)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const rest: string[][] = [];
    for (const p of paths) {
      if (p[0] === '**') {
        rest.push(p); // ** may match more levels
        if (p.length > 1 && globMatch(p[1], k)) rest.push(p.slice(2));
      } else if (globMatch(p[0], k)) rest.push(p.slice(1));
    }
    if (rest.length === 0) continue;
    const f = filterValue(v, rest);
    if (f !== undefined) out[k] = f;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

// ------------------------------------------------------------------------ the server

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[]> = { 'X-elastic-product': 'Elasticsearch', ...reply.headers };
  if (reply.json === undefined) {
    res.writeHead(reply.status, { ...headers, 'Content-Length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.json);
  res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

const BULK_PATH = /^\/(?:([^/_][^/]*)\/)?_bulk$/;
const HAS_PRIVILEGES = '/_security/user/_has_privileges';
const ACTIONS = new Set(['index', 'create', 'update', 'delete']);

export async function startEsDouble(opts: {
  apiKeys?: Record<string, EsCredentialConfig>;
  users?: Record<string, EsCredentialConfig & { password: string }>;
  security?: 'enabled' | 'disabled';
  version?: string;
} = {}): Promise<EsDouble> {
  const state = {
    indexed: new Map<string, EsDocRecord[]>(),
    requests: [] as EsRequestRecord[],
    apiKeys: new Map(Object.entries(opts.apiKeys ?? {})),
    users: new Map(Object.entries(opts.users ?? {})),
    security: opts.security ?? 'enabled',
    version: opts.version ?? '8.15.0',
    dataStreamPatterns: ['logs-*-*'],
    pipelines: new Set<string>(),
    maxContentLength: 100 * 1024 * 1024,
    itemFaults: [] as ItemFault[],
    requestFaults: [] as RequestFault[],
    slow: 0,
    delayMs: 0,
    reset: 0,
  };
  const ids = new Map<string, Set<string>>();
  /** The data_stream.* values fixed by the first document of each stream (constant_keyword). */
  const constants = new Map<string, Record<string, unknown>>();
  const created = new Map<string, string>();
  let seqNo = 0;
  let docSeq = 0;

  /** undefined: authenticated (or security disabled); else the 401. */
  function authenticate(req: IncomingMessage, pathAndQuery: string): { error?: Reply; cred?: EsCredentialConfig } {
    if (state.security === 'disabled') return {};
    const h = req.headers.authorization;
    if (h === undefined) return { error: unauthenticated(`missing authentication credentials for REST request [${pathAndQuery}]`) };
    if (h.startsWith('ApiKey ')) {
      const cred = state.apiKeys.get(h.slice(7).trim());
      if (cred === undefined) return { error: unauthenticated('unable to authenticate with provided credentials and anonymous access is not allowed for this request') };
      return { cred };
    }
    if (h.startsWith('Basic ')) {
      const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const u = state.users.get(user);
      if (u === undefined || colon < 0 || u.password !== decoded.slice(colon + 1)) {
        return { error: unauthenticated(`unable to authenticate user [${user}] for REST request [${pathAndQuery}]`) };
      }
      return { cred: u };
    }
    return { error: unauthenticated('unable to authenticate with provided credentials and anonymous access is not allowed for this request') };
  }

  const mayWrite = (cred: EsCredentialConfig | undefined, index: string) =>
    cred?.indices === undefined || cred.indices.some((p) => globMatch(p, index));
  const isDataStream = (index: string) => state.dataStreamPatterns.some((p) => globMatch(p, index));

  function info(): Reply {
    return {
      status: 200,
      json: {
        name: 'es-double', cluster_name: 'siemgate-test', cluster_uuid: 'dGVzdC1kb3VibGUtY2x1c3Rlcg',
        version: {
          number: state.version, build_flavor: 'default', build_type: 'docker', build_hash: '0'.repeat(40),
          build_date: '2026-01-01T00:00:00.000Z', build_snapshot: false, lucene_version: '9.11.1',
          minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0',
        },
        tagline: 'You Know, for Search',
      },
    };
  }

  function hasPrivileges(cred: EsCredentialConfig | undefined, body: string): Reply {
    let req: { index?: Array<{ names?: string[]; privileges?: string[] }>; cluster?: string[] };
    try { req = body === '' ? {} : JSON.parse(body); } catch {
      return esError(400, 'x_content_parse_exception', '[1:1] Unexpected character');
    }
    const privs = cred?.privileges ?? ['create_doc', 'auto_configure'];
    const index: Record<string, Record<string, boolean>> = {};
    let all = true;
    for (const entry of req.index ?? []) {
      for (const name of entry.names ?? []) {
        index[name] ??= {};
        for (const p of entry.privileges ?? []) {
          // a requested pattern is covered when one of the credential's patterns matches it as a name
          const v = mayWrite(cred, name) && (privs.includes(p) || privs.includes('all'));
          index[name][p] = v;
          all &&= v;
        }
      }
    }
    const cluster: Record<string, boolean> = {};
    for (const c of req.cluster ?? []) {
      cluster[c] = (cred?.cluster ?? ['monitor']).some((x) => x === c || x === 'all');
      all &&= cluster[c];
    }
    return { status: 200, json: { username: cred?.user ?? '_anonymous', has_all_requested: all, cluster, index, application: {} } };
  }

  function backingIndex(stream: string): string {
    let day = created.get(stream);
    if (day === undefined) {
      const d = new Date();
      day = `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
      created.set(stream, day);
    }
    return `.ds-${stream}-${day}-000001`;
  }

  function invalidIndexName(name: string): string | undefined {
    if (name !== name.toLowerCase()) return 'must be lowercase';
    if (name === '.' || name === '..') return 'must not be \'.\' or \'..\'';
    if (/^[-_+]/.test(name)) return 'must not start with \'_\', \'-\', or \'+\'';
    if (/[\\/*?"<>| ,#:]/.test(name)) return 'must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?, #, :]';
    if (Buffer.byteLength(name) > 255) return 'index name is too long, (' + Buffer.byteLength(name) + ' > 255)';
    return undefined;
  }

  /** One action + source → its item result (the part inside `{"<action>": …}`). */
  function item(action: string, meta: Record<string, unknown>, sourceLine: string | undefined, target: string | undefined,
    cred: EsCredentialConfig | undefined, pipeline: string | undefined, credName: string): Record<string, unknown> {
    const index = (meta._index as string | undefined) ?? target!;
    const ds = isDataStream(index);
    const givenId = typeof meta._id === 'string' ? meta._id : undefined;
    const fail = (status: number, type: string, reason: string, extra: Record<string, unknown> = {}) =>
      ({ _index: index, _id: givenId ?? null, status, error: { type, reason, ...extra } });
    // Elasticsearch's index name rules (MetadataCreateIndexService.validateIndexOrAliasName): the
    // encoder must never make a name it refuses
    const badName = invalidIndexName(index);
    if (badName !== undefined) return fail(400, 'invalid_index_name_exception', `Invalid index name [${index}], ${badName}`, { index });
    if (!mayWrite(cred, index)) {
      return fail(403, 'security_exception', `action [indices:data/write/bulk[s]] is unauthorized for ${credName} on indices [${index}], this action is granted by the index privileges [create_doc,create,index,write,all]`);
    }
    // §5.1: data streams take only op_type create [S46]
    if (ds && action !== 'create') {
      return fail(400, 'illegal_argument_exception', `only write ops with an op_type of create are allowed in data streams`);
    }
    if (action === 'update') return fail(400, 'illegal_argument_exception', 'update is not modelled by the test double');
    if (action === 'delete') {
      const set = ids.get(index);
      if (givenId === undefined || !set?.has(givenId)) return { _index: index, _id: givenId ?? null, result: 'not_found', status: 404 };
      set.delete(givenId);
      state.indexed.set(index, (state.indexed.get(index) ?? []).filter((d) => d._id !== givenId));
      return { _index: index, _id: givenId, result: 'deleted', status: 200 };
    }
    let source: unknown;
    try { source = JSON.parse(sourceLine!); } catch {
      return fail(400, 'document_parsing_exception', '[1:1] failed to parse: the source is not valid JSON');
    }
    if (source === null || typeof source !== 'object' || Array.isArray(source)) {
      return fail(400, 'document_parsing_exception', '[1:1] failed to parse: the source must be a JSON object');
    }
    const doc = source as Record<string, unknown>;
    if (pipeline !== undefined && pipeline !== '_none' && !state.pipelines.has(pipeline)) {
      return fail(400, 'illegal_argument_exception', `pipeline with id [${pipeline}] does not exist`);
    }
    for (const f of state.itemFaults) {
      if ((f.times === undefined || f.times > 0) && f.match(doc, givenId)) {
        if (f.times !== undefined) f.times--;
        return fail(f.status, f.type, f.reason);
      }
    }
    if (ds) {
      // §5.1: every data stream document needs @timestamp [S46]
      if (doc['@timestamp'] === undefined) return fail(400, 'document_parsing_exception', 'data stream timestamp field [@timestamp] is missing');
      const dsf = doc.data_stream;
      if (dsf !== undefined && dsf !== null && typeof dsf === 'object') {
        const fixed = constants.get(index) ?? {};
        for (const k of ['type', 'dataset', 'namespace']) {
          const v = (dsf as Record<string, unknown>)[k];
          if (v === undefined) continue;
          if (fixed[k] !== undefined && fixed[k] !== v) {
            return fail(400, 'document_parsing_exception', `[1:1] failed to parse field [data_stream.${k}] of type [constant_keyword] in document with id '${givenId ?? ''}'. Preview of field's value: '${String(v)}'`, {
              caused_by: { type: 'illegal_argument_exception', reason: `[constant_keyword] field [data_stream.${k}] only accepts values that are equal to the value defined in the mappings [${String(fixed[k])}], but got [${String(v)}]` },
            });
          }
        }
        for (const k of ['type', 'dataset', 'namespace']) {
          const v = (dsf as Record<string, unknown>)[k];
          if (v !== undefined) fixed[k] = v;
        }
        constants.set(index, fixed);
      }
    }
    const id = givenId ?? randomBytes(15).toString('base64url');
    let set = ids.get(index);
    if (set === undefined) ids.set(index, (set = new Set()));
    if (set.has(id)) {
      if (action === 'create') {
        return fail(409, 'version_conflict_engine_exception', `[${id}]: version conflict, document already exists (current version [1])`, { index_uuid: 'dGVzdA', shard: '0', index: ds ? backingIndex(index) : index });
      }
      const list = state.indexed.get(index)!;
      list.splice(list.findIndex((d) => d._id === id), 1);
    }
    set.add(id);
    const list = state.indexed.get(index) ?? [];
    state.indexed.set(index, list);
    list.push({ _id: id, source: doc, raw: sourceLine!, pipeline, seq: docSeq++ });
    return {
      _index: ds ? backingIndex(index) : index, _id: id, _version: 1, result: 'created',
      _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: seqNo++, _primary_term: 1, status: 201,
    };
  }

  /** NDJSON → items, or the whole-request 400 (§5.1 Body). */
  function bulk(text: string, target: string | undefined, cred: EsCredentialConfig | undefined, pipeline: string | undefined, credName: string): Reply {
    if (text.length === 0) return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
    if (!text.endsWith('\n')) return esError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
    const lines = text.slice(0, -1).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const ops: Array<{ action: string; meta: Record<string, unknown>; source?: string }> = [];
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      if (lines[i].trim() === '') continue;
      let a: unknown;
      try { a = JSON.parse(lines[i]); } catch {
        return esError(400, 'x_content_parse_exception', `[${lineNo}:1] Unexpected character: the action/metadata line is not JSON`);
      }
      if (a === null || typeof a !== 'object' || Array.isArray(a)) {
        return esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [${Array.isArray(a) ? 'START_ARRAY' : 'VALUE'}]`);
      }
      const keys = Object.keys(a as object);
      if (keys.length !== 1 || !ACTIONS.has(keys[0])) {
        return esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${keys[0] ?? ''}]`);
      }
      const action = keys[0];
      const meta = (a as Record<string, unknown>)[action];
      if (meta === null || typeof meta !== 'object') {
        return esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [VALUE]`);
      }
      const m = meta as Record<string, unknown>;
      if (typeof m._index !== 'string' && target === undefined) {
        return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
      }
      if (typeof m._id === 'string' && Buffer.byteLength(m._id) > 512) {
        return esError(400, 'action_request_validation_exception', `Validation Failed: 1: id [${m._id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(m._id)};`);
      }
      if (action === 'delete') { ops.push({ action, meta: m }); continue; }
      if (i + 1 >= lines.length) return esError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
      ops.push({ action, meta: m, source: lines[++i] });
    }
    if (ops.length === 0) return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
    const t0 = Date.now();
    const items = ops.map((op) => ({ [op.action]: item(op.action, op.meta, op.source, target, cred, pipeline, credName) }));
    const errors = items.some((it) => { const r = Object.values(it)[0] as { status: number }; return r.status >= 300; });
    return { status: 200, json: { took: Date.now() - t0, errors, items } };
  }

  function decode(raw: Buffer, encoding: string | undefined): { text?: string; error?: Reply } {
    const enc = (encoding ?? '').trim().toLowerCase();
    let out = raw;
    if (enc === 'gzip') {
      try {
        out = gunzipSync(raw, { maxOutputLength: state.maxContentLength + 1 });
      } catch (e) {
        if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { error: { status: 413 } };
        return { error: esError(400, 'illegal_argument_exception', 'the request body is not valid gzip') }; // reply UNVERIFIED
      }
    } else if (enc !== '' && enc !== 'identity') {
      return { error: esError(400, 'illegal_argument_exception', `unsupported Content-Encoding [${enc}]`) }; // reply UNVERIFIED
    }
    // http.max_content_length is checked on the decoded body here (UNVERIFIED which one Elasticsearch measures)
    if (out.length > state.maxContentLength) return { error: { status: 413 } };
    return { text: out.toString('utf8') };
  }

  function handle(req: IncomingMessage, raw: Buffer): { reply: Reply; body: string } {
    const url = new URL(req.url ?? '/', 'http://es.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const pathAndQuery = `${path}${url.search}`;
    const plain = raw.toString('utf8');

    const bulkMatch = BULK_PATH.exec(path);
    const known = path === '/' || path === HAS_PRIVILEGES || bulkMatch !== null;
    if (!known) return { reply: { status: 400, json: { error: `no handler found for uri [${pathAndQuery}] and method [${method}]` } }, body: plain };

    if (path === HAS_PRIVILEGES && state.security === 'disabled') {
      // elastic/elasticsearch #50288 (7.x): the security APIs of a cluster without security
      const reason = 'Security must be explicitly enabled when using a [basic] license. Enable security by setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the node.';
      return { reply: esError(500, 'exception', reason), body: plain };
    }
    const a = authenticate(req, pathAndQuery);
    if (a.error) return { reply: a.error, body: plain };
    const credName = a.cred === undefined ? 'user [_anonymous]' : `user [${a.cred.user}]`;

    if (path === '/') {
      if (method !== 'GET' && method !== 'HEAD') return { reply: { status: 405, json: { error: `Incorrect HTTP method for uri [/] and method [${method}], allowed: [HEAD, GET]`, status: 405 } }, body: plain };
      if (state.security === 'enabled' && !(a.cred?.cluster ?? ['monitor']).some((c) => c === 'monitor' || c === 'all')) {
        return { reply: esError(403, 'security_exception', `action [cluster:monitor/main] is unauthorized for ${credName}, this action is granted by the cluster privileges [monitor,manage,all]`), body: plain };
      }
      return { reply: info(), body: plain };
    }
    if (path === HAS_PRIVILEGES) {
      if (method !== 'GET' && method !== 'POST') return { reply: { status: 405, json: { error: `Incorrect HTTP method for uri [${path}] and method [${method}], allowed: [GET, POST]`, status: 405 } }, body: plain };
      return { reply: hasPrivileges(a.cred, plain), body: plain };
    }

    // _bulk
    if (method !== 'POST' && method !== 'PUT') {
      return { reply: { status: 405, json: { error: `Incorrect HTTP method for uri [${pathAndQuery}] and method [${method}], allowed: [POST, PUT]`, status: 405 } }, body: plain };
    }
    const fault = state.requestFaults.shift();
    if (fault !== undefined) {
      const reply: Reply = fault.status === 413
        ? { status: 413 }
        : esError(fault.status, fault.type ?? (fault.status === 429 ? 'es_rejected_execution_exception' : 'unavailable_shards_exception'),
          fault.reason ?? (fault.status === 429 ? 'rejected execution of coordinating operation' : 'injected failure'));
      if (fault.retryAfter !== undefined) reply.headers = { 'Retry-After': fault.retryAfter };
      return { reply, body: plain };
    }
    const decoded = decode(raw, req.headers['content-encoding']);
    if (decoded.error) return { reply: decoded.error, body: decoded.text ?? '' };
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!['application/x-ndjson', 'application/json', 'application/vnd.elasticsearch+x-ndjson', 'application/vnd.elasticsearch+json'].includes(ct)) {
      // reply text as Elasticsearch 6+ words it for other types (UNVERIFIED against a stored source)
      return { reply: { status: 406, json: { error: `Content-Type header [${req.headers['content-type'] ?? ''}] is not supported`, status: 406 } }, body: decoded.text! };
    }
    const target = bulkMatch![1] === undefined ? undefined : decodeURIComponent(bulkMatch![1]);
    const reply = bulk(decoded.text!, target, a.cred, url.searchParams.get('pipeline') ?? undefined, credName);
    return { reply, body: decoded.text! };
  }

  /** Answers being held back (slow): dropped on close, so a test ends without waiting for them. */
  const held = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (raw) => {
        const url = new URL(req.url ?? '/', 'http://es.invalid');
        const isBulk = BULK_PATH.test(url.pathname);
        if (isBulk && state.reset > 0) {
          state.reset--;
          req.socket.destroy(); // a reset mid-request: nothing indexed, no answer
          return;
        }
        const { reply, body } = handle(req, raw);
        state.requests.push({
          method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers },
          status: reply.status, body, gzip: (req.headers['content-encoding'] ?? '').trim().toLowerCase() === 'gzip',
        });
        // error answers are never filtered (AbstractRestChannel.newErrorBuilder: "Disable filtering when building error responses")
        const filtered: Reply = reply.json === undefined || reply.status >= 300 ? reply : { ...reply, json: applyFilterPath(reply.json, url.searchParams.get('filter_path') ?? undefined) };
        if (isBulk && state.slow > 0) {
          state.slow--;
          const t = setTimeout(() => { held.delete(t); send(res, filtered); }, state.delayMs);
          held.add(t);
        } else {
          send(res, filtered);
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;

  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    docs: () => [...state.indexed.entries()].flatMap(([index, list]) => list.map((d) => ({ ...d, index }))).sort((x, y) => x.seq - y.seq),
    close: () =>
      new Promise<void>((ok) => {
        for (const t of held) clearTimeout(t);
        held.clear();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  });
}
