/**
 * A real SMTP server for the tests: Debian's aiosmtpd (python3-aiosmtpd, installed by .ci/deps.sh)
 * on 127.0.0.1, run by smtp-server.py beside this file as a tracked child process (cleanUp() in
 * afterAll ends it; it also exits by itself after maxSeconds). What it receives is parsed by
 * Python's email package, a real MIME parser, so tests assert on parts, not on raw text.
 *
 *   const smtp = await startSmtpServer({ starttls: pki, auth: { user: 'u', password: 'p' } });
 *   ... send to 127.0.0.1:smtp.port ...
 *   const [mail] = await smtp.waitForMessages(1);
 *   mail.subject; mail.part('text/html')?.text; mail.attachments[0].filename; mail.rcptTos
 *   await smtp.stop();
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { makeTempDir, startProc, waitUntil, type Proc } from './procs';
import type { TestPki } from './certs';

/** Debian's interpreter: a python3 earlier on PATH (pyenv, a venv) does not see Debian's aiosmtpd. */
export const SMTP_PYTHON = process.env.SIEMGATE_TEST_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(__dirname, 'smtp-server.py');

export interface SmtpServerOptions {
  /** Offer STARTTLS with pki's server certificate, and refuse every mail command before it. */
  starttls?: TestPki;
  /** TLS from the first byte (as on port 465) with pki's server certificate. */
  tls?: TestPki;
  /** Require AUTH (PLAIN or LOGIN) with these credentials before MAIL. */
  auth?: { user: string; password: string };
  /** Recipients answered with 550 at RCPT TO (case-insensitive). */
  rejectRcpt?: string[];
  /** Answer the first n MAIL commands with 451 (a server busy for a moment). */
  tempfailMail?: number;
  /** The server exits by itself after this long (a safety net; default 120 s). */
  maxSeconds?: number;
}

export interface ReceivedPart {
  /** Position in the MIME tree: [] the root, [0, 1] the second child of the first child. */
  path: number[];
  contentType: string;
  multipart: boolean;
  charset: string | null;
  filename: string | null;
  /** inline, attachment, or null when the part has no Content-Disposition. */
  disposition: string | null;
  transferEncoding: string | null;
  /** Decoded content as text (text/* with LF line ends), null when it is not text in its charset. */
  text: string | null;
  /** Decoded content, exact bytes. */
  bytes: Buffer;
}

export interface ReceivedMail {
  seq: number;
  /** The SMTP envelope (MAIL FROM, RCPT TO), which need not match the headers. */
  mailFrom: string;
  rcptTos: string[];
  /** Whether the message came over TLS (STARTTLS or implicit). */
  tls: boolean;
  /** The AUTH login the session authenticated as, null without AUTH. */
  authenticatedAs: string | null;
  /** Headers by lowercase name, values decoded (RFC 2047), every occurrence. */
  headers: Record<string, string[]>;
  /** One header's first value. */
  header(name: string): string | undefined;
  /** Address headers (from, to, cc, ...) parsed into display name and address. */
  addresses: Record<string, Array<{ name: string; address: string }>>;
  subject: string | undefined;
  /** Every MIME part, containers (multipart/*) included, depth first. */
  parts: ReceivedPart[];
  /** The first leaf part with this content type (that is not an attachment). */
  part(contentType: string): ReceivedPart | undefined;
  attachments: ReceivedPart[];
  /** Problems the parser found in the message (should be empty). */
  defects: string[];
  raw: Buffer;
}

/** One step the server saw: connect, ehlo, auth, mail, rcpt_refused, stored. */
export interface SmtpEvent {
  event: 'connect' | 'ehlo' | 'auth' | 'mail' | 'rcpt_refused' | 'stored';
  peer: [string, number];
  tls: boolean;
  /** auth: the mechanism, the login tried and whether it matched. */
  mechanism?: string;
  login?: string | null;
  ok?: boolean;
  mail_from?: string;
  rcpt?: string;
  seq?: number;
}

