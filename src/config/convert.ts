import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { BATCH_DEFAULTS } from './schema';
import { parseSize } from './size';
import { parseListenAddress } from '../inputs/listen-address';
import { observeOf } from './convert-observe';
import { readSecret } from './secret';
import { isValidZone } from './zone';
import type {
  AdminConfig, Config, DestinationConfig, HttpInputConfig, InputConfig, MappingsConfig, TlsServerConfig, WhereConfig,
} from './types';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- validated by the schema just before
type LineOf = (path: Array<string | number>) => number;

/** Validated YAML (snake_case) → Config (camelCase) with defaults, secrets read, and the checks a schema cannot express. */
export function toConfig(raw: Raw, file: string, lineOf: LineOf): { config: Config; problems: string[] } {
  const problems: string[] = [];
  const base = file.startsWith('(') ? process.cwd() : dirname(file);
  const rel = (p: string) => resolve(base, p);
  const names = new Map<string, string>();
  const unique = (kind: string, name: string, path: Array<string | number>) => {
    const prev = names.get(name);
    if (prev) problems.push(`line ${lineOf(path)}: ${kind} name ${JSON.stringify(name)} is already used by ${prev}; names must be unique`);
    else names.set(name, `${kind} at line ${lineOf(path)}`);
  };

  // what `run` would refuse when it opens the inputs, found here so that `siemgate check` says it
  // with the line: a file it cannot read, an address it cannot listen on, one taken twice
  const readable = (file: string | undefined, path: Array<string | number>, what: string): void => {
    if (file === undefined) return;
    try {
      accessSync(rel(file), fsConstants.R_OK);
    } catch (err) {
      problems.push(`line ${lineOf(path)}: ${what}: cannot read ${rel(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path and its permissions`);
    }
  };
  const listening = new Map<string, string>();
  const listenAt = (r: Raw, i: number): void => {
    const at = ['inputs', i, 'address'];
    const parsed = typeof r.address === 'string' ? parseListenAddress(r.address) : undefined;
    if (parsed === undefined) {
      if (typeof r.address === 'string') problems.push(`line ${lineOf(at)}: inputs[${i}].address: ${JSON.stringify(r.address)} is not host:port with a port up to 65535 (IPv6 as [::1]:5514)`);
      return;
    }
    // UDP and TCP may share a port (the default does); two stream listeners may not
    const key = `${r.type === 'syslog_udp' ? 'udp' : 'tcp'} ${parsed.host}:${parsed.port}`;
    const prev = listening.get(key);
    if (prev !== undefined) problems.push(`line ${lineOf(at)}: inputs[${i}].address ${r.address} is already used by ${prev}; give each ${r.type === 'syslog_udp' ? 'UDP' : 'TCP'} input its own port`);
    else listening.set(key, `input ${JSON.stringify(r.name)} (line ${lineOf(at)})`);
  };
  const tlsFiles = (t: Raw | undefined, path: Array<string | number>, who: string): void => {
    if (t === undefined) return;
    readable(t.cert_file, [...path, 'cert_file'], `${who}.tls.cert_file`);
    readable(t.key_file, [...path, 'key_file'], `${who}.tls.key_file`);
    readable(t.ca_file, [...path, 'ca_file'], `${who}.tls.ca_file`);
  };

  const tls = (t: Raw | undefined): TlsServerConfig | undefined => t && {
    certFile: rel(t.cert_file), keyFile: rel(t.key_file), caFile: t.ca_file ? rel(t.ca_file) : undefined,
    clientAuth: t.client_auth ?? 'none', minVersion: t.min_version ?? 'TLSv1.2', handshakeTimeoutMs: t.handshake_timeout_ms ?? 10_000,
  };

  const inputs: InputConfig[] = (raw.inputs ?? []).map((r: Raw, i: number): InputConfig => {
    unique('input', r.name, ['inputs', i, 'name']);
    listenAt(r, i);
    tlsFiles(r.tls, ['inputs', i, 'tls'], `inputs[${i}]`);
    const common = { name: r.name, address: r.address, timezone: r.timezone ?? 'UTC' };
    if (!isValidZone(common.timezone)) {
      problems.push(`line ${lineOf(['inputs', i, 'timezone'])}: inputs[${i}].timezone: unknown zone ${JSON.stringify(common.timezone)}; use an IANA name like Europe/Berlin, or UTC`);
    }
    switch (r.type) {
      case 'syslog_udp':
        return {
          ...common, type: 'syslog_udp',
          receiveBufferBytes: r.receive_buffer_bytes === undefined ? undefined : parseSize(r.receive_buffer_bytes),
          maxMessageBytes: parseSize(r.max_message_bytes ?? 65535),
        };
      case 'syslog_tcp':
      case 'syslog_tls': {
        const stream = {
          ...common,
          framing: r.framing ?? 'auto',
          maxMessageBytes: parseSize(r.max_message_bytes ?? 65536),
          oversize: r.oversize ?? 'truncate',
          idleTimeoutMs: r.idle_timeout_ms ?? 300000,
          maxConnections: r.max_connections ?? 1000,
        };
        return r.type === 'syslog_tcp'
          ? { ...stream, type: 'syslog_tcp' }
          : { ...stream, type: 'syslog_tls', tls: tls(r.tls)! };
      }
      default: {
        const tokens = (r.tokens ?? []).map((t: Raw, j: number) => ({
          name: t.name, secret: readSecret(t, 'secret', ['inputs', i, 'tokens', j], `inputs[${i}].tokens[${j}]`, { rel, lineOf, problems }, 'one') ?? '',
        }));
        const loopback = isLoopback(common.address);
        const auth = r.auth ?? (tokens.length === 0 && loopback ? 'none' : 'token');
        if (auth === 'token' && tokens.length === 0) {
          problems.push(`line ${lineOf(['inputs', i])}: inputs[${i}] (http on ${common.address}): no tokens; a non-loopback HTTP input needs tokens, or write auth: none to run it open on purpose`);
        }
        const http: HttpInputConfig = {
          ...common, type: 'http', auth, tokens,
          maxBodyBytes: parseSize(r.max_body_bytes ?? '16MiB'), tls: tls(r.tls),
        };
        return http;
      }
    }
  });

  const destinations: DestinationConfig[] = (raw.destinations ?? []).map((r: Raw, i: number): DestinationConfig => {
    unique('destination', r.name, ['destinations', i, 'name']);
    const batchDefaults = BATCH_DEFAULTS[r.type as string];
    const common = {
      name: r.name as string,
      where: whereOf(r.where),
      batch: {
        maxEvents: r.batch?.max_events ?? batchDefaults.events,
        maxBytes: parseSize(r.batch?.max_bytes ?? batchDefaults.bytes),
        maxWaitMs: r.batch?.max_wait_ms ?? batchDefaults.waitMs,
      },
      retry: { initialMs: r.retry?.initial_ms ?? 500, maxMs: r.retry?.max_ms ?? 60000 },
      concurrency: r.concurrency ?? 1,
    };
    /** `<key>` or `<key>_file` (never both); undefined when neither is given. */
    const secret = (key: string): string | undefined =>
      readSecret(r, key, ['destinations', i], `destinations[${i}]`, { rel, lineOf, problems }, 'optional', `destinations[${i}] (${r.name})`);
    const token = secret('token');
    if (r.tls?.cert_file !== undefined && r.tls?.key_file === undefined) {
      problems.push(`line ${lineOf(['destinations', i, 'tls', 'cert_file'])}: destinations[${i}].tls: cert_file needs key_file (the client certificate's private key)`);
    }
    const tls = {
      caFile: r.tls?.ca_file ? rel(r.tls.ca_file) : undefined,
      certFile: r.tls?.cert_file ? rel(r.tls.cert_file) : undefined,
      keyFile: r.tls?.key_file ? rel(r.tls.key_file) : undefined,
      insecureSkipVerify: r.tls?.insecure_skip_verify ?? false,
    };
    const transport = { gzip: r.gzip ?? true, timeoutMs: r.timeout_ms ?? 30000, tls };
    const trimmed = (urls: string[]) => urls.map((e) => e.replace(/\/+$/, ''));
    if (r.type === 'elasticsearch') {
      const apiKey = secret('api_key');
      const password = secret('password');
      if (apiKey !== undefined && r.username !== undefined) {
        problems.push(`line ${lineOf(['destinations', i, 'username'])}: destinations[${i}] (${r.name}): give api_key or username/password, not both`);
      } else if ((r.username === undefined) !== (password === undefined)) {
        problems.push(`line ${lineOf(['destinations', i, r.username === undefined ? 'password' : 'username'])}: destinations[${i}] (${r.name}): username and password (or password_file) go together`);
      }
      return {
        ...common, ...transport, type: 'elasticsearch', endpoints: trimmed(r.endpoints), apiKey, username: r.username, password,
        namespace: r.namespace ?? 'default', dataset: r.dataset, pipeline: r.pipeline,
      };
    }
    if (r.type === 'sentinel') {
      const clientSecret = secret('client_secret');
      if (clientSecret === undefined) {
        problems.push(`line ${lineOf(['destinations', i])}: destinations[${i}] (${r.name}): sentinel needs client_secret or client_secret_file (the app registration's secret: Entra ID → App registrations → Certificates & secrets)`);
      }
      return {
        ...common, ...transport, type: 'sentinel', endpoint: trimmed([r.endpoint])[0], dcrImmutableId: r.dcr_immutable_id,
        streams: { syslog: r.streams.syslog, cef: r.streams.cef, ecs: r.streams.ecs }, apiVersion: r.api_version ?? '2023-01-01',
        tenantId: r.tenant_id, clientId: r.client_id, clientSecret: clientSecret ?? '',
        authorityHost: trimmed([r.authority_host ?? 'https://login.microsoftonline.com'])[0],
        scope: r.scope ?? 'https://monitor.azure.com//.default',
      };
    }
    if (r.type === 'splunk_hec') {
      if (token === undefined && r.token_file === undefined) {
        problems.push(`line ${lineOf(['destinations', i])}: destinations[${i}] (${r.name}): splunk_hec needs token or token_file (the HEC token from Splunk: Settings → Data inputs → HTTP Event Collector)`);
      }
      return {
        ...common, ...transport, type: 'splunk_hec', endpoints: trimmed(r.endpoints), token: token ?? '',
        index: r.index, sourcetype: r.sourcetype, source: r.source,
        ack: r.ack ?? false, ackPollMs: r.ack_poll_ms ?? 1000, ackTimeoutMs: r.ack_timeout_ms ?? 300000,
      };
    }
    if (r.type === 'http') {
      return {
        ...common, ...transport, type: 'http', url: r.url, token, headers: r.headers ?? {},
      };
    }
    return { ...common, type: 'file', path: rel(r.path) };
  });
  if (destinations.length === 0) {
    problems.push(`line ${lineOf(['destinations'])}: destinations: none configured; events would have nowhere to go. Add one, e.g. { name: archive, type: file, path: ./data/events.ndjson }`);
  }
  const maxBytes = parseSize(raw.journal?.max_bytes ?? '10GiB');
  const segmentBytes = parseSize(raw.journal?.segment_bytes ?? '64MiB');
  if (maxBytes < 4 * segmentBytes) {
    problems.push(`line ${lineOf(['journal', raw.journal?.max_bytes !== undefined ? 'max_bytes' : 'segment_bytes'])}: journal.max_bytes (${maxBytes}) must be at least 4 × journal.segment_bytes (${segmentBytes}): space is given back a segment at a time. Raise max_bytes or lower segment_bytes`);
  }
  if (inputs.length === 0) {
    problems.push(`line ${lineOf(['inputs'])}: inputs: none configured; add at least one listener`);
  }

  return {
    problems,
    config: {
      source: file,
      dataDir: rel(raw.data_dir ?? './data'),
      inputs,
      destinations,
      journal: {
        maxBytes,
        whenFull: raw.journal?.when_full ?? 'block',
        fsync: raw.journal?.fsync ?? 'interval',
        fsyncIntervalMs: raw.journal?.fsync_interval_ms ?? 1000,
        segmentBytes,
      },
      pipeline: { workers: raw.pipeline?.workers ?? defaultWorkers() },
      mappings: mappingsOf(raw.mappings, rel, inputs.map((i) => i.name), lineOf, problems),
      admin: (tlsFiles(raw.admin?.tls, ['admin', 'tls'], 'admin'), adminOf(raw.admin, lineOf, problems, tls, rel)),
      ...observeOf(raw, { rel, lineOf, problems }),
    },
  };
}

