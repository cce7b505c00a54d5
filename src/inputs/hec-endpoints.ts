import { isPlainObject } from './events-endpoint';
import { readCredential } from './http-auth';
import { noteAuthFailure, receiveBody, requestPeer, type HttpContext } from './http-context';
import { BUSY_RETRY_AFTER_S, replyJson, type Exchange } from './http-reply';
import { HEC, hecEventError, hecTooLarge, hecUnsupportedEncoding, type HecEventCode } from './hec-replies';
import { scanValueEnd, skipSpace } from '../parse/json-scan';
import { FLAG_JSON, type Peer, type SenderMeta } from './types';

/**
 * Splunk HEC-compatible endpoints, so an existing HEC sender can point here unchanged
 * (protocols.md §4). No indexer acknowledgement yet: a channel is accepted and ignored, and
 * replies carry no ackId.
 */
const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const RAW_PATHS = new Set(['/services/collector/raw', '/services/collector/raw/1.0']);
const HEALTH_PATHS = new Set(['/services/collector/health', '/services/collector/health/1.0']);
const ACK_PATHS = new Set(['/services/collector/ack', '/services/collector/ack/1.0']);

const LF = 0x0a;
const CR = 0x0d;

type Reply = { status: number; body: string };

function send(ex: Exchange, r: Reply): void {
  replyJson(ex, r.status, r.body);
}

export async function handleHec(ctx: HttpContext, ex: Exchange, path: string, query: URLSearchParams): Promise<void> {
  const { req } = ex;
  const kind = EVENT_PATHS.has(path) ? 'event' : RAW_PATHS.has(path) ? 'raw' : HEALTH_PATHS.has(path) ? 'health' : ACK_PATHS.has(path) ? 'ack' : undefined;
  if (kind === undefined) { send(ex, HEC.notFound); return; }
  if (kind === 'health') {
    // Splunk 10.4.3 answers health without looking at the token (protocols.md §4.1).
    if (req.method !== 'GET' && req.method !== 'HEAD') send(ex, HEC.methodNotAllowed);
    else send(ex, ctx.sink.isPaused() ? HEC.unhealthyQueuesFull : HEC.healthy);
    return;
  }
  if (req.method !== 'POST') { send(ex, HEC.methodNotAllowed); return; }
  if (!ctx.isOpen) {
    const refusal = authRefusal(ctx, ex, query);
    if (refusal) {
      noteAuthFailure(ctx, req, path, refusal.body);
      send(ex, refusal);
      return;
    }
  }
  // Our tokens work as Splunk's with indexer acknowledgement off: a 200 means journaled (fsync
  // policy permitting). A sender set to useACK learns so from code 14 and stops polling (§4.3).
  if (kind === 'ack') { send(ex, HEC.ackDisabled); return; }
  if (ctx.sink.isPaused()) {
    // The pipeline is behind: say so before reading the body, as Splunk does when its queues are
    // full; HEC senders back off and retry on 503 (protocols.md §4.3, code 9).
    ctx.counters.httpBusy++;
    replyJson(ex, HEC.busy.status, HEC.busy.body, { 'Retry-After': String(BUSY_RETRY_AFTER_S) });
    return;
  }
  const body = await receiveBody(ctx, ex, {
    unsupportedEncoding: (name) => replyJson(ex, 415, hecUnsupportedEncoding(name)),
    tooLarge: () => replyJson(ex, 413, hecTooLarge(ctx.cfg.maxBodyBytes)),
    badGzip: () => send(ex, HEC.invalidDataFormat),
  });
  if (!body) return;
  const peer = requestPeer(ctx, req);
  const outcome = kind === 'event' ? takeEnvelopes(ctx, peer, body) : takeRaw(ctx, peer, body, query);
  if (outcome.kind === 'no_data') {
    ctx.counters.httpBadRequests++;
    send(ex, HEC.noData);
    return;
  }
  // Objects before a bad one were handed over: make them durable before answering either way.
  try {
    await ctx.sink.flush();
  } catch {
    send(ex, HEC.internalError);
    return;
  }
  if (outcome.kind === 'bad_event') {
    ctx.counters.httpBadRequests++;
    ctx.sink.reject(peer, 'bad_event', 1,
      `HEC object ${outcome.index} refused with code ${outcome.code}; ${outcome.index} before it accepted, those after it not read`);
    replyJson(ex, 400, hecEventError(outcome.code, outcome.index));
    return;
  }
  send(ex, HEC.success);
}

/** HEC's auth answers: code 2 (no header), 16 (?token= only), 3 (not Splunk/Basic), 4 (unknown token). */
function authRefusal(ctx: HttpContext, ex: Exchange, query: URLSearchParams): Reply | undefined {
  const cred = readCredential(ex.req.headers.authorization);
  if (cred.kind === 'absent') return query.has('token') ? HEC.queryAuthDisabled : HEC.tokenRequired;
  if (cred.kind === 'malformed' || cred.scheme === 'bearer') return HEC.invalidAuthorization;
  return ctx.tokens.match(cred.token) === undefined ? HEC.invalidToken : undefined;
}

