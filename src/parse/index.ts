export { parseMessage } from './detect';
export { parseRfc5424 } from './rfc5424';
export { parseRfc3164 } from './rfc3164';
export { parseCef } from './cef';
export { parseLeef } from './leef';
export { fieldsOf, isKv, parseKv } from './kv';
export { parseJson } from './json';
export { structuredDataOf } from './structured-data';
export { memberAt, skipSpace, stringEnd } from './json-scan';
export type {
  CefRecord, Format, HeaderKind, LeefRecord, ParseContext, Parsed, StructuredData,
} from './types';
