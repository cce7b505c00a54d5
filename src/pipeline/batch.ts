import type { Format } from '../parse';
import type { Peer, SenderMeta } from '../inputs/types';
import type { Tally } from './event-tally';

/**
 * Messages travel from the sockets to the parse workers in batches, never one by one: the bytes
 * back to back in one buffer, offsets and flags in typed arrays, and each distinct peer once.
 * A batch is what arrived within MAX_BATCH_DELAY_MS (or up to MAX_BATCH_MESSAGES / MAX_BATCH_BYTES).
 */
export interface RawBatch {
  seq: number;
  receivedAt: number;
  count: number;
  data: Uint8Array;
  /** End offset of message i in `data`; it starts where message i-1 ended. */
  ends: Uint32Array;
  flags: Uint8Array;
  peerIndex: Uint16Array;
  /** Distinct peers, flat: input, transport, ip, port, input, ... (cheaper to clone than objects). */
  peers: Array<string | number>;
  /** Sender metadata (HTTP), sparse. */
  metas?: Array<SenderMeta | undefined>;
}

export type FormatCounts = Record<Format, number>;

/** A parsed and mapped batch: one journal record per message (src/journal/event-record.ts), in message order. */
export interface DoneBatch {
  seq: number;
  count: number;
  out: Uint8Array;
  formats: FormatCounts;
  /** Mapped events by `product\tcategory\toutcome` (the stats store's security counts). */
  mapped?: Record<string, number>;
  /** Hosts, clock skew and threshold-alert counts of the batch (event-tally.ts). */
  tally?: Tally;
  /** The worker's copy of the batch's bytes, given back to be filled again (worker-pool.ts). */
  input?: ArrayBuffer;
}

export const MAX_BATCH_MESSAGES = 2048;
export const MAX_BATCH_BYTES = 1 << 20;
/** A batch is sealed this long after its first message at the latest (or when full, or on flush). */
export const MAX_BATCH_DELAY_MS = 2;

/** The Peer objects of a batch's flat peer table. */
export function unpackPeers(flat: Array<string | number>): Peer[] {
  const out: Peer[] = [];
  for (let i = 0; i < flat.length; i += 4) {
    out.push({ input: flat[i] as string, transport: flat[i + 1] as Peer['transport'], ip: flat[i + 2] as string, port: flat[i + 3] as number });
  }
  return out;
}

export function emptyFormatCounts(): FormatCounts {
  return { rfc5424: 0, rfc3164: 0, cef: 0, leef: 0, json: 0, kv: 0, unknown: 0 };
}
