import type { SplunkHecDestinationConfig } from '../../src/config/types';
import type { Connector, EncodedBatch, Verdict } from '../../src/delivery/connector';
import { createEndpointPicker } from '../shared/endpoints';
import { createHttpClient, headerOf, requestBody, answerText } from '../shared/http-client';
import { randomUUID } from 'node:crypto';
import { createAckTracker, type AckPoll } from './acks';
import { classifyHec, parseReply, type HecAnswer } from './client';
import { encodeHecEvent } from './encode';
import { createBodyBuffers } from '../shared/body-buffers';
import { createSlabs } from '../shared/slabs';


export interface HecTransport {
  event(endpoint: string, body: Buffer, signal: AbortSignal): Promise<HecAnswer>;
  ack: AckPoll;
}

function createHecTransport(cfg: SplunkHecDestinationConfig): HecTransport {
  const client = createHttpClient({ https: cfg.endpoints.some((e) => e.startsWith('https:')), timeoutMs: cfg.timeoutMs, tls: cfg.tls });
  const base: Record<string, string> = { Authorization: `Splunk ${cfg.token}`, 'Content-Type': 'application/json' };
  // one channel for this gateway's life: ackIds are per channel (protocols.md §4.4)
  if (cfg.ack) base['X-Splunk-Request-Channel'] = randomUUID();
  const eventHeaders = cfg.gzip ? { ...base, 'Content-Encoding': 'gzip' } : base;
  return {
    async event(endpoint, body, signal) {
      const data = await requestBody(body, cfg.gzip);
      const res = await client.post(`${endpoint}/services/collector/event`, data, { headers: eventHeaders, signal });
      return { status: res.status, body: answerText(res.data), retryAfter: headerOf(res.headers['retry-after']) };
    },
    async ack(endpoint, ids) {
      const res = await client.post(`${endpoint}/services/collector/ack`, JSON.stringify({ acks: ids }), { headers: base });
      return { status: res.status, body: answerText(res.data) };
    },
  };
}

/**
 * Splunk HEC (`type: splunk_hec`): batches of event objects to `/services/collector/event`, round
 * robin over the endpoints (one that failed is passed over for 30 s), answers classified per event
 * as HEC documents them (client.ts). With `ack: true` a 200 counts only once its ackId is reported
 * indexed (acks.ts); the lane waits meanwhile, so `concurrency` sets how many batches await acks.
 */
export function openSplunkHec(cfg: SplunkHecDestinationConfig, transport: HecTransport = createHecTransport(cfg)): Connector {
  const acks = cfg.ack ? createAckTracker(transport.ack, cfg.ackPollMs, cfg.ackTimeoutMs) : undefined;
  const endpoints = createEndpointPicker(cfg.endpoints);
  let problem: string | undefined;
  const bodies = createBodyBuffers();
  const slabs = createSlabs();

  async function sendRange(b: EncodedBatch, from: number, to: number, signal: AbortSignal, out: Verdict[]): Promise<void> {
    const endpoint = endpoints.pick();
    let answer: HecAnswer;
    const parts = b.encoded.slice(from, to) as Buffer[];
    let bytes = 0;
    for (const p of parts) bytes += p.length;
    const body = bodies.join(parts, bytes);
    try {
      answer = await transport.event(endpoint, body, signal);
    } catch (err) {
      endpoints.failed(endpoint);
      for (let i = from; i < to; i++) out[i] = { outcome: 'retry', reason: `${endpoint}: ${(err as Error).message}` };
      return;
    } finally {
      bodies.give(body);
    }
    const o = classifyHec(answer, to - from, (i) => b.events[from + i].keys.index ?? cfg.index);
    if (o.endpointFailed) endpoints.failed(endpoint);
    else endpoints.answered(endpoint);
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
    const ackId = acks !== undefined && answer.status === 200 ? (parseReply(answer.body) as { ackId?: unknown }).ackId : undefined;
    if (typeof ackId === 'number' && !(await acks!.wait(endpoint, ackId))) {
      for (let i = from; i < to; i++) {
        out[i] = { outcome: 'retry', reason: `${endpoint}: no indexer acknowledgement for ackId ${ackId} within ${cfg.ackTimeoutMs} ms; sent again`, delayMs: 0 };
      }
      return;
    }
    for (let i = from; i < to; i++) out[i] = o.verdicts[i - from];
  }

  return {
    target: cfg.endpoints.join(', '),
    encode: (ev) => encodeHecEvent(ev, cfg, slabs.room),
    release: (encoded) => slabs.release(encoded),
    async send(batch, signal) {
      const out: Verdict[] = new Array(batch.events.length);
      await sendRange(batch, 0, batch.events.length, signal, out);
      return out;
    },
    misconfigured: () => problem ?? acks?.problem(),
    async close() { acks?.close(); },
  };
}
