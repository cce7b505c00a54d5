import type { Verdict } from '../../src/delivery/connector';
import { parseRetryAfter } from '../../src/delivery/backoff';

/** A HEC answer: HTTP status and the `{"text","code","invalid-event-number"}` body (protocols.md §4.3). */
export interface HecAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

export interface HecReply {
  text?: string;
  code?: number;
  'invalid-event-number'?: number;
}

/** What the answer means for each of `n` events sent together; `split` asks for halving (413). */
export interface HecOutcome {
  verdicts: Verdict[] | 'split';
  /** The destination itself is unusable (token, index, channel settings): it is `down` until fixed. */
  misconfigured?: string;
  /** This endpoint failed (5xx, busy, unreachable): prefer the others for a while. */
  endpointFailed?: boolean;
}

// Codes about one event: that event is refused, those before it were indexed (§4.2, observed).
const EVENT_CODES = new Set([6, 12, 13, 15]);

export function parseReply(body: string): HecReply {
  try {
    const v = JSON.parse(body) as unknown;
    return v !== null && typeof v === 'object' ? (v as HecReply) : {};
  } catch {
    return {};
  }
}

export function classifyHec(a: HecAnswer, n: number, indexOf: (i: number) => string | undefined): HecOutcome {
  const r = parseReply(a.body);
  const said = `HEC ${a.status}${r.code !== undefined ? ` code ${r.code}` : ''}${r.text ? ` "${r.text}"` : ''}`;
  const all = (v: Verdict): Verdict[] => Array.from({ length: n }, () => v);
  if (a.status >= 200 && a.status < 300) return { verdicts: all({ outcome: 'delivered' }) }; // incl. codes 24/25: accepted
  if (a.status === 413) return { verdicts: 'split' };
  if (a.status === 429 || a.status >= 500) {
    return { verdicts: all({ outcome: 'retry', reason: said, delayMs: parseRetryAfter(a.retryAfter) }), endpointFailed: true };
  }
  if (a.status === 401 || a.status === 403) {
    return { verdicts: all({ outcome: 'retry', reason: said }), misconfigured: `${said}: check the token (token / token_file) and that it is enabled in Splunk` };
  }
  const bad = r['invalid-event-number'];
  if (a.status === 400 && typeof bad === 'number' && (EVENT_CODES.has(r.code ?? -1) || r.code === 7)) {
    // code 7 names the object after the bad one (observed on 10.4.3, §4.2)
    const at = r.code === 7 ? Math.max(0, bad - 1) : bad;
    if (at < n) {
      const v: Verdict[] = [];
      // code 7: the later events for the same index would be refused the same way, one request
      // each (a mapping's SC4S-style index the token does not allow: every event of that product)
      const index = r.code === 7 ? indexOf(at) : undefined;
      const reason = r.code === 7 ? `${said}: index ${JSON.stringify(index ?? '(token default)')} is not allowed for this token` : said;
      for (let i = 0; i < n; i++) {
        if (i < at) v.push({ outcome: 'delivered' });
        else if (i === at || (r.code === 7 && indexOf(i) === index)) v.push({ outcome: 'reject', reason, response: a.body });
        else v.push({ outcome: 'retry', reason: 'sent again after the refused event before it', delayMs: 0 });
      }
      return { verdicts: v, misconfigured: r.code === 7 ? `${said}: add the index to the token's allowed indexes in Splunk, or change index` : undefined };
    }
  }
  // channel, ack, query-string settings, "No data": nothing an event can fix
  return { verdicts: all({ outcome: 'retry', reason: said }), misconfigured: `${said}: check the HEC token's settings in Splunk` };
}
