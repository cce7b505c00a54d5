import type { DestinationConfig } from '../src/config/types';
import type { Connector } from '../src/delivery/connector';
import { openFileDestination } from './file';
import { openHttpDestination } from './http';
import { openSplunkHec } from './splunk-hec';
import { probeSplunkHec } from './splunk-hec/probe';
import { openElasticsearch } from './elasticsearch';
import { shownEndpoint } from './elasticsearch/client';
import { probeElasticsearch } from './elasticsearch/probe';
import { openSentinel } from './sentinel';
import { probeSentinel } from './sentinel/probe';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/** The connector for a destination's `type`. */
export async function openConnector(cfg: DestinationConfig): Promise<Connector> {
  switch (cfg.type) {
    case 'file': return openFileDestination(cfg);
    case 'http': return openHttpDestination(cfg);
    case 'splunk_hec': return openSplunkHec(cfg);
    case 'elasticsearch': return openElasticsearch(cfg);
    case 'sentinel': return openSentinel(cfg);
  }
}

/** Where a destination sends, for the start-up log (never with secrets). */
export function describeTarget(cfg: DestinationConfig): string {
  switch (cfg.type) {
    case 'file': return cfg.path;
    case 'http': return cfg.url;
    case 'splunk_hec': return cfg.endpoints.join(', ');
    case 'elasticsearch': return cfg.endpoints.map(shownEndpoint).join(', ');
    case 'sentinel': return `${cfg.endpoint}/dataCollectionRules/${cfg.dcrImmutableId}`;
  }
}

/**
 * `siemgate check`: whether a destination can be used, without sending events or creating files.
 * Resolves with what was proven; rejects with one line an operator can act on.
 */
export async function probeDestination(cfg: DestinationConfig, timeoutMs = 5000): Promise<string> {
  switch (cfg.type) {
    case 'file': {
      let dir = dirname(cfg.path);
      while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
      if (existsSync(cfg.path) && statSync(cfg.path).isDirectory()) throw new Error(`${cfg.path} is a directory; path must name the file to append to (e.g. ${join(cfg.path, 'events.ndjson')})`);
      try {
        accessSync(existsSync(cfg.path) ? cfg.path : dir, constants.W_OK);
      } catch {
        throw new Error(`${cfg.path}: ${existsSync(cfg.path) ? 'the file' : `the directory ${dir}`} is not writable by this user`);
      }
      return `${cfg.path} can be written`;
    }
    case 'http': {
      const u = new URL(cfg.url);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      await new Promise<void>((resolve, reject) => {
        const s = connect({ host: u.hostname, port, timeout: timeoutMs });
        s.once('connect', () => { s.destroy(); resolve(); });
        s.once('timeout', () => { s.destroy(); reject(new Error(`${u.host}: no answer within ${timeoutMs} ms`)); });
        s.once('error', (err) => reject(new Error(`${u.host}: ${err.message}; check the URL and the network path`)));
      });
      return `${u.host} accepts connections (the collector itself is not probed: no standard probe)`;
    }
    case 'splunk_hec':
      return (await probeSplunkHec(cfg, timeoutMs)).join('; ');
    case 'elasticsearch': return (await probeElasticsearch(cfg, timeoutMs)).join('; ');
    case 'sentinel': return (await probeSentinel(cfg, timeoutMs)).join('; ');
  }
}
