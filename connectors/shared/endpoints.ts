/** How long an endpoint that failed is passed over while another one answers. */
export const ENDPOINT_COOLDOWN_MS = 30_000;

export interface EndpointPicker {
  /** The next endpoint in round-robin order that is not cooling down (all cooling down: the next one). */
  pick(): string;
  /** It failed (no answer, 5xx, busy): pass it over for the cooldown while others answer. */
  failed(endpoint: string): void;
  /** It answered: use it again at once. */
  answered(endpoint: string): void;
}

/** Round robin with failover over a destination's `endpoints` (Splunk HEC, Elasticsearch). */
export function createEndpointPicker(endpoints: readonly string[], cooldownMs = ENDPOINT_COOLDOWN_MS): EndpointPicker {
  let next = 0;
  const failedUntil = new Map<string, number>();
  return {
    pick() {
      const now = Date.now();
      for (let k = 0; k < endpoints.length; k++) {
        const e = endpoints[(next + k) % endpoints.length];
        if ((failedUntil.get(e) ?? 0) <= now) {
          next = (next + k + 1) % endpoints.length;
          return e;
        }
      }
      const e = endpoints[next]; // all failing: keep rotating
      next = (next + 1) % endpoints.length;
      return e;
    },
    failed: (e) => { failedUntil.set(e, Date.now() + cooldownMs); },
    answered: (e) => { failedUntil.delete(e); },
  };
}
