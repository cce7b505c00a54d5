import type { Server, Socket } from 'net';
import type { TcpInputConfig, TlsInputConfig } from '../config/types';
import { audit } from '../observe/audit';
import { burstLimited, log, rateLimited } from '../observe/log';
import { peerIp } from './listen-address';
import { StreamFramer } from './stream-framer';
import type { IngestSink, InputCounters, Peer } from './types';

/** How long close() waits for peers to finish after our FIN / close_notify before cutting them. */
export const CLOSE_GRACE_MS = 2000;

const logLimited = rateLimited();
// connections opened and closed go to the audit trail, up to 20 per peer and input in 10 s (a
// port scan must not flood it); beyond that they are counted on the next record
const auditLimited = burstLimited(20, 10_000);

interface Connection {
  socket: Socket;
  framer: StreamFramer;
  peer: Peer;
  state: 'open' | 'finished';
  bytes: number;
  openedAt: number;
  /** When the frame now unfinished began arriving (0: none is). */
  partialSince: number;
}

/**
 * The connections of one TCP or TLS input: a framer per connection, idle timeout, backpressure
 * (every socket paused while the sink is paused, all resumed from sink.onResume) and graceful
 * shutdown. Refusing connections over max_connections is the server's job (maxConnections +
 * 'drop', wired by attachStreamServer), so a refused TLS peer costs no handshake.
 */
export class StreamConnections {
  private readonly conns = new Set<Connection>();
  /** Every accepted TCP socket, also TLS ones still in their handshake (not in `conns` yet). */
  private readonly raw = new Set<Socket>();
  private paused = false;
  private closing = false;

  constructor(
    private readonly cfg: TcpInputConfig | TlsInputConfig,
    private readonly transport: 'tcp' | 'tls',
    private readonly sink: IngestSink,
    private readonly counters: InputCounters,
  ) {
    sink.onResume(() => this.resumeAll());
  }

  size(): number {
    return this.conns.size;
  }