export interface TestSmtpServer {
  host: '127.0.0.1';
  port: number;
  dir: string;
  proc: Proc;
  /** Messages stored so far, in arrival order. */
  messages(): ReceivedMail[];
  /** Resolves once at least n messages are stored (rejects after timeoutMs, default 10 s, with what the server logged). */
  waitForMessages(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** The session steps seen so far (e.g. count `auth` events, or check that no `mail` came without TLS). */
  events(): SmtpEvent[];
  stop(): Promise<void>;
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  if (!existsSync(SMTP_PYTHON)) throw new Error(`${SMTP_PYTHON} not found: install python3 and python3-aiosmtpd (bash .ci/deps.sh)`);
  const dir = makeTempDir('sg-smtp-');
  const args = [SCRIPT, '--dir', dir, '--max-seconds', String(opts.maxSeconds ?? 120)];
  const pki = opts.starttls ?? opts.tls;
  if (pki) args.push('--cert', pki.serverCert, '--key', pki.serverKey);
  if (opts.starttls) args.push('--starttls');
  if (opts.tls) args.push('--tls');
  if (opts.auth) args.push('--auth-user', opts.auth.user, '--auth-password', opts.auth.password);
  for (const r of opts.rejectRcpt ?? []) args.push('--reject-rcpt', r);
  if (opts.tempfailMail) args.push('--tempfail-mail', String(opts.tempfailMail));
  const proc = startProc('aiosmtpd', SMTP_PYTHON, args);

  // The script binds port 0 and prints the port it got: no window where another test takes it.
  const port = await waitUntil(() => {
    if (proc.proc.exitCode !== null || proc.proc.signalCode !== null) {
      const missing = /No module named 'aiosmtpd'/.test(proc.stderr()) ? ' (python3-aiosmtpd is not installed: run bash .ci/deps.sh)' : '';
      throw new Error(`the test SMTP server exited before listening${missing}; stderr:\n${proc.stderr()}`);
    }
    const line = proc.stdout().split('\n').slice(0, -1).find((l) => l.startsWith('{')); // whole lines only
    return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
  }, 15000, () => `the test SMTP server did not report its port; stderr:\n${proc.stderr()}`);
  const probePort = await probe(port);

  const events = (): SmtpEvent[] => {
    const f = join(dir, 'events.jsonl');
    if (!existsSync(f)) return [];
    // the last piece is a line still being written (or ''): only newline-terminated lines count
    return readFileSync(f, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as SmtpEvent)
      .filter((e) => e.peer[1] !== probePort); // the readiness probe is not a client
  };
  const messages = (): ReceivedMail[] => readdirSync(dir).filter((f) => /^\d{4}\.json$/.test(f)).sort()
    .map((f) => toMail(JSON.parse(readFileSync(join(dir, f), 'utf8')) as RawRecord));
  return {
    host: '127.0.0.1', port, dir, proc, messages, events,
    waitForMessages: (n, timeoutMs = 10000) => waitUntil(() => { const m = messages(); return m.length >= n ? m : undefined; }, timeoutMs,
      () => `${n} message(s) at the test SMTP server on 127.0.0.1:${port}, got ${messages().length}; session log:\n${JSON.stringify(events())}\nstderr:\n${proc.stderr()}`),
    async stop() { await proc.stop(3000); },
  };
}

/** Connects once to show the port accepts; returns the probe's own port, to leave it out of the session log. */
function probe(port: number): Promise<number> {
  return new Promise((ok, fail) => {
    const s = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => { s.destroy(); fail(new Error(`the test SMTP server on 127.0.0.1:${port} accepts no connection`)); }, 5000);
    s.once('connect', () => { clearTimeout(timer); const local = s.localPort!; s.destroy(); ok(local); });
    s.once('error', (e) => { clearTimeout(timer); fail(new Error(`the test SMTP server on 127.0.0.1:${port} accepts no connection: ${e.message}`)); });
  });
}

/** What smtp-server.py writes per message (snake_case, as Python makes it). */
interface RawRecord {
  seq: number;
  mail_from: string;
  rcpt_tos: string[];
  tls: boolean;
  authenticated_as: string | null;
  eml: string;
  headers: Record<string, string[]>;
  addresses: Record<string, Array<{ name: string; address: string }>>;
  parts: Array<{ path: number[]; content_type: string; multipart: boolean; charset?: string | null; filename?: string | null;
    disposition?: string | null; transfer_encoding?: string | null; text?: string | null; base64?: string }>;
  defects: string[];
}

function toMail(r: RawRecord): ReceivedMail {
  const parts: ReceivedPart[] = r.parts.map((p) => ({
    path: p.path, contentType: p.content_type, multipart: p.multipart, charset: p.charset ?? null, filename: p.filename ?? null,
    disposition: p.disposition ?? null, transferEncoding: p.transfer_encoding ?? null, text: p.text ?? null,
    bytes: Buffer.from(p.base64 ?? '', 'base64'),
  }));
  return {
    seq: r.seq, mailFrom: r.mail_from, rcptTos: r.rcpt_tos, tls: r.tls, authenticatedAs: r.authenticated_as,
    headers: r.headers, header: (name) => r.headers[name.toLowerCase()]?.[0], addresses: r.addresses,
    subject: r.headers.subject?.[0],
    parts,
    part: (ct) => parts.find((p) => !p.multipart && p.contentType === ct && p.disposition !== 'attachment'),
    attachments: parts.filter((p) => p.disposition === 'attachment'),
    defects: r.defects,
    raw: readFileSync(r.eml),
  };
}
