/**
 * Capped exponential backoff with full jitter: the n-th consecutive failure waits a uniform
 * random time in [0, min(max, initial * 2^n)). Full jitter spreads the retries of many gateways
 * hitting one recovering SIEM, where equal jitter would still send them in waves (AWS
 * Architecture Blog, "Exponential Backoff And Jitter").
 */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffMs(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns ms from now, or
 * undefined when absent or unreadable. Capped so a bad header cannot park a destination for days.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now(), capMs = 10 * 60_000): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, capMs);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), capMs);
}
