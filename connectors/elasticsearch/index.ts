import type { ElasticsearchDestinationConfig } from '../../src/config/types';
import type { Connector, EncodedBatch, Verdict } from '../../src/delivery/connector';
import { classifyBulk, createEsTransport, credentialOf, shownEndpoint, type BulkContext, type EsTransport } from './client';
import { createBulkEncoder } from './encode';
import { createBodyBuffers } from '../shared/body-buffers';
import { createEndpointPicker } from '../shared/endpoints';

export type { EsAnswer, EsTransport } from './client';


export interface ElasticsearchConnector extends Connector {
  /**
   * Events Elasticsearch already held (409 on `create` with their `_id`): a resend after a crash
   * or a timed-out request. Counted as delivered; this says how many of those were duplicates.
   */
  duplicates(): number;
}

/**
 * Elasticsearch (`type: elasticsearch`): `_bulk` `create` actions into data streams
 * `logs-<dataset>-<namespace>` (encode.ts), round robin over the endpoints (one that failed is
 * passed over for 30 s while others answer), answers classified per item (client.ts). A 413 halves
 * the request until it fits; a single event that still does not fit is rejected.
 */
export function openElasticsearch(cfg: ElasticsearchDestinationConfig, transport: EsTransport = createEsTransport(cfg)): ElasticsearchConnector {
  const encoder = createBulkEncoder(cfg);
  const credential = credentialOf(cfg);
  const endpoints = createEndpointPicker(cfg.endpoints);
  let problem: string | undefined;
  let duplicates = 0;
  const bodies = createBodyBuffers();

  async function sendRange(b: EncodedBatch, from: number, to: number, signal: AbortSignal, out: Verdict[]): Promise<void> {
    const endpoint = endpoints.pick();
    const shown = shownEndpoint(endpoint);
    const parts = b.encoded.slice(from, to) as Buffer[];
    let bytes = 0;
    for (const p of parts) bytes += p.length;
    let answer;
    const body = bodies.join(parts, bytes);
    try {
      answer = await transport.bulk(endpoint, body, signal);
    } catch (err) {
      endpoints.failed(endpoint);
      for (let i = from; i < to; i++) out[i] = { outcome: 'retry', reason: `${shown}: ${(err as Error).message}` };
      return;
    } finally {
      bodies.give(body);
    }
    const ctx: BulkContext = { credential, namespace: cfg.namespace, pipeline: cfg.pipeline, streamOf: (i) => encoder.dataStreamOf(b.events[from + i]) };
    const o = classifyBulk(answer, to - from, ctx);
    if (o.endpointFailed) endpoints.failed(endpoint);
    else endpoints.answered(endpoint);
    problem = o.misconfigured === undefined ? undefined : `${shown}: ${o.misconfigured}`;
    duplicates += o.duplicates;
    if (o.verdicts === 'split') {
      if (to - from === 1) {
        out[from] = {
          outcome: 'reject',
          reason: `Elasticsearch 413 from ${shown}: the event (${bytes} bytes as a _bulk item) is larger than the cluster's http.max_content_length; raise that setting or lower the input's max_message_bytes`,
          response: answer.body,
        };
        return;
      }
      const mid = (from + to) >> 1;
      await sendRange(b, from, mid, signal, out);
      await sendRange(b, mid, to, signal, out);
      return;
    }
    for (let i = from; i < to; i++) {
      const v = o.verdicts[i - from];
      out[i] = v.outcome === 'retry' ? { ...v, reason: `${shown}: ${v.reason}` } : v;
    }
  }

  return {
    target: cfg.endpoints.map(shownEndpoint).join(', '),
    encode: (ev) => encoder.encode(ev),
    release: (encoded) => encoder.release(encoded),
    async send(batch, signal) {
      const out: Verdict[] = new Array(batch.events.length);
      await sendRange(batch, 0, batch.events.length, signal, out);
      return out;
    },
    misconfigured: () => problem,
    duplicates: () => duplicates,
    counters: () => ({ already_indexed: duplicates }),
    async close() { /* keep-alive sockets are unref'd by the agent; nothing else is held */ },
  };
}
