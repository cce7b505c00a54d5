import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readBody } from './read-body';

/**
 * A Splunk HTTP Event Collector test double for the splunk_hec destination's integration tests.
 * It reproduces what /work/shared/docs/protocols.md §4 records about HEC (documented behaviour and
 * the behaviour observed on Splunk 10.4.3 [S42]) and the "Splunk HEC" row of the §8 checklist.
 * Plain HTTP on 127.0.0.1 (real HEC defaults to HTTPS on 8088, §4.1; TLS is not what is tested here).
 *
 * Indexer acknowledgement (§4.4) for tokens with useAck: channel required (code 10, 11 when not a
 * GUID), ackIds per channel from 0, /ack answering each id true once and then false; tokens without
 * it answer /ack with code 14. Not modelled: the /raw endpoint, and the UNVERIFIED 429 codes 26/27.
 */

/** The event envelope, §4.2. Values are `unknown` because the double must accept what a sender gets wrong. */
export interface HecEvent {
  time?: unknown;
  host?: unknown;
  source?: unknown;
  sourcetype?: unknown;
  index?: unknown;
  event: unknown;
  fields?: unknown;
}

export interface HecTokenConfig {
  disabled?: boolean;
  /** Indexes this token may write to; undefined = any (§4.2 "index must be in the token's allowed list"). */
  indexes?: string[];
  /** Indexer acknowledgement (§4.4): a channel is required and each accepted request gets an ackId. */
  useAck?: boolean;
}

export interface HecRequestRecord {
  path: string;
  status: number;
  /** Body text after gunzip; '' when it could not be decoded (bad gzip, gzip over the size limit). */
  body: string;
  gzip: boolean;
  auth?: string;
}

export interface HecDouble {
  /** http://127.0.0.1:<port>, no path. */
  url: string;
  /** Every object HEC accepted, in order. */
  indexed: HecEvent[];
  requests: HecRequestRecord[];
  tokens: Map<string, HecTokenConfig>;
  /** Answer this many next /event requests with 503 code 9 (decrements). */
  busy: number;
  /** Bytes after gunzip; above -> 413. */
  maxContentLength: number;
  /** The next this-many ackIds issued never turn true (the indexer lost them): the sender must resend. */
  ackWithhold: number;
  /** /ack polls answered so far. */
  ackPolls: number;
  /** Fault injection (§8 "inject faults"): the next this-many /event requests are answered after delayMs (handled, indexed, then the answer waits). */
  slow: number;
  delayMs: number;
  /** The next this-many /event requests get their connection reset, unanswered and not indexed. */
  reset: number;
  close(): Promise<void>;
}

/** An answer the double gives: status plus a JSON body (protocols.md §4.3) or a non-JSON body. */
interface Reply {
  status: number;
  json?: Record<string, unknown>;
  text?: { contentType: string; body: string };
}

// §4.1: the /event endpoint and its aliases, health and its alias, and ack.
const EVENT_PATHS = new Set(['/services/collector/event', '/services/collector', '/services/collector/event/1.0']);
const HEALTH_PATHS = new Set(['/services/collector/health', '/services/collector/health/1.0']);
const ACK_PATH = '/services/collector/ack';

// §4.2: the documented envelope keys. Any other top-level key is a silent drop (observed [S42]).
const ENVELOPE_KEYS = new Set(['time', 'host', 'source', 'sourcetype', 'index', 'event', 'fields']);

/** `{"text":..,"code":n}` with the §4.3 table's status and text. */
function hec(status: number, code: number, text: string, extra: Record<string, unknown> = {}): Reply {
  return { status, json: { text, code, ...extra } };
}

// §4.3 "Outside the table": unknown path => 404, wrong method => 405, both with this body and code 404.
const NOT_FOUND_TEXT = 'The requested URL was not found on this server.';
const notFound = (): Reply => hec(404, 404, NOT_FOUND_TEXT);
const wrongMethod = (): Reply => hec(405, 404, NOT_FOUND_TEXT);

/** §4.2 Compression: `deflate` (any encoding but gzip) => 415 with an HTML body; the exact HTML is not recorded, this is a stand-in. */
const unsupportedEncoding = (): Reply => ({
  status: 415,
  text: {
    contentType: 'text/html; charset=UTF-8',
    body: '<!doctype html><html><head><title>415 Unsupported Media Type</title></head><body><h1>Unsupported Media Type</h1></body></html>',
  },
});

