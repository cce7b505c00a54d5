import type { Parsed } from '../parse';

/** What a mapping reads: one parsed message and where it came from. */
export interface MapInput {
  parsed: Parsed;
  raw: string;
  /** The input's name (config `inputs[].name`). */
  input: string;
  /** The sender's address ('' when there is no network peer, as in `siemgate parse`). */
  peerIp: string;
  /** The input's zone, for timestamps that carry none. */
  timezone: string;
  /** The receive time (epoch ms), for timestamps without a year. */
  now: number;
}

/** One step of `--explain`: what ran and which fields it set. */
export interface TraceStep {
  step: string;
  set: Record<string, unknown>;
}

/** What the mapping made of one message. */
export interface MapResult {
  /** The product id (a source mapping's `product`), its vendor and display name. */
  product: string;
  vendor: string;
  name: string;
  /** The mapping file and how the product was recognised. */
  file: string;
  matchedBy: string;
  /** The rule that applied (its `name`), if any did. */
  rule?: string;
  dataset: string;
  /** The Elasticsearch data stream's dataset: siemgate.<product> unless the mapping names one. */
  streamDataset: string;
  /** The document keeps the parser's generic `kv` / `json` object (keep_parsed_fields). */
  keepParsedFields: boolean;
  sourcetype?: string;
  index?: string;
  /** ECS fields: dotted paths (`source.ip`) and their values, converted to their ECS types, in the
   *  order of the mapping's field table (the same key set gives the same order). */
  names: string[];
  values: unknown[];
  /** Identifies the rule (or the product, with no rule) for caches keyed by it. */
  ruleKey: object;
  /** Problems met while mapping (a value that is not an IP for source.ip, say): tags on the event. */
  warnings?: string[];
  trace?: TraceStep[];
}

/** The compiled mappings of a gateway: one function call per event. */
export interface Mapper {
  map(ev: MapInput, trace?: TraceStep[]): MapResult | undefined;
  /** The source mappings in use, after user ones replaced shipped ones with the same product id. */
  sources: SourceSummary[];
  examples: MappingExample[];
  /** The files in use as plain data, for worker threads (MapperOptions.prepared). */
  prepared: Array<{ file: string; raw: unknown }>;
}

export interface SourceSummary {
  product: string;
  vendor: string;
  name: string;
  file: string;
  /** Set when a file in a user directory replaced a shipped one with the same product id. */
  replaces?: string;
}

/** `examples:` of a mapping file: a raw line and what it must give. */
export interface MappingExample {
  file: string;
  line: number;
  product: string;
  raw: string;
  input?: string;
  fields: Record<string, unknown>;
  sourcetype?: string;
  rule?: string;
}

/** Config-side assignments: messages from these inputs / addresses / hosts are this product. */
export interface MappingAssignment {
  product: string;
  inputs: string[];
  /** Addresses or CIDR blocks of senders. */
  sources: string[];
  /** Host names as in the message header (globs with `*`). */
  hosts: string[];
}
