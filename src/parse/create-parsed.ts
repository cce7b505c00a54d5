import type { Format, HeaderKind, Parsed } from './types';

/**
 * A `Parsed` with every key present (absent = `undefined`), always created in the same key order,
 * so all results share one object shape and the mapper's property reads stay monomorphic.
 */
export function createParsed(format: Format, header: HeaderKind, message: string): Parsed {
  return {
    format,
    header,
    pri: undefined,
    version: undefined,
    timestamp: undefined,
    timestampMicros: undefined,
    hostname: undefined,
    appname: undefined,
    procid: undefined,
    msgid: undefined,
    structuredData: undefined,
    sdText: undefined,
    message,
    cef: undefined,
    leef: undefined,
    fields: undefined,
    tags: undefined,
    error: undefined,
  };
}

/**
 * No parser took the text where structure was expected. Detection decides this once, setting
 * `error` only then (a HEC sender's plain text event is `unknown` with no error), and everything
 * downstream (the `parse_error` tag, the unparsed counts) asks here rather than deciding again.
 */
export function parseFailed(p: Parsed): boolean {
  return p.format === 'unknown' && p.error !== undefined;
}

/** Appends a tag, creating the list on first use. */
export function addTag(p: Parsed, tag: string): void {
  if (p.tags === undefined) p.tags = [tag];
  else if (!p.tags.includes(tag)) p.tags.push(tag);
}