/** §4.2 Size: over-limit => 413. protocols.md does not record the body; a plain-text one is used so a sender cannot rely on a code. */
const tooLarge = (): Reply => ({ status: 413, text: { contentType: 'text/plain; charset=UTF-8', body: 'Content too large' } });

/**
 * §4.1 auth: `Authorization: Splunk <token>`, or Basic with any user and the token as password.
 * Query-string `?token=` needs per-token opt-in that this double never grants => code 16.
 * Returns the error reply, or undefined with the token on success. Scheme names are matched
 * case-sensitively (as senders write them); Splunk's tolerance for other spellings is not recorded.
 */
function authenticate(header: string | undefined, query: URLSearchParams, tokens: Map<string, HecTokenConfig>): { error?: Reply; token?: HecTokenConfig } {
  if (header === undefined) {
    if (query.has('token')) return { error: hec(400, 16, 'Query string authorization is not enabled') };
    return { error: hec(401, 2, 'Token is required') };
  }
  const token = tokenFromHeader(header);
  // §4.3 code 3: "usually missing `Splunk ` prefix".
  if (token === undefined) return { error: hec(401, 3, 'Invalid authorization') };
  const cfg = tokens.get(token);
  if (cfg === undefined) return { error: hec(403, 4, 'Invalid token') };
  if (cfg.disabled) return { error: hec(403, 1, 'Token disabled') };
  return { token: cfg };
}

function tokenFromHeader(header: string): string | undefined {
  if (header.startsWith('Splunk ')) return header.slice('Splunk '.length).trim();
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // `-u x:<token>` (§4.1): the user part is ignored, the password is the token.
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/**
 * Splits a batch body into the text of each top-level value (§4.2 Batching: objects back to back,
 * optionally whitespace-separated, not an array). Lazy, because HEC indexes the objects before a
 * bad one and stops there. Anything that does not start with `{` is yielded as the whole rest of
 * the body so that it fails as one invalid object at that position.
 */
export function* splitHecBatch(body: string): Generator<string> {
  let pos = skipWhitespace(body, 0);
  while (pos < body.length) {
    if (body[pos] !== '{') {
      yield body.slice(pos);
      return;
    }
    const end = objectEnd(body, pos);
    yield body.slice(pos, end);
    pos = skipWhitespace(body, end);
  }
}

function skipWhitespace(s: string, pos: number): number {
  // JSON insignificant whitespace (RFC 8259 §2).
  while (pos < s.length && (s[pos] === ' ' || s[pos] === '\n' || s[pos] === '\r' || s[pos] === '\t')) pos++;
  return pos;
}

/** Index just past the `}` that closes the object starting at `start`, or s.length if it never closes. */
function objectEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++; // skip the escaped character, which may be a quote
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return s.length;
}

/** What HEC does with one batched object. */
type Verdict =
  | { kind: 'index'; event: HecEvent }
  | { kind: 'skip' } // observed silent drop of this object only
  | { kind: 'stop' } // observed silent drop of this object and all after it, still 200
  | { kind: 'error'; code: number; text: string; numberOffset: number };

const invalid = (code: number, text: string, numberOffset = 0): Verdict => ({ kind: 'error', code, text, numberOffset });

/** Per-object validation, §4.2 envelope table and the codes of §4.3. */
function judge(text: string, token: HecTokenConfig): Verdict {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return invalid(6, 'Invalid data format');
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return invalid(6, 'Invalid data format');
  const o = obj as Record<string, unknown>;
  if (!('event' in o)) {
    // §4.2 (observed [S42]): `fields` without `event` got 200 and the object was skipped; only a
    // bare missing `event` is code 12.
    return 'fields' in o ? { kind: 'skip' } : invalid(12, 'Event field is required');
  }
  const eventError = checkEvent(o.event);
  if (eventError) return eventError;
  if ('fields' in o && !fieldsAreFlat(o.fields)) return invalid(15, 'Error in handling indexed fields');
  // §4.2 quirk (observed [S42]): for code 7 invalid-event-number is one past the bad object.
  if (!indexAllowed(o.index, token)) return invalid(7, 'Incorrect index', 1);
  // §4.2 (observed [S42]): an unknown top-level key got 200, yet it and every later object were not indexed.
  if (Object.keys(o).some((k) => !ENVELOPE_KEYS.has(k))) return { kind: 'stop' };
  return { kind: 'index', event: o as unknown as HecEvent };
}

