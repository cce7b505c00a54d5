import { applySource } from './apply';
import { buildClassifier } from './classify';
import { compilePrepared, loadSources, shippedMappingsDir, type PreparedSource } from './load';
import type { Mapper, MappingAssignment } from './types';

export type { PreparedSource } from './load';
export type { MapInput, MapResult, Mapper, MappingAssignment, MappingExample, SourceSummary, TraceStep } from './types';
export { shippedMappingsDir } from './load';
export { runExamples, describeFailure, valueAt, type ExampleFailure } from './examples';

export interface MapperOptions {
  /** The user's mapping directories (config `mappings.dirs`), after the shipped one: theirs win. */
  dirs?: string[];
  /** Leave out the shipped mappings (a user's `siemgate parse --check DIR` of their own only). */
  withoutShipped?: boolean;
  assign?: MappingAssignment[];
  /** Files the main thread already loaded (Mapper.prepared): compiled as they are, no YAML read. */
  prepared?: PreparedSource[];
}

/** Loads and compiles the mappings once; the returned mapper is the per-event call. */
export function createMapper(opts: MapperOptions = {}): Mapper {
  let sources;
  let summaries: Mapper['sources'] = [];
  let prepared: PreparedSource[];
  if (opts.prepared !== undefined) {
    sources = compilePrepared(opts.prepared);
    prepared = opts.prepared;
  } else {
    const dirs = [...(opts.withoutShipped ? [] : [shippedMappingsDir()]), ...(opts.dirs ?? [])];
    ({ sources, summaries, prepared } = loadSources(dirs));
  }
  const classify = buildClassifier(sources, opts.assign ?? []);
  return {
    prepared,
    map(ev, trace) {
      const hit = classify(ev);
      return hit === undefined ? undefined : applySource(hit.source, hit.by, ev, trace);
    },
    sources: summaries,
    examples: sources.flatMap((s) => s.examples),
  };
}
export { ecsToCef } from './to-cef';
export { cefOutput, splunkSourcetypes } from './outputs';