export type HecOutcome =
  | { kind: 'ok'; accepted: number }
  | { kind: 'no_data' }
  | { kind: 'bad_event'; index: number; code: HecEventCode };

/**
 * /event: concatenated JSON envelopes (`{..}{..}` or newline-separated, not an array). As
 * Splunk does, the objects before a bad one are taken, the bad one and all after it are not.
 */
export function takeEnvelopes(ctx: HttpContext, peer: Peer, body: Buffer): HecOutcome {
  let pos = skipSpace(body, 0);
  if (pos === body.length) return { kind: 'no_data' };
  let index = 0;
  for (; pos < body.length; index++) {
    if (body[pos] !== 0x7b /* { */) return { kind: 'bad_event', index, code: 6 };
    const end = scanValueEnd(body, pos);
    if (end < 0) return { kind: 'bad_event', index, code: 6 };
    let envelope: unknown;
    try {
      envelope = JSON.parse(body.toString('utf8', pos, end));
    } catch {
      return { kind: 'bad_event', index, code: 6 };
    }
    const checked = readEnvelope(envelope);
    if (typeof checked === 'number') return { kind: 'bad_event', index, code: checked };
    const bytes = Buffer.from(checked.text, 'utf8');
    ctx.sink.message(peer, bytes, 0, bytes.length, checked.flags, checked.meta);
    pos = skipSpace(body, end);
  }
  return { kind: 'ok', accepted: index };
}

/**
 * One envelope ⇒ the text to hand over, its flags and metadata, or the HEC error code.
 * `event`: missing ⇒ 12; blank string ⇒ 13; null or a boolean ⇒ 6 (documented types are
 * string, number, object; Splunk 10.4.3 also took `[]` and `0`). A string goes over as text
 * (parsed like a syslog line), anything else as its JSON text with FLAG_JSON. `fields` must be
 * a flat object (values scalar or arrays of scalars) ⇒ else 15. `time` is taken when a number
 * or numeric string and ignored otherwise (receipt time is used).
 */
export function readEnvelope(envelope: unknown): { text: string; flags: number; meta: SenderMeta } | HecEventCode {
  if (!isPlainObject(envelope)) return 6;
  if (!Object.prototype.hasOwnProperty.call(envelope, 'event')) return 12;
  const event = envelope.event;
  if (event === null || event === undefined || typeof event === 'boolean') return 6;
  if (typeof event === 'string' && event.trim() === '') return 13;
  const meta: SenderMeta = {};
  if (envelope.fields !== undefined) {
    if (!isFlatFields(envelope.fields)) return 15;
    meta.fields = envelope.fields;
  }
  const time = envelope.time;
  if (typeof time === 'number' && Number.isFinite(time)) meta.time = time;
  else if (typeof time === 'string' && time.trim() !== '' && Number.isFinite(Number(time))) meta.time = Number(time);
  const host = metaString(envelope.host);
  if (host !== undefined) meta.host = host;
  const source = metaString(envelope.source);
  if (source !== undefined) meta.source = source;
  const sourcetype = metaString(envelope.sourcetype);
  if (sourcetype !== undefined) meta.sourcetype = sourcetype;
  const index = metaString(envelope.index);
  if (index !== undefined) meta.index = index;
  if (typeof event === 'string') return { text: event, flags: 0, meta };
  let text: string;
  try {
    text = JSON.stringify(event);
  } catch {
    // nested deeper than the stack allows (JSON.parse took it): bad data in this object, as
    // Splunk would answer, so that the objects before it stay taken and are not sent again
    return 6;
  }
  return { text, flags: FLAG_JSON, meta };
}

function metaString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function isFlatFields(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (isScalar(x)) continue;
    if (Array.isArray(x) && x.every(isScalar)) continue;
    return false;
  }
  return true;
}

/**
 * /raw: the body split on LF (a CR before it dropped, blank lines skipped), each line one event
 * with flags 0; metadata from the query string (host, source, sourcetype, index; channel is
 * accepted and ignored). Lines go over as views of the body, no copy.
 */
export function takeRaw(ctx: HttpContext, peer: Peer, body: Buffer, query: URLSearchParams): HecOutcome {
  const meta: SenderMeta = {};
  for (const key of ['host', 'source', 'sourcetype', 'index'] as const) {
    const v = query.get(key);
    if (v !== null && v !== '') meta[key] = v;
  }
  let accepted = 0;
  for (let pos = 0; pos < body.length;) {
    let lf = body.indexOf(LF, pos);
    if (lf < 0) lf = body.length;
    let end = lf;
    if (end > pos && body[end - 1] === CR) end--;
    if (skipSpace(body, pos, end) < end) {
      ctx.sink.message(peer, body, pos, end, 0, meta);
      accepted++;
    }
    pos = lf + 1;
  }
  return accepted === 0 ? { kind: 'no_data' } : { kind: 'ok', accepted };
}
