import type { JournalEvent } from '../journal/event-record';

/**
 * The whole contract between the delivery engine and a destination (connectors/<type>/index.ts).
 * The dispatcher reads the journal, filters, and hands the connector events to encode; it batches
 * the encoded bytes and calls `send`; the connector answers per event. Everything else (cursor,
 * retries and their timing, dead letters, the ledger, state) is the dispatcher's job, so a
 * connector is only encoding, transport and classifying the destination's answers.
 */
export type Verdict =
  | { outcome: 'delivered' }
  /** Try again later (after delayMs when the destination said when, e.g. Retry-After). */
  | { outcome: 'retry'; reason: string; delayMs?: number }
  /** Permanent: this event will never be accepted as it is; it goes to the dead-letter file. */
  | { outcome: 'reject'; reason: string; response?: string };

export interface EncodedBatch {
  events: readonly JournalEvent[];
  /** encoded[i] is what encode(events[i]) returned. */
  encoded: readonly Buffer[];
  bytes: number;
}

export interface Connector {
  /** For logs and status: where this connector sends, without secrets (e.g. `https://es:9200`). */
  readonly target: string;
  /** One event as this destination wants it; the dispatcher batches by these bytes. */
  encode(ev: JournalEvent): Buffer;
  /**
   * Encodings the dispatcher will not send again (their events are settled, or it is stopping),
   * each released once: a connector that encodes into memory it reuses may write over them now.
   */
  release?(encoded: readonly Buffer[]): void;
  /**
   * Send a batch. Answer one verdict for all, or one per event (same order). A thrown error
   * means "retry all" with its message as the reason. `signal` aborts on shutdown.
   */
  send(batch: EncodedBatch, signal: AbortSignal): Promise<Verdict | Verdict[]>;
  /**
   * When the connector knows the destination itself is unusable (bad credentials, unknown
   * index), it says so here with the reason; the dispatcher marks the destination `down`.
   */
  misconfigured?(): string | undefined;
  /**
   * What the connector counts beyond the ledger, by name (e.g. `already_indexed`: events
   * Elasticsearch held from an earlier attempt). Shown in status.json and the stop line.
   */
  counters?(): Record<string, number>;
  close(): Promise<void>;
}
