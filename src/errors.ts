/**
 * Every error an operator can see, in one table (as fastify's lib/errors.js). Codes are
 * SG_<AREA>_<WHAT>; a message says what is wrong, where, and what to do. Call sites pass
 * arguments and never write message text. Compare errors by `code`: a class does not survive
 * worker_threads, a code does. docs/errors.md has a row per code (test/unit/errors.test.ts
 * checks both directions). A removed code is never reused.
 */

export interface SiemgateError extends Error {
  code: string;
}

function def<A extends unknown[]>(code: string, message: (...args: A) => string) {
  const make = (...args: A): SiemgateError => {
    const err = new Error(message(...args)) as SiemgateError;
    err.code = code;
    err.name = 'SiemgateError';
    return err;
  };
  return Object.assign(make, { code });
}

export const E = {
  CONFIG_READ: def('SG_CONFIG_READ', (file: string, why: string) =>
    `cannot read config ${file}: ${why}; check the path given with -c`),
  CONFIG_YAML: def('SG_CONFIG_YAML', (file: string, line: number, why: string) =>
    `${file}:${line}: not valid YAML: ${why}`),
  CONFIG_INVALID: def('SG_CONFIG_INVALID', (file: string, problems: string[]) =>
    `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration:\n  ${problems.join('\n  ')}`),
  CONFIG_ENV: def('SG_CONFIG_ENV', (file: string, missing: ReadonlyArray<{ line: number; name: string }>) =>
    missing.map((m) => `${file}:${m.line}: environment variable ${m.name} is not set`).join('\n') +
    (missing.length > 1 ? '\nexport them or write the values (or *_file keys) instead' : '; export it or write the value (or a *_file key) instead')),
  INPUT_BIND: def('SG_INPUT_BIND', (input: string, address: string, why: string) =>
    `input ${input}: cannot listen on ${address}: ${why}; free the port or change inputs[].address`),
  INPUT_TLS_MATERIAL: def('SG_INPUT_TLS_MATERIAL', (input: string, file: string, why: string) =>
    `input ${input}: cannot load TLS material ${file}: ${why}; check tls.cert_file / key_file / ca_file`),
  DEST_FILE_OPEN: def('SG_DEST_FILE_OPEN', (dest: string, path: string, why: string) =>
    `destination ${dest}: cannot open ${path} for appending: ${why}; check the directory exists and is writable`),
  DATA_DIR_LOCKED: def('SG_DATA_DIR_LOCKED', (dir: string, pid: number) =>
    `data_dir ${dir} is in use by another gateway (pid ${pid}); stop it, or give this one its own data_dir`),
  DEST_PROBE: def('SG_DEST_PROBE', (dest: string, type: string, why: string) =>
    `destination ${dest} (${type}): ${why}`),
  PIPELINE_WORKER: def('SG_PIPELINE_WORKER', (why: string) =>
    `a parse worker stopped unexpectedly: ${why}; the batch it held was parsed on the main thread instead`),
  CLI_USAGE: def('SG_CLI_USAGE', (why: string) => `${why}; run \`siemgate help\` for usage`),
  AUDIT_KEY: def('SG_AUDIT_KEY', (file: string, why: string) =>
    `audit.key_file ${file}: ${why}; the audit trail is signed with this key: make it readable (at least 16 random bytes), or remove audit.key_file`),
  AUDIT_BROKEN: def('SG_AUDIT_BROKEN', (problem: string) =>
    `the audit trail does not verify: ${problem}`),
  ADMIN_BIND: def('SG_ADMIN_BIND', (address: string, why: string) =>
    `admin server: cannot listen on ${address}: ${why}; free the port or change admin.address (admin.enabled: false turns it off)`),
  MAPPING_INVALID: def('SG_MAPPING_INVALID', (problems: string[]) =>
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in the mappings (nothing was started):\n  ${problems.join('\n  ')}`),
  MAPPING_EXAMPLES: def('SG_MAPPING_EXAMPLES', (failed: number, total: number) =>
    `${failed} of ${total} mapping examples failed (listed above); fix the mapping or the example`),
  PARSE_INPUT: def('SG_PARSE_INPUT', (file: string, why: string) =>
    `cannot read ${file}: ${why}`),
  HTTP_AUTH_REQUIRED: def('SG_HTTP_AUTH_REQUIRED', () =>
    'no token: send the header Authorization: Bearer <token> with a token configured for this input'),
  HTTP_AUTH_INVALID: def('SG_HTTP_AUTH_INVALID', (why: string) =>
    `${why}: send Authorization: Bearer <token> (or Splunk <token>) with a token configured for this input`),
  HTTP_BODY_TOO_LARGE: def('SG_HTTP_BODY_TOO_LARGE', (limit: number) =>
    `the request body exceeds max_body_bytes (${limit} bytes, counted before and after gzip decompression); nothing was accepted, send smaller batches`),
  HTTP_ENCODING: def('SG_HTTP_ENCODING', (encoding: string) =>
    `Content-Encoding ${encoding} is not supported; send the body uncompressed or with Content-Encoding: gzip`),
  HTTP_BAD_GZIP: def('SG_HTTP_BAD_GZIP', (why: string) =>
    `the body is not valid gzip (${why}); nothing was accepted, check the Content-Encoding header matches the body`),
  HTTP_EMPTY_BODY: def('SG_HTTP_EMPTY_BODY', () =>
    'the body is empty; send a JSON object, a JSON array of objects, or NDJSON (one object per line)'),
  HTTP_BAD_JSON: def('SG_HTTP_BAD_JSON', (where: string, why: string) =>
    `${where}: not valid JSON (${why}); nothing from this request was accepted, fix it and resend the whole request`),
  HTTP_NOT_OBJECT: def('SG_HTTP_NOT_OBJECT', (where: string, got: string) =>
    `${where}: expected a JSON object, got ${got}; nothing from this request was accepted, send objects only`),
  HTTP_NOT_FOUND: def('SG_HTTP_NOT_FOUND', (path: string) =>
    `no endpoint at ${path}; send events to POST /v1/events or the Splunk HEC-compatible /services/collector/event`),
  HTTP_METHOD: def('SG_HTTP_METHOD', (method: string, path: string, allowed: string) =>
    `${method} is not allowed on ${path}; use ${allowed}`),
  HTTP_BUSY: def('SG_HTTP_BUSY', (retryAfterS: number) =>
    `the gateway is not taking events now: its parse pipeline is behind, or the journal is at journal.max_bytes with when_full: block because a destination is not keeping up (siemgate buffer status tells which); nothing was accepted, retry after ${retryAfterS} s`),
  HTTP_INTERNAL: def('SG_HTTP_INTERNAL', (why: string) =>
    `the events could not be written (${why}); nothing is confirmed, retry the request later`),
} as const;

export type ErrorCode = (typeof E)[keyof typeof E]['code'];

export function isSiemgateError(err: unknown): err is SiemgateError {
  return err instanceof Error && typeof (err as SiemgateError).code === 'string' &&
    (err as SiemgateError).code.startsWith('SG_');
}
