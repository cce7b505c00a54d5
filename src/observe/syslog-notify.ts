import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { SyslogTarget } from '../config/types';

/**
 * One way to talk syslog: RFC 5424 messages to a remote server through winston-syslog (alerts,
 * and the audit trail's copy). The transport's `log()` is called directly, not through a winston
 * logger, because only the transport says when a message has left (its `logged` event carries
 * the message's info object) and the callers want that per message.
 *
 * What winston-syslog (2.7.1) does on its own, and what is done about it here:
 * - TCP/TLS framing: none. Messages are written back to back unless `eol` is given, and then
 *   they are LF terminated (RFC 6587 non-transparent framing), which a LF inside MSG breaks.
 *   Here each message is octet counted instead (`LEN SP MSG`, RFC 6587 3.4.1, the framing RFC
 *   5425 requires over TLS), by wrapping the transport's producer; UDP datagrams are unframed.
 * - TLS (`tls4`): it wraps a bare `tls.TLSSocket`, which never checks the server's certificate
 *   (`rejectUnauthorized` and a `ca` in protocolOptions change nothing: it sends to any server).
 *   Here the socket is made with `tls.connect` (ca from ca_file, host name checked, handshake
 *   required before a byte is written) and handed to the transport.
 * - A server that is down: the message is queued without bound and the socket reconnects after
 *   1, 2, 4, 8 ... s without bound, with no error reported (the socket's errors are swallowed).
 *   Here its reconnect is switched off: a failed connection ends the transport, the message is
 *   reported as not sent, and the next send after a back-off (1 s doubling to 60 s) opens a new
 *   one. Nothing is queued for later.
 * - Timestamps: glossy writes the UTC fields with the local zone's offset and milliseconds
 *   without padding (`.5` for 5 ms); the producer wrapper puts `Date.toISOString()` in instead.
 */
export interface SyslogNotifier {
  /** One RFC 5424 message: APP-NAME from the target, MSG = text, and the fields as JSON after it. Resolves undefined when handed to the socket (UDP) or written (TCP/TLS), else the reason for an operator. Never throws. */
  send(severity: SyslogSeverity, text: string, fields?: Record<string, unknown>): Promise<string | undefined>;
  close(): Promise<void>;
}

export type SyslogSeverity = 'crit' | 'err' | 'warning' | 'notice' | 'info';

export interface SyslogNotifierOptions {
  /** local0 (default): for alerts; authpriv: for the audit trail's copy (security records). */
  facility?: 'local0' | 'authpriv';
}

/** How long a connection and a write may take before the message is reported as not sent. */
const TIMEOUT_MS = 5000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;
// triple-beam's keys (winston's), read by the transport: the level and the finished line.
const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');

interface Socket extends EventEmitter {
  destroy?(): void;
  close?(): void;
  setKeepAlive?(on: boolean): void;
  setNoDelay?(on?: boolean): void;
}

interface ProduceOptions { date?: Date; [k: string]: unknown }

/** The parts of winston-syslog's (untyped) Syslog transport used here. */
interface WsTransport extends EventEmitter {
  socket: Socket | null;
  queue: unknown[];
  producer: { produce(o: ProduceOptions): string | false };
  log(info: object, callback: () => void): void;
  connect(callback: (err?: unknown) => void): void;
  setupEvents(): void;
}

// loaded with the first syslog notification target (a gateway without one does not carry it)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const syslogTransport = () => (require('winston-syslog') as { Syslog: new (options: Record<string, unknown>) => WsTransport }).Syslog;

/**
 * A transport and its connection; `dead` once it failed or closed (a new one is made then).
 * `waiting`: the messages written and not yet confirmed, by their info object (one 'logged'
 * listener for all of them, not one each).
 */
interface Link { t: WsTransport; ready: Promise<string | undefined>; dead?: string; waiting: Map<object, (error: string | undefined) => void> }

