/**
 * The configuration contract (design.md "Configuration"), as JSON Schema: every key with its
 * description, default and example. Inputs and destinations are validated by the schema of their
 * own `type`, so an error speaks of the keys that type takes, not of a union of all of them.
 */

import { observeSchema } from './schema-observe';

type Schema = Record<string, unknown>;

const size = (doc: string, def: string | number, example?: string): Schema => ({
  description: `${doc} A number of bytes, or a size like 64KiB, 10MiB, 2GiB.`,
  default: def,
  examples: [example ?? def],
  anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([KMGT]i?B|B)?\\s*$' }],
});

const ms = (doc: string, def: number): Schema => ({
  description: `${doc} Milliseconds.`, type: 'integer', minimum: 0, default: def, examples: [def],
});

const address = (example: string): Schema => ({
  description: 'host:port to listen on; IPv6 in brackets, e.g. [::]:514. Port 0 picks a free port.',
  type: 'string',
  pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^:\\s\\[\\]]+):\\d{1,5}$',
  examples: [example],
});

const name: Schema = {
  description: 'A unique name; it labels metrics, logs and the ledger.',
  type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', examples: ['fw-udp'],
};

const timezone: Schema = {
  description: 'Zone for timestamps that carry none (RFC 3164, Cisco): an IANA name or UTC.',
  type: 'string', default: 'UTC', examples: ['Europe/Berlin'],
};

/** A named token given as secret or secret_file: HTTP input tokens and admin tokens. */
const tokenProps: Record<string, Schema> = {
  name: { type: 'string', description: 'Who holds the token (logged; the secret never is).' },
  secret: { type: 'string', minLength: 1, description: 'The token, usually "${ENV_VAR}".' },
  secret_file: { type: 'string', description: 'A file holding the token (trailing newline ignored).' },
};

const tlsServer: Schema = {
  type: 'object',
  description: 'TLS for this listener.',
  additionalProperties: false,
  required: ['cert_file', 'key_file'],
  properties: {
    cert_file: { type: 'string', description: 'PEM certificate (chain) of this listener.' },
    key_file: { type: 'string', description: 'PEM private key of cert_file.' },
    ca_file: { type: 'string', description: 'PEM CA bundle that client certificates must chain to.' },
    client_auth: {
      enum: ['none', 'optional', 'required'], default: 'none',
      description: 'none: no client certificate asked; optional: asked, verified when sent; required: connection refused without a valid one.',
    },
    min_version: { enum: ['TLSv1.2', 'TLSv1.3'], default: 'TLSv1.2', description: 'Oldest TLS version accepted (RFC 5425 needs 1.2+).' },
    handshake_timeout_ms: {
      type: 'integer', minimum: 100, default: 10000,
      description: 'A connection whose TLS handshake is not done by then is closed and counted (it holds one of max_connections meanwhile).',
    },
  },
};

const streamProps: Record<string, Schema> = {
  name, address: address('0.0.0.0:514'), timezone,
  framing: {
    enum: ['auto', 'lf', 'octet'], default: 'auto',
    description: 'auto: decided per message as rsyslog does (a digit starts an RFC 6587 octet count, anything else is an LF-terminated line); lf; octet.',
  },
  max_message_bytes: size('Longest message accepted; longer ones are truncated or rejected (see oversize).', 65536),
  oversize: { enum: ['truncate', 'reject'], default: 'truncate', description: 'truncate: keep the first max_message_bytes, tag the event `truncated`; reject: count and drop it.' },
  idle_timeout_ms: ms('Close a connection that sent nothing for this long, or that has been sending one message for longer (0: never).', 300000),
  max_connections: { type: 'integer', minimum: 1, default: 1000, description: 'Connections beyond this are refused and counted.' },
};