function adminOf(a: Raw | undefined, lineOf: (path: Array<string | number>) => number, problems: string[],
  tls: (t: Raw | undefined) => TlsServerConfig | undefined, rel: (p: string) => string): AdminConfig {
  const address = (a?.address as string | undefined) ?? '127.0.0.1:9280';
  const parsed = parseListenAddress(address);
  if (parsed === undefined) {
    problems.push(`line ${lineOf(['admin', 'address'])}: admin.address: ${JSON.stringify(address)} is not host:port (e.g. 127.0.0.1:9280)`);
    return { enabled: false, host: '127.0.0.1', port: 0, tokens: [] };
  }
  const tokens = ((a?.tokens ?? []) as Raw[]).map((t, j) => ({
    name: t.name as string,
    secret: readSecret(t, 'secret', ['admin', 'tokens', j], `admin.tokens[${j}]`, { rel, lineOf, problems }, 'one') ?? '',
    scope: (t.scope ?? 'read') as 'read' | 'operator',
  }));
  const t = tls(a?.tls as Raw | undefined);
  if (!isLoopback(address) && (t === undefined || tokens.length === 0)) {
    problems.push(`line ${lineOf(['admin', 'address'])}: admin.address: ${address} is not a loopback address, so the admin API needs admin.tls (cert_file, key_file) and admin.tokens; add both, or bind 127.0.0.1`);
  }
  return { enabled: a?.enabled ?? true, host: parsed.host, port: parsed.port, tokens, ...(t !== undefined ? { tls: t } : {}) };
}

