import { createServer } from 'net';
import type { TcpInputConfig } from '../config/types';
import { listenOn } from './listen-address';
import { closeStreamServer, limitConnections, StreamConnections } from './stream-connections';
import { newInputCounters, type IngestSink, type RunningInput } from './types';

/** Syslog over plain TCP (RFC 6587 framing: lf, octet or auto per message). */
export async function startTcpInput(cfg: TcpInputConfig, sink: IngestSink): Promise<RunningInput> {
  const counters = newInputCounters();
  const conns = new StreamConnections(cfg, 'tcp', sink, counters);
  const server = createServer((socket) => conns.accept(socket));
  limitConnections(server, cfg.name, cfg.maxConnections, counters);
  conns.trackRaw(server);
  const address = await listenOn(server, cfg.name, cfg.address);
  return {
    name: cfg.name,
    address,
    counters,
    kind: { type: 'syslog_tcp', tls: false },
    connections: () => conns.size(),
    close: () => closeStreamServer(server, conns),
  };
}