export const inputSchemas: Record<string, Schema> = {
  syslog_udp: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'address'],
    properties: {
      name, type: { const: 'syslog_udp' }, address: address('0.0.0.0:514'), timezone,
      receive_buffer_bytes: size('Kernel receive buffer (SO_RCVBUF): what absorbs bursts. Capped by net.core.rmem_max; raise that sysctl too.', '16MiB', '32MiB'),
      max_message_bytes: size('Longest datagram kept whole; longer ones are truncated and tagged.', 65535),
    },
  },
  syslog_tcp: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'address'],
    properties: { ...streamProps, type: { const: 'syslog_tcp' } },
  },
  syslog_tls: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'address', 'tls'],
    properties: { ...streamProps, address: address('0.0.0.0:6514'), type: { const: 'syslog_tls' }, tls: tlsServer },
  },
  http: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'address'],
    properties: {
      name, type: { const: 'http' }, address: address('0.0.0.0:8088'), timezone,
      auth: {
        enum: ['token', 'none'],
        description: 'token: every request needs one of `tokens`; none: open. Default: token, except on a loopback address with no tokens.',
      },
      tokens: {
        type: 'array',
        description: 'Accepted tokens: `Authorization: Bearer <secret>` on /v1/events, `Authorization: Splunk <secret>` on the HEC endpoints.',
        items: {
          type: 'object', additionalProperties: false, required: ['name'],
          properties: tokenProps,
        },
      },
      max_body_bytes: size('Largest request body, after decompression; larger ones get 413.', '16MiB'),
      tls: tlsServer,
    },
  },
};

const stringOrList = (doc: string, example: string): Schema => ({
  description: doc, examples: [example],
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
});

/** Keys every destination takes besides its own (design.md: where, batch, retry). */
/** Batch defaults per destination type: files take large batches, HTTP services their documented request sizes. */
export const BATCH_DEFAULTS: Record<string, { events: number; bytes: string; waitMs: number }> = {
  file: { events: 4096, bytes: '4MiB', waitMs: 20 },
  http: { events: 500, bytes: '1MiB', waitMs: 1000 },
  splunk_hec: { events: 500, bytes: '1MiB', waitMs: 1000 },
  elasticsearch: { events: 1000, bytes: '4MiB', waitMs: 1000 },
  // the Logs Ingestion API takes at most 1 MB a call (protocols.md §6.2); rows also gain brackets and commas
  sentinel: { events: 500, bytes: '900KiB', waitMs: 1000 },
};

const destinationCommon = (batchDefaults: { events: number; bytes: string; waitMs: number }): Record<string, Schema> => ({
  where: {
    type: 'object', additionalProperties: false,
    description: 'Send only the events that match every key given here (each key: one value or a list of values). Without `where`, every event. Events left out are counted as `filtered` in the ledger.',
    properties: {
      format: stringOrList('Parsed format: rfc5424, rfc3164, cef, leef, json, kv, unknown.', 'cef'),
      input: stringOrList('Name of the input the event came in on.', 'fw-udp'),
      host: stringOrList('Host name of the sender, as parsed.', 'fw01'),
      source_ip: stringOrList('Address of the sending peer.', '10.1.2.3'),
      sourcetype: stringOrList('Splunk sourcetype given by the sender or mapping.', 'cisco:asa'),
      index: stringOrList('Index given by the sender or mapping.', 'netfw'),
      dataset: stringOrList('event.dataset given by mapping.', 'cisco.asa'),
    },
  },
  batch: {
    type: 'object', additionalProperties: false, description: 'How events are grouped into one request or write.',
    properties: {
      max_events: { type: 'integer', minimum: 1, maximum: 100000, default: batchDefaults.events, description: 'Events per batch at most.' },
      max_bytes: size('Encoded bytes per batch at most (a single larger event is sent alone).', batchDefaults.bytes),
      max_wait_ms: ms('A batch that is not full is sent this long after its first event.', batchDefaults.waitMs),
    },
  },
  retry: {
    type: 'object', additionalProperties: false,
    description: 'Backoff between attempts when the destination is unavailable: capped exponential with full jitter; a Retry-After from the destination wins. Retries go on until delivered: the journal holds the events meanwhile.',
    properties: {
      initial_ms: ms('First backoff ceiling.', 500),
      max_ms: ms('Largest backoff ceiling.', 60000),
    },
  },
  concurrency: {
    type: 'integer', minimum: 1, maximum: 64, default: 1,
    description: 'Batches in flight at once. Events are spread over this many lanes by device (host name, else sending peer), with one batch in flight per lane, so events of one device keep their order; a relay forwarding many devices uses every lane.',
  },
});

