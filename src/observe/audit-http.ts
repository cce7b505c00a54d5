import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf, peerIp } from '../inputs/listen-address';
import { audit } from './audit';
import { burstLimited } from './log';

// Per client, path and status, up to 20 records in 10 s; beyond that the next record carries how
// many were left out. An HEC sender posting thousands of batches a second must not turn the
// audit trail (a synchronous, hash-chained file) into the bottleneck; a new client, path or
// status is always recorded.
const limited = burstLimited(20, 10_000);

/**
 * Records an HTTP request in the audit trail when its answer is sent: method, path (never the
 * query string, which may carry a token), status, client, bytes and latency. Never a header or a
 * body.
 */
export function auditHttpRequest(where: string, req: IncomingMessage, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const path = pathOf(req.url).slice(0, 200);
    const client = peerIp(req.socket.remoteAddress);
    limited(`${where}\t${client}\t${path}\t${res.statusCode}`, (suppressed) => audit('http_request', {
      where, method: req.method, path, status: res.statusCode, client: `${client}:${req.socket.remotePort ?? 0}`,
      bytes_in: Number(req.headers['content-length'] ?? 0) || 0, bytes_out: Number(res.getHeader('content-length') ?? 0) || 0,
      ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      ...(suppressed ? { suppressed_before: suppressed } : {}),
    }));
  });
}
