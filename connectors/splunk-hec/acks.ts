import { parseReply } from './client';

/** Polls /services/collector/ack for one endpoint's channel: ids in, whether each is indexed out. */
export type AckPoll = (endpoint: string, ids: number[]) => Promise<{ status: number; body: string }>;

/**
 * Indexer acknowledgement (protocols.md §4.4): a request answered 200 with an ackId is delivered
 * only once /ack reports that id true. All ids waiting on one endpoint are asked for in one request
 * every pollMs; an id still not true after timeoutMs counts as lost and its batch is sent again.
 * An id reported true is forgotten by Splunk (later polls say false), so each true settles at once.
 */
export interface AckTracker {
  /** Resolves true once indexed, false on timeout. */
  wait(endpoint: string, ackId: number): Promise<boolean>;
  /** Set when the token turns out to have no acknowledgement (code 14): delivered on the 200 alone. */
  problem(): string | undefined;
  close(): void;
}

interface Waiter { resolve: (ok: boolean) => void; deadline: number }

export function createAckTracker(poll: AckPoll, pollMs: number, timeoutMs: number): AckTracker {
  const pending = new Map<string, Map<number, Waiter>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let problem: string | undefined;

  function schedule(): void {
    if (timer === undefined) timer = setTimeout(tick, pollMs);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (polling) return schedule();
    polling = true;
    try {
      for (const [endpoint, waiters] of pending) {
        if (waiters.size === 0) continue;
        let acks: Record<string, boolean> | undefined;
        try {
          const r = await poll(endpoint, [...waiters.keys()]);
          if (r.status === 200) acks = (JSON.parse(r.body) as { acks?: Record<string, boolean> }).acks;
          else if (r.status === 400 && parseReply(r.body).code === 14) {
            // Like Vector (§4.4 step 6): the token has no acknowledgement; the 200 stands.
            problem = `${endpoint}: HEC code 14 "ACK is disabled": the token has no indexer acknowledgement; enable it in Splunk or set ack: false`;
            for (const w of waiters.values()) w.resolve(true);
            waiters.clear();
            continue;
          }
        } catch { /* asked again next tick; the deadline still counts */ }
        const now = Date.now();
        for (const [id, w] of waiters) {
          if (acks?.[String(id)] === true) { w.resolve(true); waiters.delete(id); }
          else if (now >= w.deadline) { w.resolve(false); waiters.delete(id); }
        }
      }
    } finally {
      polling = false;
      if ([...pending.values()].some((m) => m.size > 0)) schedule();
    }
  }

  return {
    wait(endpoint, ackId) {
      return new Promise<boolean>((resolve) => {
        let m = pending.get(endpoint);
        if (m === undefined) pending.set(endpoint, (m = new Map()));
        m.set(ackId, { resolve, deadline: Date.now() + timeoutMs });
        schedule();
      });
    },
    problem: () => problem,
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const m of pending.values()) for (const w of m.values()) w.resolve(false);
      pending.clear();
    },
  };
}
