import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { HttpTlsConfig } from '../../src/config/types';

export interface HttpClientOptions {
  https: boolean;
  timeoutMs: number;
  tls: HttpTlsConfig;
}

/**
 * The HTTP client every connector sends with: keep-alive, the destination's CA and client
 * certificate, and every status returned as an answer to classify (never thrown), so each
 * connector's client.ts is only the classification of its API's answers.
 */
export function createHttpClient(o: HttpClientOptions): AxiosInstance {
  const agent = o.https
    ? new HttpsAgent({
      keepAlive: true,
      ca: o.tls.caFile ? readFileSync(o.tls.caFile) : undefined,
      cert: o.tls.certFile ? readFileSync(o.tls.certFile) : undefined,
      key: o.tls.keyFile ? readFileSync(o.tls.keyFile) : undefined,
      rejectUnauthorized: !o.tls.insecureSkipVerify,
    })
    : new HttpAgent({ keepAlive: true });
  return axios.create({
    timeout: o.timeoutMs,
    httpAgent: o.https ? undefined : agent,
    httpsAgent: o.https ? agent : undefined,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: (x) => x,
    maxBodyLength: Infinity,
    maxContentLength: 1 << 20,
    decompress: true,
  });
}

/** A header's value as one string (axios gives string | string[] | undefined). */
export function headerOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
}

const gzipAsync = promisify(gzip);

/**
 * A request body as the destination's `gzip` key says: level 1 (docs/configuration.md), run in
 * libuv's threadpool, off the main thread. Send it with `Content-Encoding: gzip` when compressed.
 */
export function requestBody(body: Buffer, compress: boolean): Promise<Buffer> | Buffer {
  return compress ? gzipAsync(body, { level: 1 }) : body;
}

/** An answer body as text (the client asks for text; an empty answer is ''). */
export function answerText(data: unknown): string {
  return typeof data === 'string' ? data : String(data ?? '');
}
