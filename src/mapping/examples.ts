import { isDeepStrictEqual } from 'node:util';
import { batchContext, processOne } from '../pipeline/process-batch';
import type { Mapper, MappingExample } from './types';

/** One example that did not give what it says, in words an author can act on. */
export interface ExampleFailure {
  example: MappingExample;
  problems: string[];
}

/**
 * Runs every `examples:` entry through the gateway's own per-event path (parse, classify, map,
 * serialize) and compares the document with what the example lists: each field by dotted path,
 * the sourcetype, the rule, and that the example is recognised as its own file's product.
 */
export function runExamples(mapper: Mapper, examples: MappingExample[] = mapper.examples): ExampleFailure[] {
  const failures: ExampleFailure[] = [];
  const now = Date.now();
  for (const ex of examples) {
    const problems: string[] = [];
    const r = processOne(ex.raw, 0, { input: ex.input ?? 'example', transport: 'tcp', ip: '', port: 0 }, undefined,
      batchContext(now), { timezone: 'UTC', now }, mapper);
    const m = r.mapped;
    if (m === undefined) problems.push('no mapping recognised it');
    else if (m.product !== ex.product) problems.push(`recognised as ${m.product} (${m.file}, by ${m.matchedBy}), not ${ex.product}`);
    else {
      if (ex.rule !== undefined && m.rule !== ex.rule) problems.push(`rule: expected ${ex.rule}, got ${m.rule ?? 'none (no rule applied)'}`);
      if (ex.sourcetype !== undefined && m.sourcetype !== ex.sourcetype) problems.push(`sourcetype: expected ${ex.sourcetype}, got ${m.sourcetype ?? 'none'}`);
      if (m.warnings !== undefined) problems.push(`warnings: ${m.warnings.join('; ')}`);
    }
    const doc = JSON.parse(r.line) as Record<string, unknown>;
    for (const [path, want] of Object.entries(ex.fields)) {
      const got = valueAt(doc, path);
      if (!isDeepStrictEqual(got, want)) problems.push(`${path}: expected ${JSON.stringify(want)}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    }
    if (problems.length > 0) failures.push({ example: ex, problems });
  }
  return failures;
}

/** A document's value at a dotted path (`source.ip`; `@timestamp`). */
export function valueAt(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  let v: unknown = doc;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export function describeFailure(f: ExampleFailure): string {
  const ex = f.example;
  return `${ex.file}:${ex.line}: example ${JSON.stringify(ex.raw.length > 80 ? `${ex.raw.slice(0, 77)}...` : ex.raw)}\n    ${f.problems.join('\n    ')}`;
}
