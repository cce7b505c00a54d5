import { E, type SiemgateError } from '../errors';
import { readCredential } from './http-auth';
import { noteAuthFailure, receiveBody, requestPeer, type HttpContext } from './http-context';
import { BUSY_RETRY_AFTER_S, replyError, replyJson, type Exchange } from './http-reply';
import { findJsonError, jsonErrorReason, lineColumn, scanArrayElements, scanValueEnd, skipSpace } from '../parse/json-scan';
import { FLAG_JSON } from './types';

/** The objects of a body as byte ranges, or what is wrong and where. */
export type SplitResult = { ranges: Array<[number, number]> } | { error: SiemgateError };

const LF = 0x0a;

/**
 * POST /v1/events: a JSON object, a JSON array of objects, or NDJSON (Content-Type
 * application/x-ndjson, or by content: a one-line object followed by more). Each object goes to
 * the sink as its own JSON bytes with FLAG_JSON. All or nothing per request: one bad line or
 * element ⇒ 400 naming it and nothing accepted, so a client can fix and resend the whole
 * request without duplicates. 200 {"accepted":N} only after sink.flush().
 */
export async function handleEvents(ctx: HttpContext, ex: Exchange, path: string): Promise<void> {
  const { req } = ex;
  if (req.method !== 'POST') {
    replyError(ex, 405, E.HTTP_METHOD(req.method ?? '?', path, 'POST'), { Allow: 'POST' });
    return;
  }
  if (!ctx.isOpen && !authorized(ctx, ex, path)) return;
  if (ctx.sink.isPaused()) {
    // The pipeline is behind: refuse before reading the body; the client retries (nothing taken).
    ctx.counters.httpBusy++;
    replyError(ex, 503, E.HTTP_BUSY(BUSY_RETRY_AFTER_S), { 'Retry-After': String(BUSY_RETRY_AFTER_S) });
    return;
  }
  const body = await receiveBody(ctx, ex, {
    unsupportedEncoding: (name) => replyError(ex, 415, E.HTTP_ENCODING(name)),
    tooLarge: () => replyError(ex, 413, E.HTTP_BODY_TOO_LARGE(ctx.cfg.maxBodyBytes)),
    badGzip: (why) => replyError(ex, 400, E.HTTP_BAD_GZIP(why)),
  });
  if (!body) return;
  const peer = requestPeer(ctx, req);
  const split = skipSpace(body, 0) === body.length
    ? { error: E.HTTP_EMPTY_BODY() }
    : splitEvents(body, isNdjsonType(req.headers['content-type']));
  if ('error' in split) {
    ctx.counters.httpBadRequests++;
    ctx.sink.reject(peer, 'bad_event', 1, split.error.message);
    replyError(ex, 400, split.error);
    return;
  }
  for (const [s, e] of split.ranges) ctx.sink.message(peer, body, s, e, FLAG_JSON);
  try {
    await ctx.sink.flush();
  } catch (err) {
    replyError(ex, 500, E.HTTP_INTERNAL((err as Error).message));
    return;
  }
  replyJson(ex, 200, `{"accepted":${split.ranges.length}}`);
}

function authorized(ctx: HttpContext, ex: Exchange, path: string): boolean {
  const cred = readCredential(ex.req.headers.authorization);
  let err: SiemgateError | undefined;
  let challenge = 'Bearer realm="siemgate"';
  if (cred.kind === 'absent') {
    err = E.HTTP_AUTH_REQUIRED();
  } else if (cred.kind === 'malformed' || cred.scheme === 'basic') {
    err = E.HTTP_AUTH_INVALID(`the Authorization header is not "Bearer <token>"`);
    challenge += ', error="invalid_request"';
  } else if (ctx.tokens.match(cred.token) === undefined) {
    err = E.HTTP_AUTH_INVALID('the token is not one configured for this input');
    challenge += ', error="invalid_token"';
  }
  if (!err) return true;
  noteAuthFailure(ctx, ex.req, path, err.code);
  replyError(ex, 401, err, { 'WWW-Authenticate': challenge });
  return false;
}