/** Keys every HTTP-based destination takes: compression, timeout, trust and client identity. */
const httpTransportKeys: Record<string, Schema> = {
  gzip: { type: 'boolean', default: true, description: 'Compress request bodies (Content-Encoding: gzip, level 1).' },
  timeout_ms: ms('A request without an answer after this long is retried.', 30000),
  tls: {
    type: 'object', additionalProperties: false, description: 'Trust and client identity for https URLs.',
    properties: {
      ca_file: { type: 'string', description: 'PEM bundle to trust instead of the system CAs.', examples: ['ca.crt'] },
      cert_file: { type: 'string', description: 'Client certificate (PEM) for services that authenticate the gateway by certificate; needs key_file.', examples: ['siemgate.crt'] },
      key_file: { type: 'string', description: 'Private key (PEM) of cert_file.', examples: ['siemgate.key'] },
      insecure_skip_verify: { type: 'boolean', default: false, description: 'Do not verify the server certificate (testing only).' },
    },
  },
};

/** A secret given inline (usually `${ENV}`) or as a file: `<key>` or `<key>_file`, never both. */
const secretKeys = (key: string, doc: string, example: string, fileExample: string): Record<string, Schema> => ({
  [key]: { type: 'string', description: doc, examples: [example] },
  [`${key}_file`]: { type: 'string', description: `File holding ${key} (instead of ${key}); a final newline is ignored.`, examples: [fileExample] },
});

/** Keys every token-authenticated HTTP destination takes. */
const httpClientKeys = (tokenDoc: string, tokenExample: string, tokenFileExample: string): Record<string, Schema> => ({
  ...secretKeys('token', tokenDoc, tokenExample, tokenFileExample),
  ...httpTransportKeys,
});

