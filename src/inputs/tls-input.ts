import { createServer } from 'tls';
import type { TlsInputConfig } from '../config/types';
import { listenOn } from './listen-address';
import { closeStreamServer, limitConnections, StreamConnections } from './stream-connections';
import { clientCertProblem, countHandshakeFailures, logHandshakeFailure, serverTlsOptions } from './tls-material';
import { newInputCounters, type IngestSink, type RunningInput } from './types';

/**
 * Syslog over TLS (RFC 5425; framing per the input's `framing`, octet counting on the wire per
 * the RFC, `auto` also takes LF senders). Failed handshakes are counted and logged (peer and
 * reason, rate-limited); the server keeps serving.
 */
export async function startTlsInput(cfg: TlsInputConfig, sink: IngestSink): Promise<RunningInput> {
  const counters = newInputCounters();
  const options = serverTlsOptions(cfg.name, cfg.tls);
  const conns = new StreamConnections(cfg, 'tls', sink, counters);
  const server = createServer(options, (socket) => {
    const problem = clientCertProblem(socket, cfg.tls);
    if (problem) {
      counters.tlsHandshakeFailures++;
      logHandshakeFailure(cfg.name, socket.remoteAddress, socket.remotePort, problem);
      socket.destroy();
      return;
    }
    conns.accept(socket);
  });
  countHandshakeFailures(server, cfg.name, counters);
  limitConnections(server, cfg.name, cfg.maxConnections, counters);
  conns.trackRaw(server);
  const address = await listenOn(server, cfg.name, cfg.address);
  return {
    name: cfg.name,
    address,
    counters,
    kind: { type: 'syslog_tls', tls: true },
    connections: () => conns.size(),
    close: () => closeStreamServer(server, conns),
  };
}
