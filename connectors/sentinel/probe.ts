import type { SentinelDestinationConfig } from '../../src/config/types';
import { classifyIngestion, createSentinelTransport, errorOf, type SentinelTransport } from './client';
import { createTokenSource, redact } from './token';

const EMPTY_ARRAY = Buffer.from('[]');

/**
 * `siemgate check`: can the gateway get a token, and does each configured stream take it?
 * The probe of a stream is a POST of an empty JSON array: no row is written, yet the service has
 * to authenticate the token, find the DCR and the stream and check the role before it reads the
 * body. Vector's azure_logs_ingestion sink probes the same way (its healthcheck POSTs `[]` and
 * reads 401/403/404 as settings problems). What the live service answers to `[]` when all is well
 * is not recorded in a source we could read (UNVERIFIED: presumably 204, like any accepted call);
 * so any 2xx counts as accepted, and a 400 about the empty body still proves the token, the DCR
 * and the stream, which is what this check is for.
 */
export async function probeSentinel(cfg: SentinelDestinationConfig, timeoutMs: number,
  transport: SentinelTransport = createSentinelTransport(cfg, timeoutMs)): Promise<string[]> {
  const tokens = createTokenSource(transport.token, cfg);
  let token: string;
  try {
    token = await tokens.get();
  } catch (err) {
    throw new Error(redact((err as Error).message, cfg));
  }
  const ok: string[] = [];
  const problems: string[] = [];
  const streams = Object.entries(cfg.streams).filter((e): e is [string, string] => e[1] !== undefined);
  for (const [kind, stream] of streams) {
    try {
      const a = await transport.ingest(stream, EMPTY_ARRAY, token, AbortSignal.timeout(timeoutMs));
      const o = classifyIngestion(a, { stream, dcrImmutableId: cfg.dcrImmutableId, clientId: cfg.clientId, apiVersion: cfg.apiVersion });
      if (o.kind === 'delivered') ok.push(`streams.${kind} ${stream}: token and role accepted`);
      else if (o.kind === 'bad-rows') {
        const e = errorOf(a);
        ok.push(`streams.${kind} ${stream}: token and role accepted (the service refused the empty probe body: ${e.code ?? a.status}${e.message ? ` ${e.message}` : ''})`);
      } else if (o.kind === 'retry' && o.misconfigured !== undefined) {
        const said = errorOf(a).message;
        problems.push(`streams.${kind}: ${o.misconfigured}${said ? ` (the service said: ${said})` : ''}`);
      }
      else problems.push(`streams.${kind}: ${o.reason}; the service is not taking data now`);
    } catch (err) {
      problems.push(redact(`streams.${kind} ${stream}: ${cfg.endpoint} not reachable (${(err as Error).message}); check endpoint, the network path and tls.ca_file`, cfg));
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return ok;
}
