import { applySource } from './apply';
import { buildClassifier } from './classify';
import { loadSources, shippedMappingsDir } from './load';
import type { Mapper, MappingAssignment } from './types';

export type { MapInput, MapResult, Mapper, MappingAssignment, MappingExample, SourceSummary, TraceStep } from './types';
export { shippedMappingsDir } from './load';
export { runExamples, describeFailure, valueAt, type ExampleFailure } from './examples';

export interface MapperOptions {
  /** The user's mapping directories (config `mappings.dirs`), after the shipped one: theirs win. */
  dirs?: string[];
  /** Leave out the shipped mappings (a user's `siemgate parse --check DIR` of their own only). */
  withoutShipped?: boolean;
  assign?: MappingAssignment[];
}

/** Loads and compiles the mappings once; the returned mapper is the per-event call. */
export function createMapper(opts: MapperOptions = {}): Mapper {
  const dirs = [...(opts.withoutShipped ? [] : [shippedMappingsDir()]), ...(opts.dirs ?? [])];
  const { sources, summaries } = loadSources(dirs);
  const classify = buildClassifier(sources, opts.assign ?? []);
  return {
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