export const destinationSchemas: Record<string, Schema> = {
  file: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'path'],
    properties: {
      name, type: { const: 'file' },
      path: { type: 'string', description: 'NDJSON file the ECS documents are appended to, one per line.', examples: ['./data/events.ndjson'] },
      ...destinationCommon(BATCH_DEFAULTS.file),
    },
  },
  http: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'url'],
    properties: {
      name, type: { const: 'http' },
      url: { type: 'string', pattern: '^https?://', description: 'Where each batch is POSTed as NDJSON (one ECS document a line): a Logstash http input, Vector http_server, Fluent Bit http, or your own service.', examples: ['https://collector.example.com/ingest'] },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra request headers.', examples: [{ 'X-Tenant': 'acme' }] },
      ...httpClientKeys('Sent as `Authorization: Bearer <token>`.', '${COLLECTOR_TOKEN}', '/run/secrets/collector'),
      ...destinationCommon(BATCH_DEFAULTS.http),
    },
  },
  splunk_hec: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'endpoints'],
    properties: {
      name, type: { const: 'splunk_hec' },
      endpoints: {
        type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://' },
        description: 'HEC base URLs (scheme, host, port); requests go round-robin, and an endpoint that fails is left out for 30 s while others answer.',
        examples: [['https://hec-1.example.com:8088', 'https://hec-2.example.com:8088']],
      },
      ...httpClientKeys('The HEC token (sent as `Authorization: Splunk <token>`).', '${SPLUNK_HEC_TOKEN}', '/run/secrets/hec'),
      index: { type: 'string', description: 'Index for events that do not name one (else the token\'s default index).', examples: ['netfw'] },
      sourcetype: { type: 'string', description: 'Sourcetype for events that do not name one (default by format: syslog, cef, leef, _json).', examples: ['syslog'] },
      source: { type: 'string', description: 'Source for every event (default: the source a HEC sender gave, for events that came in through the HEC endpoint; else `siemgate:<input name>`, e.g. `siemgate:fw`).', examples: ['siemgate'] },
      ack: { type: 'boolean', default: false, description: 'Indexer acknowledgement: events count as delivered (and the cursor moves) only once Splunk says they are indexed; unacknowledged batches are sent again. The token must have indexer acknowledgement enabled.' },
      ack_poll_ms: ms('How often pending acknowledgements are asked for (one /services/collector/ack request per endpoint).', 1000),
      ack_timeout_ms: ms('A batch not acknowledged within this long is sent again (Splunk recommends 5 minutes).', 300000),
      ...destinationCommon(BATCH_DEFAULTS.splunk_hec),
    },
  },
  elasticsearch: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'endpoints'],
    properties: {
      name, type: { const: 'elasticsearch' },
      endpoints: {
        type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://' },
        description: 'Elasticsearch base URLs (scheme, host, port); `_bulk` requests go round-robin, and a node that fails is left out for 30 s while others answer.',
        examples: [['https://es-1.example.com:9200', 'https://es-2.example.com:9200']],
      },
      ...secretKeys('api_key', 'API key, the `encoded` value Elasticsearch returns when the key is created (sent as `Authorization: ApiKey <api_key>`). Needs the `create_doc` and `auto_configure` privileges on `logs-*-<namespace>`.', '${ES_API_KEY}', '/run/secrets/es-api-key'),
      username: { type: 'string', description: 'User for HTTP Basic authentication (instead of api_key).', examples: ['siemgate_writer'] },
      ...secretKeys('password', 'Password of username.', '${ES_PASSWORD}', '/run/secrets/es-password'),
      namespace: { type: 'string', default: 'default', pattern: '^[a-z0-9_.+]{1,100}$', description: 'Data stream namespace: events go to `logs-<dataset>-<namespace>` (e.g. an environment or tenant name).', examples: ['prod'] },
      dataset: { type: 'string', pattern: '^[a-z0-9_.+]{1,100}$', description: 'Dataset for events the mappings did not classify (default by format: see docs/elasticsearch.md).', examples: ['network.syslog'] },
      pipeline: { type: 'string', description: 'Ingest pipeline to run on every document (`?pipeline=`).', examples: ['siemgate-enrich'] },
      ...httpTransportKeys,
      ...destinationCommon(BATCH_DEFAULTS.elasticsearch),
    },
  },
  sentinel: {
    type: 'object', additionalProperties: false, required: ['name', 'type', 'endpoint', 'dcr_immutable_id', 'streams', 'tenant_id', 'client_id'],
    properties: {
      name, type: { const: 'sentinel' },
      endpoint: { type: 'string', pattern: '^https?://', description: 'Logs ingestion endpoint: the DCR\'s own (kind Direct) or a data collection endpoint (DCE).', examples: ['https://siemgate-dce-a1b2.westeurope-1.ingest.monitor.azure.com'] },
      dcr_immutable_id: { type: 'string', minLength: 1, description: 'Immutable id of the data collection rule (`dcr-…`, on the DCR\'s overview page or in its JSON).', examples: ['dcr-00000000000000000000000000000000'] },
      streams: {
        type: 'object', additionalProperties: false, minProperties: 1,
        description: 'The DCR\'s input streams (`Custom-…`) per kind of row. CEF events go to `cef`, syslog events to `syslog`, anything else (and events whose own stream is not set) to `ecs`. docs/sentinel/ has DCR templates declaring these streams.',
        properties: {
          syslog: { type: 'string', pattern: '^Custom-', description: 'The DCR\'s `Custom-…` input stream for rows with the Syslog table\'s columns (the DCR routes it to the output stream `Microsoft-Syslog`, which is never a POST target).', examples: ['Custom-SyslogStream'] },
          cef: { type: 'string', pattern: '^Custom-', description: 'The DCR\'s `Custom-…` input stream for rows with the CommonSecurityLog table\'s columns (routed to the output stream `Microsoft-CommonSecurityLog`).', examples: ['Custom-CommonSecurityLogStream'] },
          ecs: { type: 'string', pattern: '^Custom-', description: 'The DCR\'s `Custom-…` input stream for ECS-shaped rows, routed to a custom `_CL` table.', examples: ['Custom-SiemgateEvents_CL'] },
        },
      },
      api_version: { type: 'string', default: '2023-01-01', description: 'Logs Ingestion API version.' },
      tenant_id: { type: 'string', minLength: 1, description: 'Entra ID tenant (directory) id of the app registration.', examples: ['00000000-0000-0000-0000-000000000000'] },
      client_id: { type: 'string', minLength: 1, description: 'Application (client) id of the app registration that holds the Monitoring Metrics Publisher role on the DCR.', examples: ['00000000-0000-0000-0000-000000000000'] },
      ...secretKeys('client_secret', 'Client secret of the app registration.', '${AZURE_CLIENT_SECRET}', '/run/secrets/azure-client-secret'),
      authority_host: { type: 'string', pattern: '^https?://', default: 'https://login.microsoftonline.com', description: 'Entra ID login host; sovereign clouds use their own (e.g. https://login.microsoftonline.us).' },
      scope: { type: 'string', default: 'https://monitor.azure.com//.default', description: 'OAuth2 scope of the token (Azure Government: https://monitor.azure.us//.default, Azure China: https://monitor.azure.cn//.default).' },
      ...httpTransportKeys,
      ...destinationCommon(BATCH_DEFAULTS.sentinel),
    },
  },
};

