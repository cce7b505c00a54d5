import type { SplunkHecDestinationConfig } from '../../src/config/types';
import { createHttpClient } from '../shared/http-client';
import { parseReply } from './client';

/**
 * `siemgate check`: does each HEC endpoint answer, and does it take our token? /health says the
 * collector is up (it does not look at tokens, protocols.md §4.1); an empty POST to /event is the
 * cheapest token test: a valid token gets 400 code 5 "No data", a bad one 401/403 (§4.3).
 */
export async function probeSplunkHec(cfg: SplunkHecDestinationConfig, timeoutMs: number): Promise<string[]> {
  const client = createHttpClient({ https: cfg.endpoints.some((e) => e.startsWith('https:')), timeoutMs, tls: cfg.tls });
  const problems: string[] = [];
  const ok: string[] = [];
  for (const e of cfg.endpoints) {
    try {
      const h = await client.get(`${e}/services/collector/health`);
      const hr = parseReply(String(h.data ?? ''));
      if (h.status !== 200) problems.push(`${e}: HEC health answered ${h.status} code ${hr.code} "${hr.text ?? ''}"; the collector is not taking events now`);
      const headers: Record<string, string> = { Authorization: `Splunk ${cfg.token}` };
      if (cfg.ack) headers['X-Splunk-Request-Channel'] = '00000000-0000-4000-8000-000000000000';
      const t = await client.post(`${e}/services/collector/event`, '', { headers });
      const r = parseReply(String(t.data ?? ''));
      if (t.status === 400 && r.code === 5) ok.push(`${e}: healthy, token accepted`);
      else if (r.code === 10) problems.push(`${e}: the token has indexer acknowledgement enabled; set ack: true for this destination`);
      else if (t.status === 401 || t.status === 403) problems.push(`${e}: token refused (HEC ${t.status} code ${r.code} "${r.text ?? ''}"); check token / token_file and that the token is enabled`);
      else problems.push(`${e}: unexpected answer to a token check: HTTP ${t.status} ${String(t.data ?? '').slice(0, 200)}`);
    } catch (err) {
      problems.push(`${e}: not reachable (${(err as Error).message}); check the URL, the network path and tls.ca_file`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return ok;
}
