import { openFileDestination, type FileDestination } from '../connectors/file';
import type { Config } from './config';
import { startInput, type RunningInput } from './inputs';
import { log } from './observe/log';
import { createIngest, type Ingest } from './pipeline';

/** A running gateway: inputs → pipeline (parse+map on workers) → destinations. */
export interface Gateway {
  inputs: RunningInput[];
  ingest: Ingest;
  /** Stop accepting, finish what was received, flush, close. Idempotent. */
  stop(): Promise<void>;
}

export async function startGateway(cfg: Config): Promise<Gateway> {
  const destinations: FileDestination[] = [];
  for (const d of cfg.destinations) destinations.push(await openFileDestination(d));
  const zones: Record<string, string> = {};
  for (const i of cfg.inputs) zones[i.name] = i.timezone;

  const ingest = createIngest({
    workers: cfg.pipeline.workers,
    zones,
    output: destinations.length === 1
      ? (out) => destinations[0].write(out)
      : async (out) => { await Promise.all(destinations.map((d) => d.write(out))); },
  });

  const inputs: RunningInput[] = [];
  try {
    for (const i of cfg.inputs) {
      const running = await startInput(i, ingest);
      inputs.push(running);
      log.info(`input ${i.name} (${i.type}) listening on ${formatAddress(running.address)}`);
    }
  } catch (err) {
    await Promise.allSettled(inputs.map((i) => i.close()));
    await ingest.close();
    await Promise.allSettled(destinations.map((d) => d.close()));
    throw err;
  }
  for (const d of cfg.destinations) log.info(`destination ${d.name} (${d.type}) writing to ${d.path}`);

  let stopping: Promise<void> | undefined;
  return {
    inputs,
    ingest,
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled(inputs.map((i) => i.close()));
        await ingest.close();
        await Promise.allSettled(destinations.map((d) => d.close()));
        const s = ingest.stats();
        const truncated = Object.values(s.truncatedByInput).reduce((a, b) => a + b, 0);
        const reasons: Record<string, number> = {};
        for (const byReason of Object.values(s.rejected)) {
          for (const [reason, n] of Object.entries(byReason)) reasons[reason] = (reasons[reason] ?? 0) + (n ?? 0);
        }
        const why = Object.entries(reasons).map(([r, n]) => `${r} ${n}`).join(', ');
        log.info(`stopped: received ${s.received}, written ${s.written}, rejected ${s.received - s.written - s.inFlight}` +
          (why ? ` (${why})` : '') + (truncated > 0 ? `; ${truncated} of the written were truncated at max_message_bytes` : ''));
      })();
      return stopping;
    },
  };
}

export function formatAddress(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
