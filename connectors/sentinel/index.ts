import { hostname } from 'node:os';
import type { SentinelDestinationConfig } from '../../src/config/types';
import type { Connector, EncodedBatch, Verdict } from '../../src/delivery/connector';
import { classifyIngestion, createSentinelTransport, type IngestAnswer, type SentinelTransport } from './client';
import { createRowEncoder, noRouteReason, NO_ROW } from './encode';
import { aloneBytes, arrayBody, MAX_REQUEST_BYTES, packRows } from './request-body';
import { createTokenSource, isTokenFailure, redact } from './token';
import { createBodyBuffers } from '../shared/body-buffers';

export type { SentinelTransport } from './client';

/** Rows refused one by one for the same reason before the destination is shown down for it. */
const SAME_REFUSALS = 16;

/** Problems keyed by what they are about: the token, every stream (`auth`), or one stream. */
type ProblemKey = 'token' | 'auth' | string;

/**
 * Microsoft Sentinel (`type: sentinel`): rows shaped as the Syslog, CommonSecurityLog or ECS
 * tables (encode.ts) POSTed to the DCR's input streams through the Logs Ingestion API
 * (protocols.md §6.2). A batch holds rows for several streams: one request per stream, each a JSON
 * array of at most 1,000,000 bytes before gzip (request-body.ts). Answers are classified in
 * client.ts; a 413 or a 400 is halved until the row at fault stands alone and is rejected, so one
 * bad row does not take its neighbours to the dead letters.
 */
export function openSentinel(cfg: SentinelDestinationConfig, transport: SentinelTransport = createSentinelTransport(cfg)): Connector {
  const rows = createRowEncoder(cfg, hostname());
  const tokens = createTokenSource(transport.token, cfg);
  const problems = new Map<ProblemKey, string>();
  const refusedInARow = new Map<string, { reason: string; n: number }>();
  const bodies = createBodyBuffers();

  /** POST with the current token; a 401 gets one forced refresh (token.ts) and one resend. */
  async function post(stream: string, body: Buffer, signal: AbortSignal): Promise<IngestAnswer> {
    let token = await tokens.get(signal);
    let a = await transport.ingest(stream, body, token, signal);
    if (a.status === 401) {
      const fresh = await tokens.refreshAfter401(token, signal);
      if (fresh !== undefined) {
        token = fresh;
        a = await transport.ingest(stream, body, token, signal);
      }
    }
    if (a.status >= 200 && a.status < 300) tokens.accepted(token);
    return a;
  }

  return {
    target: `${cfg.endpoint}/dataCollectionRules/${cfg.dcrImmutableId}`,
    encode: (ev) => rows.encode(ev),
    release: (encoded) => rows.release(encoded),
    async send(batch, signal) {
      const out: Verdict[] = new Array(batch.events.length);
      const byStream = new Map<string, number[]>();
      for (let i = 0; i < batch.events.length; i++) {
        const ev = batch.events[i];
        const route = rows.routes[ev.format];
        const row = batch.encoded[i];
        if (route === undefined) out[i] = { outcome: 'reject', reason: noRouteReason(ev.format) };
        else if (row === NO_ROW || row.length === 0) out[i] = { outcome: 'reject', reason: 'the journal record\'s document is not a JSON object; it cannot become a row' };
        else if (aloneBytes(row) > MAX_REQUEST_BYTES) {
          out[i] = { outcome: 'reject', reason: `the ${route.kind} row is ${row.length} bytes; a Logs Ingestion API call takes at most ${MAX_REQUEST_BYTES} bytes` };
        } else {
          const list = byStream.get(route.stream);
          if (list === undefined) byStream.set(route.stream, [i]);
          else list.push(i);
        }
      }
      const state: SendState = { batch, out, signal };
      for (const [stream, idx] of byStream) {
        for (const run of packRows(batch.encoded, idx)) await sendRun(state, stream, run);
      }
      return out;
    },
    misconfigured() {
      for (const p of problems.values()) return p;
      return undefined;
    },
    async close() { /* nothing held open beyond keep-alive sockets, which do not keep the process alive */ },
  };

  /**
   * Rows of a stream refused alone, one after another, for the same reason, with nothing delivered
   * in between (refusedInARow). Past SAME_REFUSALS the destination is shown down with the likely
   * cause: a 400 about every row is rather the DCR than the rows (its stream declaration not
   * matching ours). They are still dead-lettered, not held: holding them would stall the stream on
   * rows that are bad.
   */
  function noteRefusal(stream: string, reason: string): void {
    const r = refusedInARow.get(stream);
    const n = r !== undefined && r.reason === reason ? r.n + 1 : 1;
    refusedInARow.set(stream, { reason, n });
    if (n >= SAME_REFUSALS) {
      problems.set(stream, `${reason}: the last ${n} rows were refused one by one for the same reason; the DCR's declaration of ${stream} likely does not match the rows siemgate sends (compare it with docs/sentinel/*.json). They are in the dead letters: replay them once it is fixed`);
    } else if (n === 1) {
      problems.delete(stream);
    }
  }

  interface SendState {
    batch: EncodedBatch;
    out: Verdict[];
    signal: AbortSignal;
    /** Set when the service is busy or unreachable: the batch's remaining requests wait with it. */
    holdAll?: Verdict;
  }

  async function sendRun(st: SendState, stream: string, idx: number[]): Promise<void> {
    const { batch, out } = st;
    const all = (v: Verdict) => { for (const i of idx) out[i] = v; };
    if (st.holdAll !== undefined) return all(st.holdAll);
    let answer: IngestAnswer;
    const body = arrayBody(batch.encoded, idx, bodies.join);
    try {
      answer = await post(stream, body, st.signal);
    } catch (err) {
      if (isTokenFailure(err)) {
        if (err.permanent) problems.set('token', err.message);
        st.holdAll = { outcome: 'retry', reason: err.message, delayMs: err.delayMs };
      } else {
        st.holdAll = { outcome: 'retry', reason: redact(`${cfg.endpoint}: ${(err as Error).message}`, cfg) };
      }
      return all(st.holdAll);
    } finally {
      bodies.give(body);
    }
    problems.delete('token');
    const o = classifyIngestion(answer, { stream, dcrImmutableId: cfg.dcrImmutableId, clientId: cfg.clientId, apiVersion: cfg.apiVersion });
    switch (o.kind) {
      case 'delivered':
        problems.delete('auth');
        problems.delete(stream);
        refusedInARow.delete(stream);
        return all({ outcome: 'delivered' });
      case 'split':
      case 'bad-rows': {
        problems.delete('auth'); // the service read the body: the token and the stream are fine
        if (o.kind === 'split') problems.delete(stream);
        if (idx.length === 1) {
          const reason = o.kind === 'split' ? `${o.reason}: this row alone (${batch.encoded[idx[0]].length} bytes) is more than the service takes` : o.reason;
          if (o.kind === 'bad-rows') noteRefusal(stream, o.reason);
          return all({ outcome: 'reject', reason, response: answer.body });
        }
        const mid = idx.length >> 1;
        await sendRun(st, stream, idx.slice(0, mid));
        await sendRun(st, stream, idx.slice(mid));
        return;
      }
      case 'retry': {
        const v: Verdict = { outcome: 'retry', reason: o.reason, delayMs: o.delayMs };
        if (o.misconfigured !== undefined) problems.set(answer.status === 401 ? 'auth' : stream, o.misconfigured);
        if (o.busy) st.holdAll = v;
        return all(v);
      }
    }
  }
}