export function openSyslogNotifier(target: SyslogTarget, o: SyslogNotifierOptions = {}): SyslogNotifier {
  const where = `syslog server ${target.host}:${target.port} (${target.protocol})`;
  // glossy knows facility 10 (authpriv) as "sec"
  const facility = o.facility === 'authpriv' ? 'sec' : 'local0';
  const family = isIP(target.host) === 6 ? 6 : 4;
  let ca: Buffer | undefined;
  let caProblem: string | undefined;
  if (target.protocol === 'tls' && target.caFile !== undefined) {
    try {
      ca = readFileSync(target.caFile);
    } catch (err) {
      caProblem = `cannot read its ca_file ${target.caFile} (${(err as Error).message}); make it readable by the gateway or fix the path`;
    }
  }
  let link: Link | undefined;
  let retryAt = 0;
  let backoff = RETRY_MIN_MS;
  let lastFailure = '';
  let closed = false;
  const pending = new Set<Promise<string | undefined>>();

  /** Ends a link; a failure also holds the next attempt back (a clean close by the server does not). */
  function drop(l: Link, why: string, failure = true): void {
    if (l.dead !== undefined) return;
    l.dead = why;
    if (link === l) link = undefined;
    if (failure) {
      lastFailure = why;
      retryAt = Date.now() + backoff;
      backoff = Math.min(backoff * 2, RETRY_MAX_MS);
    }
    destroy(l.t);
    // written but not confirmed: they may or may not have left; the caller hears it now
    for (const done of [...l.waiting.values()]) done(why);
  }

  function open(): Link {
    const stream = target.protocol !== 'udp';
    const Syslog = syslogTransport();
    const t = new Syslog({
      host: target.host, port: target.port, protocol: `${target.protocol}${family}`, type: 'RFC5424',
      app_name: target.appName, facility, localhost: hostname(),
    });
    const produce = t.producer.produce.bind(t.producer);
    t.producer.produce = (p) => {
      const m = produce(p);
      if (typeof m !== 'string') return m;
      const fixed = m.replace(/^(<\d{1,3}>1) \S+/, `$1 ${(p.date ?? new Date()).toISOString()}`);
      return stream ? `${Buffer.byteLength(fixed)} ${fixed}` : fixed;
    };
    const l: Link = { t, ready: Promise.resolve(undefined), waiting: new Map() };
    // A write's outcome: 'error' (when it failed) and then at once 'logged' with the message's
    // info. Without an 'error' listener the transport (a stream) would throw.
    let writeError: string | undefined;
    t.on('error', (e: Error) => { writeError = e.message; });
    t.on('logged', (info: unknown) => {
      const e = writeError;
      writeError = undefined;
      const done = typeof info === 'object' && info !== null ? l.waiting.get(info) : undefined;
      if (done === undefined) return;
      l.waiting.delete(info as object);
      done(e);
    });
    if (target.protocol === 'tls') {
      // family: passed on to the TCP connect by tls.connect (not in its typings)
      const options = {
        host: target.host, port: target.port, family, ca, rejectUnauthorized: true,
        ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
      };
      t.socket = tlsConnect(options) as unknown as Socket;
      t.socket.setKeepAlive?.(true);
      t.socket.setNoDelay?.(true);
      t.setupEvents();
    } else {
      t.connect(() => { /* makes the socket; readiness is watched below */ });
    }
    const s = t.socket!;
    // its reconnect loop would reconnect forever, also after close (and a tls socket as plain TCP)
    s.removeAllListeners('close');
    l.ready = new Promise<string | undefined>((resolve) => {
      let err: string | undefined;
      let up = false;
      const timer = setTimeout(() => { resolve(`no connection within ${TIMEOUT_MS} ms`); drop(l, `no connection within ${TIMEOUT_MS} ms`); }, TIMEOUT_MS);
      s.once(stream ? (target.protocol === 'tls' ? 'secureConnect' : 'connect') : 'listening', () => { clearTimeout(timer); up = true; resolve(undefined); });
      s.on('error', (e: Error) => { err = connectionProblem(e); });
      s.on('close', () => {
        clearTimeout(timer);
        const why = err ?? (up ? 'the server closed the connection' : 'the connection closed before it was up');
        resolve(why);
        drop(l, why, !up || err !== undefined);
      });
    });
    return l;
  }

  async function deliver(l: Link, severity: SyslogSeverity, line: string): Promise<string | undefined> {
    const notReady = await l.ready;
    if (notReady !== undefined || l.dead !== undefined) return `${where}: not sent: ${notReady ?? l.dead}`;
    return new Promise<string | undefined>((resolve) => {
      const info = { level: severity, message: line, [LEVEL]: severity, [MESSAGE]: line };
      const finish = (why: string | undefined) => {
        clearTimeout(timer);
        l.waiting.delete(info);
        resolve(why === undefined ? undefined : `${where}: not sent: ${why}`);
      };
      const timer = setTimeout(() => {
        const why = `not written within ${TIMEOUT_MS} ms (the server does not read)`;
        drop(l, why);
        finish(why);
      }, TIMEOUT_MS);
      l.waiting.set(info, (e) => {
        if (e !== undefined) drop(l, e);
        finish(e);
      });
      const queued = l.t.queue.length;
      try {
        l.t.log(info, () => { /* the outcome comes with 'logged' */ });
      } catch (err) {
        finish(`winston-syslog failed: ${(err as Error).message}`);
        return;
      }
      // queued instead of written: the socket is no longer open (closed under us)
      if (l.t.queue.length > queued) {
        l.t.queue.length = queued;
        drop(l, 'the connection is closed');
        finish('the connection is closed');
      }
    });
  }

  function send(severity: SyslogSeverity, text: string, fields?: Record<string, unknown>): Promise<string | undefined> {
    if (closed) return Promise.resolve(`${where}: not sent: the notifier is closed`);
    if (caProblem !== undefined) return Promise.resolve(`${where}: not sent: ${caProblem}`);
    let line = text;
    if (fields !== undefined && Object.keys(fields).length > 0) {
      try {
        line = `${text} ${JSON.stringify(fields)}`;
      } catch (err) {
        return Promise.resolve(`${where}: not sent: its fields cannot be written as JSON (${(err as Error).message})`);
      }
    }
    if (link === undefined && Date.now() < retryAt) {
      return Promise.resolve(`${where}: not sent: ${lastFailure}; the next attempt is after ${new Date(retryAt).toISOString()}`);
    }
    let l = link;
    if (l === undefined) {
      try {
        l = link = open();
      } catch (err) {
        lastFailure = `winston-syslog cannot open it: ${(err as Error).message}`;
        retryAt = Date.now() + RETRY_MAX_MS;
        return Promise.resolve(`${where}: not sent: ${lastFailure}`);
      }
    }
    const p = deliver(l, severity, line).then((why) => {
      if (why === undefined) backoff = RETRY_MIN_MS;
      return why;
    }, (err: Error) => `${where}: not sent: ${err.message}`);
    pending.add(p);
    void p.then(() => pending.delete(p));
    return p;
  }

  return {
    send,
    async close() {
      closed = true;
      // what was handed over before close still goes out (each send has its own time limit)
      await Promise.allSettled([...pending]);
      if (link !== undefined) drop(link, 'closed', false);
    },
  };
}

function destroy(t: WsTransport): void {
  const s = t.socket;
  if (s === null) return;
  try {
    if (s.destroy !== undefined) s.destroy();
    else s.close?.();
  } catch {
    // already closed
  }
}

/** A socket error, as an operator reads it. */
function connectionProblem(e: Error & { code?: string }): string {
  switch (e.code) {
    case 'ECONNREFUSED': return `connection refused (${e.message}): is the server running and listening on this port?`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `the host name does not resolve (${e.message})`;
    case 'ETIMEDOUT': case 'EHOSTUNREACH': case 'ENETUNREACH': return `the server cannot be reached (${e.message})`;
    default:
      if (/certificate|self[- ]signed|CERT_|altnames/i.test(`${e.code ?? ''} ${e.message}`)) {
        return `its TLS certificate is not trusted (${e.message}): set ca_file to the CA that signed it, and connect by a name or address the certificate lists`;
      }
      return e.message;
  }
}
