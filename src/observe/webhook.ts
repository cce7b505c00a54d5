import { createHmac } from 'node:crypto';
import axios from 'axios';

const WEBHOOK_ATTEMPTS = 3;

/**
 * POSTs a report or an alert; 3 attempts with 1 s then 2 s between them (capped: a report is not worth
 * blocking the next one for). With a secret, X-Siemgate-Signature: sha256=<HMAC of the body>.
 * Returns undefined when a 2xx came back, else why not.
 */
export async function postWebhook(url: string, secret: string | undefined, body: string, userAgent: string): Promise<string | undefined> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': userAgent };
  if (secret !== undefined) headers['X-Siemgate-Signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  let why = '';
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    try {
      const r = await axios.post(url, body, { headers, timeout: 10_000, validateStatus: () => true, transformRequest: [(d: string) => d], maxRedirects: 0 });
      if (r.status >= 200 && r.status < 300) return undefined;
      why = `HTTP ${r.status}`;
    } catch (err) {
      why = (err as Error).message;
    }
    if (attempt < WEBHOOK_ATTEMPTS) await new Promise((res) => setTimeout(res, 1000 * 2 ** (attempt - 1)));
  }
  return `${why} after ${WEBHOOK_ATTEMPTS} attempts`;
}
