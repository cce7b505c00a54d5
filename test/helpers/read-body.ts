import type { IncomingMessage } from 'node:http';

/** A request's whole body as received (still gzipped if it was sent so): what the doubles inspect. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}
