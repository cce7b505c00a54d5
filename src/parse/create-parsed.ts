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

/** Appends a tag, creating the list on first use. */
export function addTag(p: Parsed, tag: string): void {
  if (p.tags === undefined) p.tags = [tag];
  else if (!p.tags.includes(tag)) p.tags.push(tag);
}
