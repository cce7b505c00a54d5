import type { DestinationConfig } from '../src/config/types';
import type { Connector } from '../src/delivery/connector';
import { openFileDestination } from './file';
import { openHttpDestination } from './http';
import { openSplunkHec } from './splunk-hec';

/** The connector for a destination's `type`. */
export async function openConnector(cfg: DestinationConfig): Promise<Connector> {
  switch (cfg.type) {
    case 'file': return openFileDestination(cfg);
    case 'http': return openHttpDestination(cfg);
    case 'splunk_hec': return openSplunkHec(cfg);
  }
}

/** Where a destination sends, for the start-up log (never with secrets). */
export function describeTarget(cfg: DestinationConfig): string {
  switch (cfg.type) {
    case 'file': return cfg.path;
    case 'http': return cfg.url;
    case 'splunk_hec': return cfg.endpoints.join(', ');
  }
}