/** §4.2 `event`: empty / whitespace-only string => 13; null or false => 6; {} [] 0 are accepted (observed [S42]). */
function checkEvent(event: unknown): Verdict | undefined {
  if (typeof event === 'string' && event.trim() === '') return invalid(13, 'Event field cannot be blank');
  if (event === null || event === false) return invalid(6, 'Invalid data format');
  return undefined;
}

/**
 * §4.2 `fields`: a flat map of string values (arrays of strings for multi-value, UNVERIFIED);
 * a nested object => 15. Anything that is neither a string nor an array is treated as "nested".
 */
function fieldsAreFlat(fields: unknown): boolean {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return false;
  return Object.values(fields as Record<string, unknown>).every(
    (v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
  );
}

/** §4.2 index allow-list; an object without `index` goes to the token's default index, always allowed. */
function indexAllowed(index: unknown, token: HecTokenConfig): boolean {
  if (index === undefined || token.indexes === undefined) return true;
  return typeof index === 'string' && token.indexes.includes(index);
}

/** Runs a batch object by object; objects before the first bad one are indexed (§4.2 Batching). */
function processBatch(body: string, token: HecTokenConfig, indexed: HecEvent[]): Reply {
  let i = 0;
  let any = false;
  for (const text of splitHecBatch(body)) {
    any = true;
    const v = judge(text, token);
    if (v.kind === 'error') return hec(400, v.code, v.text, { 'invalid-event-number': i + v.numberOffset });
    if (v.kind === 'stop') break;
    if (v.kind === 'index') indexed.push(v.event);
    i++;
  }
  // §4.3 code 5. A whitespace-only body is treated as empty (not recorded in protocols.md).
  if (!any) return hec(400, 5, 'No data');
  return hec(200, 0, 'Success');
}

/** Decodes the body per Content-Encoding and enforces the size limit on the decoded bytes (§4.2 Compression, Size). */
function decodeBody(raw: Buffer, encoding: string | undefined, max: number): { text?: string; error?: Reply } {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === 'gzip') {
    let out: Buffer;
    try {
      // maxOutputLength makes an over-limit body fail fast instead of being inflated in full.
      out = gunzipSync(raw, { maxOutputLength: max + 1 });
    } catch (e) {
      if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { error: tooLarge() };
      // A corrupt gzip stream: Splunk's answer is not recorded; code 6 is the closest table entry.
      return { error: hec(400, 6, 'Invalid data format') };
    }
    if (out.length > max) return { text: '', error: tooLarge() };
    return { text: out.toString('utf8') };
  }
  if (enc !== '' && enc !== 'identity') return { text: raw.toString('utf8'), error: unsupportedEncoding() };
  if (raw.length > max) return { text: raw.toString('utf8'), error: tooLarge() };
  return { text: raw.toString('utf8') };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.json) {
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(reply.json));
  } else {
    res.writeHead(reply.status, { 'Content-Type': reply.text!.contentType });
    res.end(reply.text!.body);
  }
}

