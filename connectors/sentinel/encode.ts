import type { SentinelDestinationConfig, SentinelStreams } from '../../src/config/types';
import type { JournalEvent } from '../../src/journal/event-record';
import type { Format } from '../../src/parse';
import { cefRow } from './cef-row';
import type { Doc } from './doc-fields';
import { ecsRow } from './ecs-row';
import { rowContext, type RowContext } from './row-values';
import { syslogRow } from './syslog-row';
import { syslogRowWriter, type SyslogRowWriter } from './syslog-row-bytes';
import { createSlabs } from '../shared/slabs';

/** Which table shape a row has; the config's `streams.<kind>` names its DCR stream. */
export type RowKind = keyof SentinelStreams;

export interface Route {
  kind: RowKind;
  stream: string;
  build: (doc: Doc, ev: JournalEvent, ctx: RowContext) => string;
}

const BUILDERS: Record<RowKind, Route['build']> = { syslog: syslogRow, cef: cefRow, ecs: ecsRow };

/** The table each format's rows belong in, before fallback. */
export const OWN_KIND: Record<Format, RowKind> = {
  cef: 'cef', rfc5424: 'syslog', rfc3164: 'syslog', kv: 'syslog', unknown: 'syslog', json: 'ecs', leef: 'ecs',
};

/**
 * The stream and row shape per format, decided once at start: the format's own stream, else the
 * ECS stream (an ECS row fits any event), else none (the event is rejected; see noRouteReason).
 */
export function routesFor(streams: SentinelStreams): Record<Format, Route | undefined> {
  const out = {} as Record<Format, Route | undefined>;
  for (const format of Object.keys(OWN_KIND) as Format[]) {
    const own = OWN_KIND[format];
    const kind: RowKind | undefined = streams[own] !== undefined ? own : streams.ecs !== undefined ? 'ecs' : undefined;
    out[format] = kind === undefined ? undefined : { kind, stream: streams[kind]!, build: BUILDERS[kind] };
  }
  return out;
}

const TABLE: Record<RowKind, string> = { syslog: 'Syslog', cef: 'CommonSecurityLog', ecs: 'SiemgateEvents_CL' };

/** Why an event of this format has nowhere to go, and which key to set. */
export function noRouteReason(format: Format): string {
  const own = OWN_KIND[format];
  const keys = own === 'ecs' ? 'streams.ecs (SiemgateEvents_CL rows)' : `streams.${own} (${TABLE[own]} rows) or streams.ecs (SiemgateEvents_CL rows)`;
  return `no Sentinel stream takes ${format} events: set ${keys} on this destination (DCR templates in docs/sentinel/), then replay the dead letters`;
}

/** An event that has no row: no stream for its format, or a document that is not a JSON object. */
export const NO_ROW = Buffer.alloc(0);

export interface RowEncoder {
  routes: Record<Format, Route | undefined>;
  /** The row's JSON bytes, or NO_ROW. */
  encode(ev: JournalEvent): Buffer;
  /** Rows (each once) that nothing sends again: the slab memory of those made from bytes may be reused. */
  release(rows: readonly Buffer[]): void;
}

export function createRowEncoder(cfg: Pick<SentinelDestinationConfig, 'streams'>, collectorHost: string): RowEncoder {
  const routes = routesFor(cfg.streams);
  const ctx = rowContext(collectorHost);
  const slabs = createSlabs();
  let syslogBytes: SyslogRowWriter | undefined;
  return {
    routes,
    release: (rows) => slabs.release(rows),
    encode(ev) {
      const route = routes[ev.format];
      if (route === undefined) return NO_ROW;
      if (route.kind === 'syslog') {
        // from the document's bytes when it is as the pipeline writes it (syslog-row-bytes.ts)
        const row = (syslogBytes ??= syslogRowWriter(ctx))(ev, slabs.room);
        if (row !== undefined) return row;
      }
      const doc = parseDoc(ev.doc);
      return doc === undefined ? NO_ROW : Buffer.from(route.build(doc, ev, ctx), 'utf8');
    },
  };
}

/** The one JSON.parse per event: the mapping reads fields that the journal does not keep as keys. */
function parseDoc(bytes: Buffer): Doc | undefined {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined; // the pipeline only journals JSON it wrote; this is a damaged record
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined;
}
