import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { SplunkHecDestinationConfig } from '../../src/config/types';
import type { Connector, EncodedBatch, Verdict } from '../../src/delivery/connector';
import { createHttpClient, headerOf } from '../shared/http-client';
import { classifyHec, type HecAnswer } from './client';
import { encodeHecEvent } from './encode';

const gzipAsync = promisify(gzip);
/** How long an endpoint that failed is passed over while another one answers. */
const ENDPOINT_COOLDOWN_MS = 30_000;

export type HecPost = (endpoint: string, body: Buffer, signal: AbortSignal) => Promise<HecAnswer>;

function createHecPost(cfg: SplunkHecDestinationConfig): HecPost {
  const client = createHttpClient({ https: cfg.endpoints.some((e) => e.startsWith('https:')), timeoutMs: cfg.timeoutMs, tls: cfg.tls });
  const headers: Record<string, string> = { Authorization: `Splunk ${cfg.token}`, 'Content-Type': 'application/json' };
  if (cfg.gzip) headers['Content-Encoding'] = 'gzip';
  return async (endpoint, body, signal) => {
    const data = cfg.gzip ? await gzipAsync(body, { level: 1 }) : body;
    const res = await client.post(`${endpoint}/services/collector/event`, data, { headers, signal });
    return { status: res.status, body: typeof res.data === 'string' ? res.data : String(res.data ?? ''), retryAfter: headerOf(res.headers['retry-after']) };
  };
}

/**
 * Splunk HEC (`type: splunk_hec`): batches of event objects to `/services/collector/event`, round
 * robin over the endpoints (one that failed is passed over for 30 s), answers classified per event
 * as HEC documents them (client.ts). Indexer acknowledgement (`ack: true`) is not built yet.
 */
export function openSplunkHec(cfg: SplunkHecDestinationConfig, post: HecPost = createHecPost(cfg)): Connector {
  let next = 0;
  const failedUntil = new Map<string, number>();
  let problem: string | undefined;

  function pickEndpoint(): string {
    const now = Date.now();
    for (let k = 0; k < cfg.endpoints.length; k++) {
      const e = cfg.endpoints[(next + k) % cfg.endpoints.length];
      if ((failedUntil.get(e) ?? 0) <= now) {
        next = (next + k + 1) % cfg.endpoints.length;
        return e;
      }
    }
    const e = cfg.endpoints[next]; // all failing: keep rotating
    next = (next + 1) % cfg.endpoints.length;
    return e;
  }

  async function sendRange(b: EncodedBatch, from: number, to: number, signal: AbortSignal, out: Verdict[]): Promise<void> {
    const endpoint = pickEndpoint();
    let answer: HecAnswer;
    try {
      answer = await post(endpoint, Buffer.concat(b.encoded.slice(from, to) as Buffer[]), signal);
    } catch (err) {
      failedUntil.set(endpoint, Date.now() + ENDPOINT_COOLDOWN_MS);
      for (let i = from; i < to; i++) out[i] = { outcome: 'retry', reason: `${endpoint}: ${(err as Error).message}` };
      return;
    }
    const o = classifyHec(answer, to - from, (i) => b.events[from + i].keys.index ?? cfg.index);
    if (o.endpointFailed) failedUntil.set(endpoint, Date.now() + ENDPOINT_COOLDOWN_MS);
    else failedUntil.delete(endpoint);
    problem = o.misconfigured;
    if (o.verdicts === 'split') {
      if (to - from === 1) {
        out[from] = { outcome: 'reject', reason: `HEC 413 from ${endpoint}: the event is larger than the HEC's max_content_length`, response: answer.body };
        return;
      }
      const mid = (from + to) >> 1;
      await sendRange(b, from, mid, signal, out);
      await sendRange(b, mid, to, signal, out);
      return;
    }
    for (let i = from; i < to; i++) out[i] = o.verdicts[i - from];
  }

  return {
    target: cfg.endpoints.join(', '),
    encode: (ev) => encodeHecEvent(ev, cfg),
    async send(batch, signal) {
      const out: Verdict[] = new Array(batch.events.length);
      await sendRange(batch, 0, batch.events.length, signal, out);
      return out;
    },
    misconfigured: () => problem,
    async close() { /* idle keep-alive sockets close with the agent */ },
  };
}