  accept(socket: Socket): void {
    if (this.closing) { socket.destroy(); return; }
    const peer: Peer = { input: this.cfg.name, transport: this.transport, ip: peerIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
    const framer = new StreamFramer({
      framing: this.cfg.framing, maxMessageBytes: this.cfg.maxMessageBytes, oversize: this.cfg.oversize,
      maxFrameBytes: this.cfg.maxFrameBytes,
    }, this.sink, peer);
    const conn: Connection = { socket, framer, peer, state: 'open', bytes: 0, openedAt: Date.now(), partialSince: 0 };
    this.conns.add(conn);
    this.counters.connectionsOpened++;
    auditLimited(`open:${peer.input}:${peer.ip}`, (suppressed) => audit('connection_opened', {
      input: peer.input, transport: peer.transport, peer: `${peer.ip}:${peer.port}`, ...(suppressed ? { suppressed_before: suppressed } : {}),
    }));
    socket.setKeepAlive(true, 60_000);
    if (this.cfg.idleTimeoutMs > 0) socket.setTimeout(this.cfg.idleTimeoutMs);

    socket.on('data', (chunk: Buffer) => {
      if (conn.state !== 'open') return;
      this.counters.bytes += chunk.length;
      conn.bytes += chunk.length;
      const ended = framer.framesEnded;
      framer.push(chunk);
      // A message trickled in a byte at a time keeps the idle timer from firing (slowloris): one
      // message may take at most idle_timeout_ms, then the connection is closed like an idle one.
      // Chunks of a busy stream end mid-message all the time: what is timed is one frame, from the
      // chunk it began in (any frame finished in this chunk means the unfinished one is new).
      if (!framer.hasPartial()) conn.partialSince = 0;
      else if (conn.partialSince === 0 || framer.framesEnded !== ended) conn.partialSince = Date.now();
      else if (this.cfg.idleTimeoutMs > 0 && Date.now() - conn.partialSince > this.cfg.idleTimeoutMs) {
        this.counters.idleTimeouts++;
        logLimited(`${peer.input}:slow:${peer.ip}`, (suppressed) => log.warn(`input ${peer.input}: closing the connection from ${peer.ip}:${peer.port}: ` +
          `one message has been arriving for more than idle_timeout_ms (${this.cfg.idleTimeoutMs} ms)`, suppressed ? { suppressed } : undefined));
        this.finish(conn);
        socket.destroy();
        return;
      }
      if (!this.paused && !this.closing && this.sink.isPaused()) this.pauseAll();
    });
    socket.on('timeout', () => {
      if (this.paused || conn.state !== 'open') return; // not idle: we stopped reading (re-armed on resume)
      this.counters.idleTimeouts++;
      log.debug(`input ${peer.input}: closing idle connection from ${peer.ip}:${peer.port}`);
      this.finish(conn);
      socket.destroy();
    });
    socket.on('end', () => this.finish(conn, true)); // peer sent FIN; allowHalfOpen is off, so we end too
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // a peer that resets instead of closing (many TLS clients skip close_notify) is routine:
      // what it sent is kept, its unfinished frame counted; nothing for the operator to do
      const routine = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      logLimited(`${peer.input}:sockerr:${err.code ?? ''}`, (suppressed) =>
        log[routine ? 'debug' : 'warn'](`input ${peer.input}: connection from ${peer.ip}:${peer.port}: ${err.code ?? ''} ${err.message}`,
          suppressed ? { suppressed } : undefined));
    });
    socket.on('close', () => {
      this.finish(conn);
      this.conns.delete(conn);
      this.counters.connectionsClosed++;
      auditLimited(`close:${peer.input}:${peer.ip}`, (suppressed) => audit('connection_closed', {
        input: peer.input, peer: `${peer.ip}:${peer.port}`, bytes: conn.bytes, seconds: Math.round((Date.now() - conn.openedAt) / 100) / 10,
        ...(suppressed ? { suppressed_before: suppressed } : {}),
      }));
    });
    if (this.paused) socket.pause();
  }

  /** Track the server's raw sockets, so close() can also cut TLS peers that never finish their handshake. */
  trackRaw(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.raw.add(socket);
      socket.once('close', () => this.raw.delete(socket));
    });
  }

  /**
   * Graceful close: what a peer already sent is received, so keep reading (backpressure off; the
   * grace period bounds it), send our FIN so the peer knows to stop, and finish each connection
   * when the peer's FIN arrives. A peer still open after CLOSE_GRACE_MS is cut: its unfinished
   * frame is counted as partial_frame. TLS peers still in their handshake are cut then too.
   */
  closeAll(): void {
    this.closing = true;
    this.paused = false;
    for (const conn of this.conns) {
      if (conn.state === 'open') conn.socket.resume();
      conn.socket.end();
      setTimeout(() => {
        this.finish(conn);
        conn.socket.destroy();
      }, CLOSE_GRACE_MS).unref();
    }
    for (const socket of this.raw) setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** `peerClosed`: the peer ended the stream (FIN), so a last line without its LF is complete. */
  private finish(conn: Connection, peerClosed = false): void {
    if (conn.state === 'finished') return;
    conn.state = 'finished';
    conn.framer.end(peerClosed);
  }

  private pauseAll(): void {
    this.paused = true;
    for (const c of this.conns) c.socket.pause();
  }

  private resumeAll(): void {
    if (!this.paused || this.closing) return;
    this.paused = false;
    for (const c of this.conns) {
      if (c.state !== 'open') continue;
      if (this.cfg.idleTimeoutMs > 0) c.socket.setTimeout(this.cfg.idleTimeoutMs); // re-arm
      if (c.partialSince !== 0) c.partialSince = Date.now(); // we stopped reading it: not its sender's delay
      c.socket.resume();
    }
  }
}

/** Wire max_connections on a listening-to-be server: extra connections are closed and counted. */
export function limitConnections(server: Server, name: string, max: number, counters: InputCounters): void {
  if (max > 0) server.maxConnections = max;
  server.on('drop', (data) => {
    counters.connectionsRefused++;
    logLimited(`${name}:refused`, (suppressed) =>
      log.warn(`input ${name}: refused a connection from ${data?.remoteAddress ?? '?'}: max_connections (${max}) reached`,
        suppressed ? { suppressed } : undefined));
  });
}

/** server.close() as a promise that also ends open connections; resolves when all are gone. */
export function closeStreamServer(server: Server, conns: StreamConnections): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    conns.closeAll();
  });
}
