import type { DestinationConfig } from '../src/config/types';
import type { Connector } from '../src/delivery/connector';
import { openFileDestination } from './file';
import { openHttpDestination } from './http';

/** The connector for a destination's `type`. */
export async function openConnector(cfg: DestinationConfig): Promise<Connector> {
  switch (cfg.type) {
    case 'file': return openFileDestination(cfg);
    case 'http': return openHttpDestination(cfg);
  }
}

/** Where a destination sends, for the start-up log (never with secrets). */
export function describeTarget(cfg: DestinationConfig): string {
  return cfg.type === 'file' ? cfg.path : cfg.url;
}
