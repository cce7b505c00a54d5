import { hostname } from 'node:os';
import type { Config, SentinelDestinationConfig, SplunkHecDestinationConfig } from '../src/config/types';
import type { JournalEvent } from '../src/journal/event-record';
import { ecsToCef } from '../src/mapping';
import { encodeHecEvent } from './splunk-hec/encode';
import { createRowEncoder } from './sentinel/encode';

/** What `siemgate parse --as KIND` prints: exactly what that kind of destination would receive. */
export type PreviewKind = 'cef' | 'sentinel' | 'splunk';
export const PREVIEW_KINDS: readonly PreviewKind[] = ['cef', 'sentinel', 'splunk'];

// With no such destination in the config, the ones `siemgate run` would build from a minimal one.
const DEFAULT_STREAMS = { syslog: 'Custom-SyslogStream', cef: 'Custom-CommonSecurityLogStream', ecs: 'Custom-SiemgateEvents_CL' };

/**
 * One line per event: `cef` the CEF line (mappings/outputs/cef.yaml); `splunk` the HEC event
 * object as the splunk_hec connector sends it; `sentinel` {"stream", "row"} as the sentinel
 * connector posts it (the first destination of that type in the config gives the settings).
 */
export function previewer(kind: PreviewKind, cfg: Config | undefined): (ev: JournalEvent) => string {
  switch (kind) {
    case 'cef':
      return (ev) => ecsToCef(JSON.parse(ev.doc.toString('utf8')) as Record<string, unknown>);
    case 'splunk': {
      const d = cfg?.destinations.find((x) => x.type === 'splunk_hec') as SplunkHecDestinationConfig | undefined;
      const hec = d ?? ({ type: 'splunk_hec', name: 'preview' } as SplunkHecDestinationConfig);
      return (ev) => encodeHecEvent(ev, hec).toString('utf8').trimEnd();
    }
    case 'sentinel': {
      const d = cfg?.destinations.find((x) => x.type === 'sentinel') as SentinelDestinationConfig | undefined;
      const enc = createRowEncoder({ streams: d?.streams ?? DEFAULT_STREAMS }, hostname());
      return (ev) => {
        const route = enc.routes[ev.format];
        if (route === undefined) return JSON.stringify({ stream: null, row: null, why: 'no stream configured for this format' });
        return JSON.stringify({ stream: route.stream, row: JSON.parse(enc.encode(ev).toString('utf8')) as unknown });
      };
    }
    default:
      throw new Error(`unknown preview ${String(kind)}`);
  }
}
