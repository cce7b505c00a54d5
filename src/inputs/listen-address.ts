import type { Server } from 'net';
import { E } from '../errors';
import { log } from '../observe/log';

export interface ListenAddress {
  host: string;
  port: number;
  /** 4 or 6, from the host's form. */
  family: 4 | 6;
}

/**
 * `host:port`, IPv6 in brackets (`[::1]:5514`, `[::]:514`). Returns undefined when malformed
 * (the config schema rejects such values first; this is the last line).
 */
export function parseListenAddress(address: string): ListenAddress | undefined {
  const m = /^\[([0-9A-Fa-f:.%a-zA-Z0-9]+)\]:(\d{1,5})$/.exec(address) ?? /^([^:[\]]+):(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1], port, family: m[1].includes(':') ? 6 : 4 };
}

/** Parses the address or throws SG_INPUT_BIND. */
export function requireListenAddress(input: string, address: string): ListenAddress {
  const parsed = parseListenAddress(address);
  if (!parsed) throw E.INPUT_BIND(input, address, 'not host:port (IPv6 as [::1]:5514)');
  return parsed;
}

/** `server.listen` as a promise; a bind failure becomes SG_INPUT_BIND naming the address and reason. */
export function listenOn(server: Server, input: string, address: string): Promise<{ host: string; port: number }> {
  const where = requireListenAddress(input, address);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(E.INPUT_BIND(input, address, err.code ? `${err.code} (${err.message})` : err.message));
    };
    server.once('error', onError);
    server.listen({ host: where.host, port: where.port }, () => {
      server.off('error', onError);
      // After listening (accept failures such as EMFILE): log, never crash the process.
      server.on('error', (err: NodeJS.ErrnoException) => {
        log.error(`input ${input}: listener on ${address}: ${err.code ?? ''} ${err.message}`);
      });
      const bound = server.address();
      if (bound && typeof bound === 'object') resolve({ host: bound.address, port: bound.port });
      else resolve({ host: where.host, port: where.port });
    });
  });
}

/** `::ffff:10.0.0.1` (a v4 peer on a dual-stack socket) ⇒ `10.0.0.1`. */
/** A request URL's path, without the query string (which may carry a token: never logged). */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

export function peerIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