export function isNdjsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.split(';')[0].trim().toLowerCase();
  return t === 'application/x-ndjson' || t === 'application/ndjson' || t === 'application/jsonl' || t === 'application/x-jsonlines';
}

/** Splits a non-empty body into its objects (see handleEvents). */
export function splitEvents(body: Buffer, isNdjson: boolean): SplitResult {
  if (isNdjson) return splitNdjson(body);
  const start = skipSpace(body, 0);
  const first = body[start];
  if (first === 0x5b /* [ */) return splitArray(body, start);
  if (first === 0x7b /* { */) {
    const end = scanValueEnd(body, start);
    if (end > 0) {
      const after = skipSpace(body, end);
      if (after === body.length) return single(body, start, end);
      // A one-line object followed by more: NDJSON sent as application/json.
      if (body.indexOf(LF, start) >= end) return splitNdjson(body);
    }
  }
  return single(body, start, body.length);
}

function single(body: Buffer, start: number, end: number): SplitResult {
  const text = body.toString('utf8');
  try {
    const v: unknown = JSON.parse(text);
    if (!isPlainObject(v)) return { error: E.HTTP_NOT_OBJECT('the body', describe(v)) };
    return { ranges: [[start, end]] };
  } catch (err) {
    const found = findJsonError(text);
    if (!found) return { error: E.HTTP_BAD_JSON('the body', jsonErrorReason((err as Error).message)) };
    const { line, column } = lineColumn(text, found.pos);
    return { error: E.HTTP_BAD_JSON(`line ${line} column ${column}`, found.reason) };
  }
}

function splitNdjson(body: Buffer): SplitResult {
  const ranges: Array<[number, number]> = [];
  let lineNo = 0;
  for (let pos = 0; pos < body.length;) {
    lineNo++;
    let lf = body.indexOf(LF, pos);
    if (lf < 0) lf = body.length;
    let s = pos;
    let e = lf;
    while (s < e && isSpace(body[s])) s++;
    while (e > s && isSpace(body[e - 1])) e--;
    pos = lf + 1;
    if (s === e) continue;
    const text = body.toString('utf8', s, e);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      const found = findJsonError(text);
      const loc = found ? `line ${lineNo} column ${found.pos + 1}` : `line ${lineNo}`;
      return { error: E.HTTP_BAD_JSON(loc, found ? found.reason : jsonErrorReason((err as Error).message)) };
    }
    if (!isPlainObject(v)) return { error: E.HTTP_NOT_OBJECT(`line ${lineNo}`, describe(v)) };
    ranges.push([s, e]);
  }
  return { ranges };
}

function splitArray(body: Buffer, start: number): SplitResult {
  const text = body.toString('utf8');
  let arr: unknown;
  try {
    arr = JSON.parse(text);
  } catch (err) {
    const found = findJsonError(text);
    if (!found) return { error: E.HTTP_BAD_JSON('the body', jsonErrorReason((err as Error).message)) };
    const byte = Buffer.byteLength(text.slice(0, found.pos));
    const { ranges } = scanArrayElements(body, start);
    let idx = ranges.findIndex(([, e]) => byte < e);
    if (idx < 0) idx = ranges.length;
    const { line, column } = lineColumn(text, found.pos);
    return { error: E.HTTP_BAD_JSON(`array index ${idx} (line ${line} column ${column})`, found.reason) };
  }
  if (!Array.isArray(arr)) return { error: E.HTTP_NOT_OBJECT('the body', describe(arr)) };
  const bad = arr.findIndex((v) => !isPlainObject(v));
  if (bad >= 0) return { error: E.HTTP_NOT_OBJECT(`array index ${bad}`, describe(arr[bad])) };
  const { ranges, complete } = scanArrayElements(body, start);
  // JSON.parse accepted it, so the structural scan agrees; this guards the invariant.
  if (!complete || ranges.length !== arr.length) return { error: E.HTTP_BAD_JSON('the body', 'array structure not understood') };
  return { ranges };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