/** Addresses and CIDR blocks are checked here; product ids when the mappings load (they are there). */
function mappingsOf(m: Raw | undefined, rel: (p: string) => string, inputNames: string[], lineOf: (path: Array<string | number>) => number, problems: string[]): MappingsConfig {
  const assign: MappingsConfig['assign'] = [];
  ((m?.assign ?? []) as Raw[]).forEach((a: Raw, i: number) => {
    const inputs = (a.inputs ?? []) as string[];
    for (const name of inputs) {
      if (!inputNames.includes(name)) problems.push(`line ${lineOf(['mappings', 'assign', i, 'inputs'])}: mappings.assign[${i}].inputs: no input is named ${JSON.stringify(name)} (inputs: ${inputNames.join(', ')})`);
    }
    const sources = (a.sources ?? []) as string[];
    for (const cidr of sources) {
      const [addr, bits, extra] = cidr.split('/');
      const fam = isIP(addr);
      const max = fam === 6 ? 128 : 32;
      if (fam === 0 || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
        problems.push(`line ${lineOf(['mappings', 'assign', i, 'sources'])}: mappings.assign[${i}].sources: ${JSON.stringify(cidr)} is not an address or CIDR block (e.g. 10.1.0.0/16, 2001:db8::/32, 192.0.2.7)`);
      }
    }
    if (inputs.length === 0 && sources.length === 0 && (a.hosts ?? []).length === 0) {
      problems.push(`line ${lineOf(['mappings', 'assign', i])}: mappings.assign[${i}]: give inputs, sources or hosts, or the assignment matches nothing`);
    }
    assign.push({ product: a.product as string, inputs, sources, hosts: (a.hosts ?? []) as string[] });
  });
  return { enabled: m?.enabled ?? true, dirs: ((m?.dirs ?? []) as string[]).map(rel), assign };
}

/**
 * One parse worker per core (at most 8). The socket thread does little besides framing (about a
 * fifth of a core at full load on a 2-core machine), so it shares a core: measured on 2 cores,
 * 2 workers carried 65k events/s TCP to file against 54k with 1 (bench/results/ingest-*).
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

function isLoopback(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function whereOf(w: Raw | undefined): WhereConfig | undefined {
  if (w === undefined) return undefined;
  const out: WhereConfig = {};
  const keys: Array<[string, keyof WhereConfig]> = [
    ['format', 'format'], ['input', 'input'], ['host', 'host'], ['source_ip', 'sourceIp'],
    ['sourcetype', 'sourcetype'], ['index', 'index'], ['dataset', 'dataset'],
  ];
  for (const [yamlKey, key] of keys) {
    const v = w[yamlKey];
    if (v !== undefined) out[key] = Array.isArray(v) ? v : [v];
  }
  return out;
}
