import { createSocket, type RemoteInfo, type Socket } from 'dgram';
import type { UdpInputConfig } from '../config/types';
import { E } from '../errors';
import { log, rateLimited } from '../observe/log';
import { peerIp, requireListenAddress } from './listen-address';
import { FLAG_TRUNCATED, newInputCounters, type IngestSink, type Peer, type RunningInput } from './types';

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

const logLimited = rateLimited();

/** End of the message in a datagram: trailing LF / NUL / CRLF removed. */
export function datagramEnd(msg: Buffer): number {
  let end = msg.length;
  while (end > 0) {
    const c = msg[end - 1];
    if (c === NUL) { end--; continue; }
    if (c === LF) { end--; if (end > 0 && msg[end - 1] === CR) end--; continue; }
    break;
  }
  return end;
}

/**
 * Syslog over UDP (RFC 5426): one datagram is one message. Datagrams longer than
 * max_message_bytes are truncated and flagged. Datagrams are handed over even while the sink is
 * paused (it counts pipeline_full itself). Socket errors are logged rate-limited, never thrown.
 */
const PEER_CACHE_MAX = 65536;
/** receive_buffer_bytes when the config gives none. */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 16 << 20;

export async function startUdpInput(cfg: UdpInputConfig, sink: IngestSink): Promise<RunningInput> {
  const where = requireListenAddress(cfg.name, cfg.address);
  const counters = newInputCounters();
  const socket: Socket = createSocket({ type: where.family === 6 ? 'udp6' : 'udp4' });
  const max = cfg.maxMessageBytes;

  // One Peer per sender, not per datagram: devices send from a fixed address and port, and the
  // pipeline keys its batches' peer tables by object. Bounded: cleared past PEER_CACHE_MAX senders.
  const peers = new Map<string, Peer>();
  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    counters.udpDatagrams++;
    counters.bytes += msg.length;
    const key = `${rinfo.address} ${rinfo.port}`;
    let peer = peers.get(key);
    if (peer === undefined) {
      if (peers.size >= PEER_CACHE_MAX) peers.clear();
      peer = { input: cfg.name, transport: 'udp', ip: peerIp(rinfo.address), port: rinfo.port };
      peers.set(key, peer);
    }
    const end = datagramEnd(msg);
    if (end === 0) sink.reject(peer, 'empty', 1);
    else if (end > max) sink.message(peer, msg, 0, max, FLAG_TRUNCATED);
    else sink.message(peer, msg, 0, end, 0);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      reject(E.INPUT_BIND(cfg.name, cfg.address, err.code ? `${err.code} (${err.message})` : err.message));
    };
    socket.once('error', onError);
    socket.bind({ address: where.host, port: where.port }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    logLimited(`${cfg.name}:udperr:${err.code ?? ''}`, (suppressed) =>
      log.warn(`input ${cfg.name}: UDP socket error: ${err.code ?? ''} ${err.message}`, suppressed ? { suppressed } : undefined));
  });

  // The kernel buffer is what absorbs a burst while the socket thread is busy: with Linux's
  // default (208 KiB) bursts are lost. Measured at 50k datagrams/s: 4 MiB lost 0.6 %, 32 MiB none.
  const want = cfg.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
  try {
    socket.setRecvBufferSize(want);
    const got = socket.getRecvBufferSize();
    // Linux doubles the request for bookkeeping and caps it at net.core.rmem_max.
    if (got < want) {
      const msg = `input ${cfg.name}: asked for a ${want}-byte UDP receive buffer, the kernel gave ${got}; ` +
        `bursts may be lost: raise net.core.rmem_max (sysctl) to at least ${want}`;
      if (cfg.receiveBufferBytes !== undefined) log.warn(msg);
      else log.info(msg);
    }
  } catch (err) {
    log.warn(`input ${cfg.name}: cannot set receive_buffer_bytes ${want}: ${(err as Error).message}`);
  }

  const bound = socket.address();
  let closed: Promise<void> | undefined;
  return {
    name: cfg.name,
    address: { host: bound.address, port: bound.port },
    counters,
    kind: { type: 'syslog_udp', tls: false },
    connections: () => 0,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        try { socket.close(() => resolve()); } catch { resolve(); } // already closed
      });
      return closed;
    },
  };
}
