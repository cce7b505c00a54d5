import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { connect, type Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import type { HttpInputConfig, TcpInputConfig, TlsInputConfig, TlsServerConfig, UdpInputConfig } from '../../../src/config/types';

export function udpConfig(over: Partial<UdpInputConfig> = {}): UdpInputConfig {
  return { name: 'udp-test', type: 'syslog_udp', address: '127.0.0.1:0', timezone: 'UTC', maxMessageBytes: 8192, ...over };
}

export function tcpConfig(over: Partial<TcpInputConfig> = {}): TcpInputConfig {
  return {
    name: 'tcp-test', type: 'syslog_tcp', address: '127.0.0.1:0', timezone: 'UTC', framing: 'auto',
    maxMessageBytes: 8192, oversize: 'truncate', idleTimeoutMs: 0, maxConnections: 100, ...over,
  };
}

export function tlsConfig(tls: TlsServerConfig, over: Partial<TlsInputConfig> = {}): TlsInputConfig {
  return { ...tcpConfig(), name: 'tls-test', type: 'syslog_tls', tls, ...over } as TlsInputConfig;
}

export function httpConfig(over: Partial<HttpInputConfig> = {}): HttpInputConfig {
  return {
    name: 'http-test', type: 'http', address: '127.0.0.1:0', timezone: 'UTC', auth: 'token',
    tokens: [{ name: 'apps', secret: 'good-token' }], maxBodyBytes: 64 * 1024, ...over,
  };
}

/** Connects, resolves once connected. */
export function tcpConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the socket is closed (by either side); errors are swallowed. */
export function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) { resolve(); return; }
    s.on('error', () => undefined);
    s.once('close', () => resolve());
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface TlsMaterial {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed, not issued by the CA. */
  rogueCert: string;
  rogueKey: string;
  cleanup(): void;
}

/** A CA, a server cert for 127.0.0.1/localhost, a client cert from that CA and a rogue self-signed one (openssl). */
export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'siemgate-tls-'));
  const p = (f: string): string => join(dir, f);
  const ssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=siemgate test CA');
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost');
  ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.crt'), '-days', '2', '-extfile', p('server.ext'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('client.key'), '-out', p('client.csr'), '-subj', '/CN=client');
  ssl('x509', '-req', '-in', p('client.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('client.crt'), '-days', '2');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('rogue.key'), '-out', p('rogue.crt'), '-days', '2', '-subj', '/CN=rogue');
  return {
    dir, caCert: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'),
    clientCert: p('client.crt'), clientKey: p('client.key'), rogueCert: p('rogue.crt'), rogueKey: p('rogue.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface HttpAnswer {
  status: number;
  headers: import('http').IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP request to 127.0.0.1:port; the body is sent as given (Buffer or string). */
export function httpRequest(
  port: number, method: string, path: string,
  opts: { headers?: Record<string, string | number>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<HttpAnswer> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const http = require('http') as typeof import('http');
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
    const headers: Record<string, string | number> = { ...opts.headers };
    if (body && !opts.chunked && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body && opts.chunked) {
      // Several chunks, no Content-Length.
      const step = Math.max(1, Math.ceil(body.length / 4));
      for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
      req.end();
    } else {
      req.end(body);
    }
  });
}
