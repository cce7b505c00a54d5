import { audit } from '../observe/audit';
import { readFileSync } from 'fs';
import type { Socket } from 'net';
import type { Server as TlsServer, TLSSocket, TlsOptions } from 'tls';
import type { TlsServerConfig } from '../config/types';
import { E } from '../errors';
import { log, rateLimited } from '../observe/log';
import { peerIp } from './listen-address';
import type { InputCounters } from './types';

const logLimited = rateLimited();

function readMaterial(input: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw E.INPUT_TLS_MATERIAL(input, file, e.code ? `${e.code} (${e.message})` : e.message);
  }
}

/**
 * Server TLS options from the config: cert, key and CA read once, here (an unreadable file
 * throws SG_INPUT_TLS_MATERIAL), TLS 1.2 at least, client certificates per `client_auth`:
 * `required` ⇒ the handshake fails without a valid one; `optional` ⇒ one is asked for, a
 * connection without one is accepted and one with an invalid one is closed (checkClientCert).
 */
export function serverTlsOptions(input: string, cfg: TlsServerConfig): TlsOptions {
  const opts: TlsOptions = {
    cert: readMaterial(input, cfg.certFile),
    key: readMaterial(input, cfg.keyFile),
    minVersion: cfg.minVersion,
    requestCert: cfg.clientAuth !== 'none',
    rejectUnauthorized: cfg.clientAuth === 'required',
    // a peer that connects and never completes its handshake holds a socket; Node's default is 120 s
    handshakeTimeout: cfg.handshakeTimeoutMs,
  };
  if (cfg.caFile) opts.ca = readMaterial(input, cfg.caFile);
  return opts;
}

/**
 * After the handshake: why this connection must be closed, or undefined to keep it.
 * Only `optional` needs a check here (`required` is enforced by OpenSSL in the handshake).
 */
export function clientCertProblem(socket: TLSSocket, cfg: TlsServerConfig): string | undefined {
  if (cfg.clientAuth !== 'optional' || socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined; // no certificate: allowed
  return `client certificate rejected: ${String(socket.authorizationError ?? 'not trusted')}`;
}

/**
 * Wires handshake-failure accounting on a TLS (or HTTPS) server: every `tlsClientError` is
 * counted and logged with the peer and reason (rate-limited per peer IP), never thrown.
 */
export function countHandshakeFailures(server: TlsServer, input: string, counters: InputCounters): void {
  // A socket reset or refused mid-handshake has lost its address by the time the error is
  // emitted, so it is noted as the raw socket connects and found again through the TLS socket's
  // `_parent` (node internal; the log says `unknown peer` if that ever changes).
  const peers = new WeakMap<Socket, { ip?: string; port?: number }>();
  server.prependListener('connection', (raw: Socket) => { peers.set(raw, { ip: raw.remoteAddress, port: raw.remotePort }); });
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    counters.tlsHandshakeFailures++;
    const parent = (socket as TLSSocket & { _parent?: Socket })._parent;
    const noted = parent ? peers.get(parent) : undefined;
    const ip = socket.remoteAddress ?? noted?.ip ?? parent?.remoteAddress;
    const port = socket.remotePort ?? noted?.port ?? parent?.remotePort;
    // With client_auth: required, Node destroys a socket whose certificate fails verification and
    // the error says only "socket hang up"; the verification result is on the socket.
    const verify = socket.authorizationError;
    const why = verify ? `client certificate rejected: ${String(verify)}` : handshakeReason(err);
    logHandshakeFailure(input, ip, port, why);
    // Node leaves the connection open after a handshake timeout (ERR_TLS_HANDSHAKE_TIMEOUT): idle
    // connections would hold max_connections' slots for ever and lock every client out
    socket.destroy();
    parent?.destroy();
  });
}

/**
 * OpenSSL's reason for a failed handshake, with what it usually means when that is not obvious:
 * plain syslog (or HTTP) sent to the TLS port shows up as a "wrong version number".
 */
export function handshakeReason(err: NodeJS.ErrnoException): string {
  // OpenSSL's reasons end in a newline, which would split the log line
  const text = err.message.trim();
  const said = err.code ? `${err.code}: ${text}` : text;
  if (/WRONG_VERSION_NUMBER|HTTP_REQUEST|UNKNOWN_PROTOCOL|wrong version number|http request/i.test(said)) {
    return `the client did not speak TLS (plain syslog or HTTP sent to a TLS port? point it at the TCP input, or turn TLS on in the sender) [${said}]`;
  }
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return `no TLS handshake within tls.handshake_timeout_ms (a client that connects and sends nothing, or one that waits for the server to speak) [${said}]`;
  return said;
}

/** A failed handshake or refused client certificate: logged with peer and reason, rate-limited per peer IP. */
export function logHandshakeFailure(input: string, ip: string | undefined, port: number | undefined, why: string): void {
  const who = ip ? `${peerIp(ip)}:${port ?? '?'}` : 'unknown peer';
  logLimited(`${input}:tls:${peerIp(ip)}`, (suppressed) => {
    log.warn(`input ${input}: TLS handshake with ${who} failed: ${why}`, suppressed ? { suppressed } : undefined);
    audit('tls_failure', { where: `input ${input}`, peer: who, why, ...(suppressed ? { suppressed_before: suppressed } : {}) });
  });
}