export async function startHecDouble(opts: { tokens?: Record<string, HecTokenConfig> } = {}): Promise<HecDouble> {
  const state = {
    indexed: [] as HecEvent[],
    requests: [] as HecRequestRecord[],
    tokens: new Map<string, HecTokenConfig>(Object.entries(opts.tokens ?? {})),
    busy: 0,
    // Splunk Enterprise 10.4.3's limit as recorded (protocols.md §4.2, [S42]); Splunk Cloud's is
    // 1 MB: a test of that case sets it
    maxContentLength: 800 * 1024 * 1024,
    ackWithhold: 0,
    ackPolls: 0,
    slow: 0,
    delayMs: 0,
    reset: 0,
  };
  // §4.4: per channel, the next ackId and the ids indexed but not yet reported true
  const channels = new Map<string, { next: number; indexed: Set<number> }>();
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  function channelOf(req: IncomingMessage, url: URL): { error?: Reply; id?: string } {
    const id = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel') ?? undefined;
    if (id === undefined) return { error: hec(400, 10, 'Data channel is missing') };
    if (!GUID.test(id)) return { error: hec(400, 11, 'Invalid data channel') };
    return { id };
  }

  /** One request -> one reply, plus the decoded body text for the record. */
  function handle(req: IncomingMessage, raw: Buffer): { reply: Reply; body: string } {
    const url = new URL(req.url ?? '/', 'http://hec.invalid');
    const path = url.pathname;
    const auth = req.headers.authorization;

    if (HEALTH_PATHS.has(path)) {
      if (req.method !== 'GET') return { reply: wrongMethod(), body: raw.toString('utf8') };
      // §4.1: 10.4.3 answered /health without looking at the token (observed [S42]); §8: 503 code 18 while busy.
      const reply = state.busy > 0 ? hec(503, 18, 'HEC is unhealthy, queues are full') : hec(200, 17, 'HEC is healthy');
      return { reply, body: raw.toString('utf8') };
    }
    if (path === ACK_PATH) {
      if (req.method !== 'POST') return { reply: wrongMethod(), body: raw.toString('utf8') };
      const a = authenticate(auth, url.searchParams, state.tokens);
      const body = raw.toString('utf8');
      if (a.error) return { reply: a.error, body };
      // §4.4 step 5: a token without useACK answers /ack with code 14.
      if (!a.token!.useAck) return { reply: hec(400, 14, 'ACK is disabled'), body };
      const ch = channelOf(req, url);
      if (ch.error) return { reply: ch.error, body };
      let ids: unknown;
      try { ids = (JSON.parse(body) as { acks?: unknown }).acks; } catch { ids = undefined; }
      if (!Array.isArray(ids)) return { reply: hec(400, 6, 'Invalid data format'), body }; // §4.4 step 5 (UNVERIFIED)
      state.ackPolls++;
      const c = channels.get(ch.id!);
      const acks: Record<string, boolean> = {};
      for (const id of ids) {
        // §4.4 step 4: true once, then false; never-issued ids and other channels' ids are false
        const done = c !== undefined && typeof id === 'number' && c.indexed.delete(id);
        acks[String(id)] = done;
      }
      return { reply: { status: 200, json: { acks } }, body };
    }
    if (!EVENT_PATHS.has(path)) return { reply: notFound(), body: raw.toString('utf8') };
    if (req.method !== 'POST') return { reply: wrongMethod(), body: raw.toString('utf8') };

    // §8 "503 code 9 with configurable rate": the next `busy` /event requests are refused whole,
    // before auth and parsing, so the count is exactly "the next N requests". Splunk's order is not recorded.
    if (state.busy > 0) {
      state.busy--;
      return { reply: hec(503, 9, 'Server is busy'), body: raw.toString('utf8') };
    }
    const a = authenticate(auth, url.searchParams, state.tokens);
    if (a.error) return { reply: a.error, body: raw.toString('utf8') };
    let channel: string | undefined;
    if (a.token!.useAck) {
      const ch = channelOf(req, url); // §4.4 step 1: every /event POST of a useACK token carries a channel
      if (ch.error) return { reply: ch.error, body: raw.toString('utf8') };
      channel = ch.id;
    }
    const decoded = decodeBody(raw, req.headers['content-encoding'], state.maxContentLength);
    if (decoded.error) return { reply: decoded.error, body: decoded.text ?? '' };
    const reply = processBatch(decoded.text!, a.token!, state.indexed);
    if (channel !== undefined && reply.status === 200 && reply.json) {
      // §4.4 step 2: ackIds per channel, from 0, increasing
      const c = channels.get(channel) ?? { next: 0, indexed: new Set<number>() };
      channels.set(channel, c);
      const ackId = c.next++;
      if (state.ackWithhold > 0) state.ackWithhold--;
      else c.indexed.add(ackId);
      reply.json = { ...reply.json, ackId };
    }
    return { reply, body: decoded.text! };
  }

  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (raw) => {
        const isEvent = EVENT_PATHS.has(new URL(req.url ?? '/', 'http://hec.invalid').pathname);
        if (isEvent && state.reset > 0) {
          state.reset--;
          req.socket.destroy(); // a reset mid-request: nothing indexed, no answer
          return;
        }
        const { reply, body } = handle(req, raw);
        state.requests.push({
          path: new URL(req.url ?? '/', 'http://hec.invalid').pathname,
          status: reply.status,
          body,
          gzip: (req.headers['content-encoding'] ?? '').trim().toLowerCase() === 'gzip',
          auth: req.headers.authorization,
        });
        if (isEvent && state.slow > 0) {
          state.slow--;
          setTimeout(() => send(res, reply), state.delayMs);
        } else {
          send(res, reply);
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;

  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  });
}
