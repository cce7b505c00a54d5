import type { HttpDestinationConfig } from '../../src/config/types';
import { createHttpClient, headerOf, requestBody, answerText } from '../shared/http-client';
import { parseRetryAfter } from '../../src/delivery/backoff';
import type { Verdict } from '../../src/delivery/connector';


export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

/** One POST of an NDJSON body; the answer as it came (status, body), or a thrown network error. */
export type PostFn = (body: Buffer, signal: AbortSignal) => Promise<HttpAnswer>;

export function createPost(cfg: HttpDestinationConfig): PostFn {
  const client = createHttpClient({ https: cfg.url.startsWith('https:'), timeoutMs: cfg.timeoutMs, tls: cfg.tls });
  const headers: Record<string, string> = { ...cfg.headers, 'Content-Type': 'application/x-ndjson' };
  if (cfg.token) headers.Authorization = `Bearer ${cfg.token}`;
  if (cfg.gzip) headers['Content-Encoding'] = 'gzip';
  return async (body, signal) => {
    const data = await requestBody(body, cfg.gzip);
    const res = await client.post(cfg.url, data, { headers, signal });
    return { status: res.status, body: answerText(res.data), retryAfter: headerOf(res.headers['retry-after']) };
  };
}

/**
 * What an answer means for the events of the request. 2xx: delivered. 408, 429 and 5xx: the
 * destination is busy or broken, retry (after Retry-After if given). 401/403: our credentials,
 * not the events: retry, and the destination is down until fixed. Other 4xx: the request itself
 * was refused; the caller splits the batch to find the events at fault.
 */
export function classify(a: HttpAnswer): Verdict | 'split' {
  const s = a.status;
  if (s >= 200 && s < 300) return { outcome: 'delivered' };
  const said = a.body ? `: ${a.body.slice(0, 300)}` : '';
  if (s === 408 || s === 429 || s >= 500) {
    return { outcome: 'retry', reason: `HTTP ${s}${said}`, delayMs: parseRetryAfter(a.retryAfter) };
  }
  if (s === 401 || s === 403) return { outcome: 'retry', reason: `HTTP ${s}: the destination refused our credentials${said}; check token/token_file` };
  return 'split';
}
