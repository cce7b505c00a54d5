/**
 * The validated configuration, in code's camelCase. The YAML contract (snake_case) is in
 * schema.ts; loader.ts converts once at the border, so code inside trusts these types.
 */

export type ClientAuth = 'none' | 'optional' | 'required';
export type Framing = 'auto' | 'lf' | 'octet';
export type OversizeAction = 'truncate' | 'reject';

export interface TlsServerConfig {
  certFile: string;
  keyFile: string;
  caFile?: string;
  clientAuth: ClientAuth;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  handshakeTimeoutMs: number;
}

interface InputBase {
  name: string;
  /** host:port; IPv6 as [::1]:5514. */
  address: string;
  /** Zone for timestamps that carry none (RFC 3164): IANA name or UTC. */
  timezone: string;
}

export interface UdpInputConfig extends InputBase {
  type: 'syslog_udp';
  /** SO_RCVBUF in bytes; undefined leaves the kernel default. */
  receiveBufferBytes?: number;
  maxMessageBytes: number;
}

export interface TcpInputConfig extends InputBase {
  type: 'syslog_tcp';
  framing: Framing;
  maxMessageBytes: number;
  oversize: OversizeAction;
  idleTimeoutMs: number;
  maxConnections: number;
  /**
   * Octet counts above this are not trusted (read as an LF line instead, as rsyslog's
   * maxFrameSize); undefined ⇒ max(200000, maxMessageBytes).
   */
  maxFrameBytes?: number;
}

export interface TlsInputConfig extends Omit<TcpInputConfig, 'type'> {
  type: 'syslog_tls';
  tls: TlsServerConfig;
}

export interface HttpToken {
  name: string;
  secret: string;
}

export interface HttpInputConfig extends InputBase {
  type: 'http';
  /** `token`: a configured token is required; `none`: open (written out by the user, or loopback default). */
  auth: 'token' | 'none';
  tokens: HttpToken[];
  maxBodyBytes: number;
  tls?: TlsServerConfig;
}

export type InputConfig = UdpInputConfig | TcpInputConfig | TlsInputConfig | HttpInputConfig;

/** Event keys a destination's `where` can match on (each: the accepted values). */
export type WhereConfig = Partial<Record<'format' | 'input' | 'host' | 'sourceIp' | 'sourcetype' | 'index' | 'dataset', string[]>>;

/** Trust and identity for an HTTPS destination. */
export interface HttpTlsConfig {
  /** PEM bundle trusted instead of the system CAs. */
  caFile?: string;
  /** Client certificate and key (PEM) for services that authenticate the gateway by certificate. */
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify: boolean;
}

interface DestinationBase {
  name: string;
  where?: WhereConfig;
  batch: { maxEvents: number; maxBytes: number; maxWaitMs: number };
  retry: { initialMs: number; maxMs: number };
  concurrency: number;
}

export interface FileDestinationConfig extends DestinationBase {
  type: 'file';
  path: string;
}

export interface HttpDestinationConfig extends DestinationBase {
  type: 'http';
  url: string;
  token?: string;
  headers: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
  tls: HttpTlsConfig;
}

export interface SplunkHecDestinationConfig extends DestinationBase {
  type: 'splunk_hec';
  endpoints: string[];
  token: string;
  index?: string;
  sourcetype?: string;
  source?: string;
  gzip: boolean;
  timeoutMs: number;
  ack: boolean;
  ackPollMs: number;
  ackTimeoutMs: number;
  tls: HttpTlsConfig;
}

export interface ElasticsearchDestinationConfig extends DestinationBase {
  type: 'elasticsearch';
  /** Base URLs (`https://es1:9200`), no trailing slash; requests rotate over them. */
  endpoints: string[];
  /** `Authorization: ApiKey <apiKey>` (the `encoded` value Elasticsearch returns), or Basic with username/password. */
  apiKey?: string;
  username?: string;
  password?: string;
  /** Data stream `logs-<dataset>-<namespace>`: dataset from the event's classification, namespace from here. */
  namespace: string;
  /** The dataset for events the mappings did not classify (default by format: siemgate.syslog, siemgate.cef, siemgate.leef, siemgate.generic for JSON). */
  dataset?: string;
  /** Ingest pipeline (`?pipeline=`), when set. */
  pipeline?: string;
  gzip: boolean;
  timeoutMs: number;
  tls: HttpTlsConfig;
}

/** Which Logs Ingestion API stream (`Custom-*`, declared in the DCR) receives which rows. */
export interface SentinelStreams {
  /** Rows with the Syslog table's columns (syslog, key=value and unrecognised events). */
  syslog?: string;
  /** Rows with the CommonSecurityLog table's columns (CEF events). */
  cef?: string;
  /** ECS-shaped rows for a `Custom-*_CL` table (any event, and the fallback when its own stream is not set). */
  ecs?: string;
}

