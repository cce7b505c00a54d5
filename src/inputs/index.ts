import type { InputConfig } from '../config/types';
import { startHttpInput } from './http-input';
import { startTcpInput } from './tcp-input';
import { startTlsInput } from './tls-input';
import type { IngestSink, RunningInput } from './types';
import { startUdpInput } from './udp-input';

export type {
  IngestSink, InputCounters, Peer, RejectReason, RunningInput, SenderMeta, Transport,
} from './types';
export { FLAG_JSON, FLAG_TRUNCATED, newInputCounters } from './types';
export { StreamFramer } from './stream-framer';
export type { FramerOptions } from './stream-framer';

/**
 * Starts one input and resolves once it listens. A bind failure throws SG_INPUT_BIND, unreadable
 * TLS material SG_INPUT_TLS_MATERIAL.
 */
export function startInput(cfg: InputConfig, sink: IngestSink): Promise<RunningInput> {
  switch (cfg.type) {
    case 'syslog_udp': return startUdpInput(cfg, sink);
    case 'syslog_tcp': return startTcpInput(cfg, sink);
    case 'syslog_tls': return startTlsInput(cfg, sink);
    case 'http': return startHttpInput(cfg, sink);
  }
}
