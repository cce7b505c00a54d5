import type { HttpDestinationConfig } from '../../src/config/types';
import type { Connector, EncodedBatch, Verdict } from '../../src/delivery/connector';
import { classify, createPost, type PostFn } from './client';

/**
 * A generic HTTP destination: each batch POSTed as NDJSON (one ECS document a line). A 4xx that
 * is about the request (400, 413, 422...) is answered by splitting the batch in halves until the
 * events at fault are alone: those are dead-lettered with the destination's answer, the rest
 * delivered. One bad event never holds back or takes down the others.
 */
const NL = Buffer.from('\n');

export function openHttpDestination(cfg: HttpDestinationConfig, post: PostFn = createPost(cfg)): Connector {
  let authProblem: string | undefined;

  async function sendRange(b: EncodedBatch, from: number, to: number, signal: AbortSignal, out: Verdict[]): Promise<void> {
    const parts: Buffer[] = [];
    for (let i = from; i < to; i++) parts.push(b.encoded[i], NL);
    const body = Buffer.concat(parts);
    const answer = await post(body, signal);
    authProblem = answer.status === 401 || answer.status === 403 ? `HTTP ${answer.status} from ${cfg.url}: check token` : undefined;
    const v = classify(answer);
    if (v !== 'split') {
      for (let i = from; i < to; i++) out[i] = v;
      return;
    }
    if (to - from === 1) {
      out[from] = { outcome: 'reject', reason: `HTTP ${answer.status} from ${cfg.url}`, response: answer.body.slice(0, 4096) };
      return;
    }
    const mid = (from + to) >> 1;
    await sendRange(b, from, mid, signal, out);
    await sendRange(b, mid, to, signal, out);
  }

  return {
    target: cfg.url,
    // the document's bytes as the journal holds them (a view); newlines go in when the body is joined
    encode: (ev) => ev.doc,
    async send(batch, signal) {
      const out: Verdict[] = new Array(batch.events.length);
      await sendRange(batch, 0, batch.events.length, signal, out);
      return out;
    },
    misconfigured: () => authProblem,
    async close() { /* keep-alive sockets are unref'd by the agent when idle */ },
  };
}
