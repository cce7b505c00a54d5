/**
 * What a parser gives back. One fixed shape for every format, so that the ECS mapper is
 * fixed-shape code, not an object walker. Absent fields are `undefined`, never '' or -1.
 */

/** The payload format (CEF inside an RFC 3164 header is `cef`; `header` says what wrapped it). */
export type Format = 'rfc5424' | 'rfc3164' | 'cef' | 'leef' | 'json' | 'kv' | 'unknown';

/** Which syslog header, if any, carried the payload. */
export type HeaderKind = 'rfc5424' | 'rfc3164' | 'none';

/** RFC 5424 structured data: `{ sdId: { param: value } }`, values unescaped. */
export type StructuredData = Record<string, Record<string, string>>;

export interface CefRecord {
  version: number;
  deviceVendor: string;
  deviceProduct: string;
  deviceVersion: string;
  deviceEventClassId: string;
  name: string;
  /** As written: an integer 0–10 or one of Unknown, Low, Medium, High, Very-High. */
  severity: string;
  /** Extension pairs exactly as keyed on the wire (short keys, e.g. `src`), values unescaped. */
  extensions: Record<string, string>;
}

export interface LeefRecord {
  version: string; // '1.0' | '2.0' (as written)
  vendor: string;
  product: string;
  productVersion: string;
  eventId: string;
  /** The attribute delimiter actually used (TAB for 1.0 unless the message shows otherwise). */
  delimiter: string;
  attributes: Record<string, string>;
}

export interface Parsed {
  format: Format;
  header: HeaderKind;
  /** PRI value 0..191 when a valid PRI was present. */
  pri?: number;
  /** RFC 5424 VERSION. */
  version?: number;
  /** Event time, epoch milliseconds UTC. */
  timestamp?: number;
  /** Sub-millisecond part of the timestamp in microseconds (0..999), when the source gave it. */
  timestampMicros?: number;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  /**
   * RFC 5424 structured data as objects. NOT filled by the parser (decoding per message is waste on
   * the hot path): read it with `structuredDataOf(p)`, which decodes `sdText` and caches it here.
   */
  structuredData?: StructuredData;
  /**
   * RFC 5424 STRUCTURED-DATA exactly as on the wire, from the first `[` to the last `]`, already
   * validated by the parser (undefined for `-` or no SD). Values are still escaped (`\"` `\\` `\]`);
   * use `structuredDataOf(p)` for the decoded objects. The ECS writer turns it into JSON directly.
   */
  sdText?: string;
  /** MSG / content after the header (BOM stripped); the whole text when there is no header. */
  message: string;
  cef?: CefRecord;
  leef?: LeefRecord;
  /**
   * A JSON object payload, or key=value pairs (values as strings). NOT filled for a kv payload
   * (format `kv`): read it with `fieldsOf(p)`, which builds the pairs from `message` and caches them here.
   */
  fields?: Record<string, unknown>;
  /** Notes about how the message was read, e.g. `year_inferred`, `no_hostname`, `parse_error`. */
  tags?: string[];
  /** Why a message fell back to `unknown` (for the operator; the event is kept all the same). */
  error?: string;
}

/** Per-input settings a parser needs. */
export interface ParseContext {
  /** Zone for timestamps that carry none (RFC 3164, Cisco): IANA name or `UTC`. */
  timezone: string;
  /** Reference clock (epoch ms) for inferring a missing year; usually the receive time. */
  now: number;
  /**
   * A kv payload is only recognised, its pairs built when first read (fieldsOf): with mappings on,
   * a mapping that takes what it wants from the payload (FortiGate, ~50 pairs) never reads them.
   * Without mappings the document always holds them, and building them at once saves a second scan.
   */
  lazyKv?: boolean;
  /** Plain text is expected (a HEC sender's text event): no structure found is not a parse error. */
  plainText?: boolean;
}