export interface SentinelDestinationConfig extends DestinationBase {
  type: 'sentinel';
  /** The DCE or the DCR's own logs ingestion endpoint, no trailing slash. */
  endpoint: string;
  /** `dcr-…` immutable id of the data collection rule. */
  dcrImmutableId: string;
  streams: SentinelStreams;
  apiVersion: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Entra ID login host, default `https://login.microsoftonline.com` (sovereign clouds differ). */
  authorityHost: string;
  /** OAuth2 scope, default `https://monitor.azure.com//.default`. */
  scope: string;
  gzip: boolean;
  timeoutMs: number;
  tls: HttpTlsConfig;
}

export type DestinationConfig =
  | FileDestinationConfig | HttpDestinationConfig | SplunkHecDestinationConfig | ElasticsearchDestinationConfig | SentinelDestinationConfig;

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface JournalConfig {
  maxBytes: number;
  whenFull: 'block' | 'drop_oldest';
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  segmentBytes: number;
}

export interface PipelineConfig {
  /** Parse+map worker threads; 0 = parse on the main thread (debugging, tiny loads). */
  workers: number;
}

export interface Config {
  /** Absolute path of the file this came from, or `(embedded default)`. */
  source: string;
  dataDir: string;
  inputs: InputConfig[];
  destinations: DestinationConfig[];
  journal: JournalConfig;
  pipeline: PipelineConfig;
  mappings: MappingsConfig;
  admin: AdminConfig;
  audit: AuditConfig;
  reports: ReportConfig[];
  smtp?: SmtpConfig;
  expectedSources: ExpectedSource[];
  alerts: AlertRule[];
}

export interface ReportConfig {
  name: string;
  kind: 'health' | 'compliance';
  cron: string;
  timezone?: string;
  periodHours: number;
  formats: ReportFormat[];
  to: ReportTarget[];
}

export type ReportFormat = 'json' | 'markdown' | 'html';

export interface FileTarget { type: 'file'; dir: string; retentionDays: number }
export interface WebhookTarget { type: 'webhook'; url: string; secret?: string }
export interface SiemTarget { type: 'siem' }
/** Mail through the top-level `smtp:` server. */
export interface EmailTarget { type: 'email'; to: string[]; subject?: string }
/** A remote syslog server, written to with winston-syslog. */
export interface SyslogTarget { type: 'syslog'; host: string; port: number; protocol: 'udp' | 'tcp' | 'tls'; appName: string; caFile?: string }

export type ReportTarget = FileTarget | WebhookTarget | SiemTarget | EmailTarget;
export type AlertTarget = WebhookTarget | SiemTarget | EmailTarget | SyslogTarget;

export interface SmtpConfig {
  host: string;
  port: number;
  /** starttls: plain connection upgraded (and required); tls: TLS from the first byte (465); none: never encrypted. */
  security: 'starttls' | 'tls' | 'none';
  user?: string;
  password?: string;
  from: string;
  /** PEM bundle trusted instead of the system CAs. */
  caFile?: string;
  timeoutMs: number;
}

/** A source that must be heard from (`expected_sources:`): by sender address/CIDR or by host name. */
export interface ExpectedSource {
  name: string;
  /** An IP address or a CIDR block the messages come from. */
  address?: string;
  /** A host name (glob with *) as the messages name themselves. */
  hostname?: string;
  product?: string;
  maxSilenceS: number;
}

export type AlertType = 'source_silent' | 'destination_down' | 'journal_usage' | 'dead_letters' | 'parse_failures' | 'cert_expiry' | 'threshold';

export interface AlertRule {
  name: string;
  type: AlertType;
  /** destination_down: how long a destination must be down. */
  forS: number;
  /** destination_down, dead_letters: only this destination (default: any). */
  destination?: string;
  /** journal_usage and parse_failures: percent; dead_letters and threshold: a count. */
  above: number;
  /** dead_letters, parse_failures, threshold: the sliding window. */
  windowS: number;
  /** cert_expiry: days before expiry. */
  withinDays: number;
  /** threshold: ECS field → accepted values (all fields must match). */
  where: Record<string, string[]>;
  /** threshold: the ECS field the count is kept per (e.g. source.ip); none: one count. */
  groupBy?: string;
  /** Least time between two notifications of one alert (fired or resolved). */
  throttleS: number;
  to: AlertTarget[];
}

export interface AuditConfig {
  enabled: boolean;
  /** Absolute path of the HMAC key file, when set. */
  keyFile?: string;
  /** A file is closed and a new one begun past this size (and at each UTC day). */
  maxFileBytes: number;
  /** Files older than this are deleted (the chain goes on from the newest kept). */
  retentionDays: number;
  /** Each record also sent to a remote syslog server. */
  syslog?: SyslogTarget;
}

export interface AdminConfig {
  enabled: boolean;
  host: string;
  port: number;
  tokens: Array<HttpToken & { scope: 'read' | 'operator' }>;
  tls?: TlsServerConfig;
}

export interface MappingsConfig {
  enabled: boolean;
  /** Absolute paths of the user's mapping directories. */
  dirs: string[];
  assign: Array<{ product: string; inputs: string[]; sources: string[]; hosts: string[] }>;
}
