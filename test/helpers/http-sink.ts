import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/**
 * A generic NDJSON HTTP collector for the `http` destination's tests: it keeps every line it
 * accepted, and answers as the test sets it: up, down (503 + Retry-After), or refusing requests
 * that contain a marker with 400 (what a collector does with an event it cannot take).
 */
export interface HttpSink {
  url: string;
  lines: string[];
  requests: number;
  mode: 'up' | 'down' | 'auth';
  /** Requests whose body contains this are answered 400. */
  poison?: string;
  retryAfterSeconds?: number;
  close(): Promise<void>;
}

export async function startHttpSink(): Promise<HttpSink> {
  const sink = { lines: [] as string[], requests: 0, mode: 'up' as HttpSink['mode'], poison: undefined as string | undefined, retryAfterSeconds: undefined as number | undefined };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sink.requests++;
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8');
      if (sink.mode === 'down') {
        res.writeHead(503, { 'Content-Type': 'application/json', ...(sink.retryAfterSeconds !== undefined ? { 'Retry-After': String(sink.retryAfterSeconds) } : {}) });
        res.end('{"error":"temporarily unavailable"}');
        return;
      }
      if (sink.mode === 'auth') {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end('{"error":"invalid token"}');
        return;
      }
      if (sink.poison !== undefined && text.includes(sink.poison)) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end('{"error":"field [n] cannot be parsed: not a number"}');
        return;
      }
      for (const l of text.split('\n')) if (l !== '') sink.lines.push(l);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}/ingest`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  });
}
