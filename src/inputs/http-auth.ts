import { createHash, timingSafeEqual } from 'crypto';
import type { HttpToken } from '../config/types';

/** What an Authorization header carried. */
export type Credential =
  | { kind: 'absent' }
  | { kind: 'malformed'; scheme: string } // present, but not `<scheme> <token>` in a form we read
  | { kind: 'token'; scheme: 'bearer' | 'splunk' | 'basic'; token: string };

/**
 * Reads `Bearer <t>`, `Splunk <t>` and `Basic base64(user:<t>)` (HEC takes the token as the
 * Basic password, any user). Scheme names are case-insensitive (RFC 9110 §11.1).
 */
export function readCredential(header: string | undefined): Credential {
  if (header === undefined) return { kind: 'absent' };
  const m = /^([A-Za-z]+) +(\S+) *$/.exec(header);
  if (!m) return { kind: 'malformed', scheme: header.split(' ')[0]?.slice(0, 20) ?? '' };
  const scheme = m[1].toLowerCase();
  if (scheme === 'bearer' || scheme === 'splunk') return { kind: 'token', scheme, token: m[2] };
  if (scheme === 'basic') {
    const decoded = Buffer.from(m[2], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const token = colon < 0 ? '' : decoded.slice(colon + 1);
    return token ? { kind: 'token', scheme, token } : { kind: 'malformed', scheme: m[1] };
  }
  return { kind: 'malformed', scheme: m[1] };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The configured tokens of one input. `match` compares in constant time: sha256 digests of
 * equal length through timingSafeEqual, every configured token checked (no early exit), so
 * neither the token's length nor which entry matched shows in the timing.
 */
export class TokenSet {
  private readonly digests: Array<{ name: string; digest: Buffer }>;

  constructor(tokens: HttpToken[]) {
    this.digests = tokens.map((t) => ({ name: t.name, digest: digest(t.secret) }));
  }

  /** The name of the matching token, or undefined. */
  match(token: string): string | undefined {
    const d = digest(token);
    let found: string | undefined;
    for (const t of this.digests) {
      if (timingSafeEqual(d, t.digest) && found === undefined) found = t.name;
    }
    return found;
  }
}
