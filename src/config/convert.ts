import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseSize } from './size';
import type {
  Config, DestinationConfig, HttpInputConfig, InputConfig, TlsServerConfig,
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

  const tls = (t: Raw | undefined): TlsServerConfig | undefined => t && {
    certFile: rel(t.cert_file), keyFile: rel(t.key_file), caFile: t.ca_file ? rel(t.ca_file) : undefined,
    clientAuth: t.client_auth ?? 'none', minVersion: t.min_version ?? 'TLSv1.2',
  };

  const inputs: InputConfig[] = (raw.inputs ?? []).map((r: Raw, i: number): InputConfig => {
    unique('input', r.name, ['inputs', i, 'name']);
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
        const tokens = (r.tokens ?? []).map((t: Raw, j: number) => {
          const path = ['inputs', i, 'tokens', j];
          if ((t.secret === undefined) === (t.secret_file === undefined)) {
            problems.push(`line ${lineOf(path)}: inputs[${i}].tokens[${j}]: give exactly one of secret or secret_file`);
            return { name: t.name, secret: '' };
          }
          if (t.secret !== undefined) return { name: t.name, secret: t.secret };
          try {
            return { name: t.name, secret: readFileSync(rel(t.secret_file), 'utf8').replace(/\r?\n$/, '') };
          } catch (err) {
            problems.push(`line ${lineOf([...path, 'secret_file'])}: inputs[${i}].tokens[${j}].secret_file: cannot read ${rel(t.secret_file)}: ${(err as Error).message}`);
            return { name: t.name, secret: '' };
          }
        });
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

  const destinations: DestinationConfig[] = (raw.destinations ?? []).map((r: Raw, i: number) => {
    unique('destination', r.name, ['destinations', i, 'name']);
    return { name: r.name, type: 'file', path: rel(r.path) };
  });
  if (destinations.length === 0) {
    problems.push(`line ${lineOf(['destinations'])}: destinations: none configured; events would have nowhere to go. Add one, e.g. { name: archive, type: file, path: ./data/events.ndjson }`);
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
      pipeline: { workers: raw.pipeline?.workers ?? defaultWorkers() },
    },
  };
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

function isValidZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