export const topSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    data_dir: { type: 'string', default: './data', description: 'Where the gateway keeps its state (journal, cursors, dead letters, stats, reports).' },
    inputs: { type: 'array', description: 'Listeners, each with a `type` (the input sections below).', items: { type: 'object', required: ['type'] } },
    destinations: { type: 'array', description: 'Where events go, each with a `type` (the destination sections below).', items: { type: 'object', required: ['type'] } },
    journal: {
      type: 'object', additionalProperties: false,
      description: 'The disk buffer between the inputs and the destinations (under data_dir/journal).',
      properties: {
        max_bytes: size('Disk the journal may use; when reached, `when_full` decides.', '10GiB'),
        when_full: { enum: ['block', 'drop_oldest'], default: 'block', description: '`block`: TCP/TLS inputs stop reading, HTTP answers 503 + Retry-After, UDP datagrams are counted as dropped (journal_full). `drop_oldest`: the oldest segment is deleted and lagging destinations skip it; each skipped event is counted per destination.' },
        fsync: { enum: ['always', 'interval', 'never'], default: 'interval', description: '`always`: every batch is on disk before HTTP answers 200 (safest, slowest); `interval`: the OS is told to flush every fsync_interval_ms, a machine crash can lose up to that much (a gateway crash loses nothing written); `never`: the OS decides.' },
        fsync_interval_ms: ms('Flush period for `fsync: interval`.', 1000),
        segment_bytes: size('Size of one segment file; space is given back a segment at a time, once every destination is past it.', '64MiB'),
      },
    },
    pipeline: {
      type: 'object', additionalProperties: false, description: 'How parsing is spread over threads.',
      properties: {
        workers: { type: 'integer', minimum: 0, maximum: 64, default: 'one per core, at most 8', description: 'Parse+map worker threads (0: on the main thread).' },
      },
    },
    admin: {
      type: 'object', additionalProperties: false,
      description: 'The admin server: GET /health (200, or 503 with what is wrong), /metrics (Prometheus text), /api/status (JSON). On loopback it is open unless tokens are given; bound elsewhere it needs tls and tokens.',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'false: no admin server.' },
        address: { type: 'string', default: '127.0.0.1:9280', description: 'host:port; port 0 picks a free one (logged). Not loopback: tls and tokens are required.' },
        tokens: {
          type: 'array',
          description: 'Bearer tokens (`Authorization: Bearer <secret>`); when given, every request needs one. `read` reads; `operator` may also act (replay dead letters, trigger reports, as they arrive).',
          items: {
            type: 'object', additionalProperties: false, required: ['name'],
            properties: {
              ...tokenProps,
              scope: { enum: ['read', 'operator'], default: 'read', description: 'read: GET only; operator: also the actions.' },
            },
          },
        },
        tls: { ...tlsServer, description: 'TLS for the admin server (required when it is not on loopback).' },
      },
    },
    ...observeSchema,
    mappings: {
      type: 'object', additionalProperties: false,
      description: 'Product recognition and ECS mapping (docs/mappings.md). The shipped mappings/ always load; yours come after and replace a shipped product with the same id.',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'false: no product mapping; documents carry only what the wire format says.' },
        dirs: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Your mapping directories (each holds sources/<product>.yaml), relative to this file; later ones win.', examples: [['./my-mappings']] },
        assign: {
          type: 'array',
          description: 'Products recognised by where messages come from rather than by their text (a dedicated port, a known sender); checked before any pattern.',
          items: {
            type: 'object', additionalProperties: false, required: ['product'],
            properties: {
              product: { type: 'string', minLength: 1, description: 'A product id from a mapping file (`product:`).' },
              inputs: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Input names whose messages are this product.' },
              sources: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Sender addresses or CIDR blocks.', examples: [['10.1.0.0/16', '192.0.2.7']] },
              hosts: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Host names as in the message header; `*` matches any characters.', examples: [['asa-*']] },
            },
          },
        },
      },
    },
  },
};
