/**
 * The border between inputs and the pipeline. Inputs frame bytes into messages and hand each
 * one to an IngestSink; they never parse. The sink copies what it needs before returning, so
 * an input may reuse its buffers at once.
 */

export type Transport = 'udp' | 'tcp' | 'tls' | 'http';

/** Who sent a message, through which input. One object per connection (per datagram for UDP). */
export interface Peer {
  input: string;
  transport: Transport;
  ip: string;
  port: number;
}

/** Bit flags on one message. */
export const FLAG_TRUNCATED = 1; // cut at max_message_bytes (tagged `truncated`)
export const FLAG_JSON = 2; // the bytes are one JSON object (HTTP /v1/events)

/**
 * Metadata an HTTP sender gave with an event (HEC envelope keys; /v1/events has none).
 * `time` is epoch seconds as sent.
 */
export interface SenderMeta {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  fields?: Record<string, unknown>;
}

/** Why a message was refused at the input; each is counted under this name (the ledger's rejected_at_input). */
export type RejectReason =
  | 'oversize' // longer than max_message_bytes with oversize: reject
  | 'bad_frame' // octet-count frame that cannot be read and cannot be recovered as a line
  | 'empty' // empty datagram or frame
  | 'partial_frame' // connection closed or idled out with an unfinished frame (its bytes are logged, not kept)
  | 'bad_event' // HTTP event that is not what the endpoint takes (HEC code 6/12/13, bad JSON line)
  | 'pipeline_full' // UDP datagram that arrived while the pipeline queue was full
  | 'journal_full'; // UDP datagram that arrived while the journal was at max_bytes (when_full: block)

/**
 * Connection- and request-level counts an input keeps (not messages: those go through the sink).
 * Plain numbers, incremented in place; observe/ reads them.
 */
export interface InputCounters {
  connectionsOpened: number;
  connectionsClosed: number;
  connectionsRefused: number; // over max_connections
  idleTimeouts: number;
  tlsHandshakeFailures: number;
  httpRequests: number;
  httpAuthFailures: number;
  httpBadRequests: number; // 400 answers
  httpTooLarge: number; // 413 answers
  httpBusy: number; // 503 answers while the pipeline is behind
  httpUnsupported: number; // 415 answers (a Content-Encoding other than gzip)
  bytes: number; // payload bytes read
  udpDatagrams: number;
}

export function newInputCounters(): InputCounters {
  return {
    connectionsOpened: 0, connectionsClosed: 0, connectionsRefused: 0, idleTimeouts: 0,
    tlsHandshakeFailures: 0, httpRequests: 0, httpAuthFailures: 0, httpBadRequests: 0,
    httpTooLarge: 0, httpBusy: 0, httpUnsupported: 0, bytes: 0, udpDatagrams: 0,
  };
}

export interface IngestSink {
  /** One message: bytes [start, end) of buf, framing removed. */
  message(peer: Peer, buf: Buffer, start: number, end: number, flags: number, meta?: SenderMeta): void;
  /** Count messages refused at the input. `detail` goes to the log (with the peer), not to metrics. */
  reject(peer: Peer, reason: RejectReason, count: number, detail?: string): void;
  /** True while stream inputs should stop reading (backpressure). */
  isPaused(): boolean;
  /** Called once each time the sink leaves the paused state. */
  onResume(listener: () => void): void;
  /** Resolves when every message handed over before the call is durable in the journal (under its fsync policy). */
  flush(): Promise<void>;
}

/** A started input. `close` stops accepting, ends connections gracefully and resolves when done. */
export interface RunningInput {
  name: string;
  /** The address actually bound (port 0 in config resolves here). */
  address: { host: string; port: number };
  close(): Promise<void>;
  /** Open connections (stream inputs), for status. */
  connections(): number;
  counters: InputCounters;
  /** Which kind of input, and whether it speaks TLS: for the metrics that only some inputs have. */
  kind: { type: 'syslog_udp' | 'syslog_tcp' | 'syslog_tls' | 'http'; tls: boolean };
}
