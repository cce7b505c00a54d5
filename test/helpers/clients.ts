/**
 * The real syslog clients: util-linux `logger`, rsyslogd (unpacked by .ci/deps.sh under
 * $SIEMGATE_TEST_ROOT/rsyslog-root) and syslog-ng (system package), each run in the foreground
 * with its own config, pid, state and control files in a temp dir, on 127.0.0.1 only.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, runProc, startProc, TEST_ROOT, waitTcpPort, which, type Proc } from './procs';

/** Children get UTC so that RFC 3164 timestamps (no zone) mean the same to sender and gateway. */
export const CLIENT_ENV: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };

// ---------------------------------------------------------------- logger (util-linux / bsdutils)

export const LOGGER = which('logger', ['/usr/bin/logger', '/bin/logger']);

/**
 * One logger invocation; with `lines`, they go through `-f FILE` (one message per line, one
 * connection for all of them on TCP). Throws unless logger exits 0.
 */
export async function runLogger(args: string[], lines?: string[]): Promise<void> {
  const full = [...args];
  if (lines) {
    const dir = makeTempDir('sg-logger-');
    const file = join(dir, 'messages.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    full.push('-f', file);
  }
  const r = await runProc(LOGGER!, full, { env: CLIENT_ENV, timeoutMs: 20000 });
  if (r.code !== 0 || r.stderr.trim() !== '') {
    throw new Error(`logger ${full.join(' ')} exited ${r.code}: ${r.stderr}`);
  }
}

// ---------------------------------------------------------------- rsyslog (unpacked)

export interface RsyslogInstall { bin: string; modDir: string }

export function findRsyslog(): RsyslogInstall | undefined {
  const root = join(TEST_ROOT, 'rsyslog-root');
  const bin = join(root, 'usr/sbin/rsyslogd');
  if (!existsSync(bin)) return undefined;
  const lib = join(root, 'usr/lib');
  if (!existsSync(lib)) return undefined;
  const candidates = [join(lib, 'rsyslog'), ...readdirSync(lib).map((d) => join(lib, d, 'rsyslog'))];
  const modDir = candidates.find((d) => existsSync(join(d, 'imtcp.so')));
  return modDir ? { bin, modDir } : undefined;
}

export const RSYSLOG = findRsyslog();
/** rsyslog-gnutls: the gtls network stream driver. */
export const RSYSLOG_GTLS = RSYSLOG !== undefined && existsSync(join(RSYSLOG.modDir, 'lmnsd_gtls.so'));

export interface Daemon extends Proc { dir: string; conf: string }

/**
 * Starts rsyslogd in the foreground with `conf` (`@DIR@` = its own temp dir; `@DIR@/work` exists
 * for global(workDirectory=...)), and waits until it accepts TCP on `readyPort`.
 */
export async function startRsyslog(conf: string, readyPort: number): Promise<Daemon> {
  const dir = makeTempDir('sg-rsyslog-');
  mkdirSync(join(dir, 'work'));
  const file = join(dir, 'rsyslog.conf');
  writeFileSync(file, conf.replace(/@DIR@/g, dir));
  const p = startProc('rsyslogd', RSYSLOG!.bin, ['-n', '-f', file, '-i', join(dir, 'rsyslogd.pid'), '-M', RSYSLOG!.modDir],
    { cwd: dir, env: CLIENT_ENV });
  await waitTcpPort(readyPort, 10000, `rsyslogd input on ${readyPort}`, p);
  return Object.assign(p, { dir, conf: file });
}

// ---------------------------------------------------------------- syslog-ng (system package)

export const SYSLOG_NG = which('syslog-ng', ['/usr/sbin/syslog-ng']);

/** Starts syslog-ng in the foreground with its own config/pid/control/persist files; waits for `readyPort`. */
export async function startSyslogNg(conf: string, readyPort: number): Promise<Daemon> {
  const dir = makeTempDir('sg-syslog-ng-');
  const file = join(dir, 'syslog-ng.conf');
  writeFileSync(file, conf.replace(/@DIR@/g, dir));
  const p = startProc('syslog-ng', SYSLOG_NG!, ['-F', '-f', file, '-p', join(dir, 'syslog-ng.pid'), '-c', join(dir, 'syslog-ng.ctl'),
    '-R', join(dir, 'syslog-ng.persist'), '--no-caps'], { cwd: dir, env: CLIENT_ENV });
  await waitTcpPort(readyPort, 10000, `syslog-ng source on ${readyPort}`, p);
  return Object.assign(p, { dir, conf: file });
}

export const OPENSSL = which('openssl', ['/usr/bin/openssl']);

/**
 * A plain TCP syslog sender for load in tests: LF-framed lines over one connection, written in
 * chunks with backpressure, resolved once the kernel has the last byte and the connection is ended.
 */
export async function sendTcpLines(port: number, lines: string[]): Promise<void> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((ok, fail) => { s.once('connect', ok); s.once('error', fail); });
  for (let i = 0; i < lines.length; i += 500) {
    if (!s.write(lines.slice(i, i + 500).map((l) => l + '\n').join(''))) await new Promise((ok) => s.once('drain', ok));
  }
  await new Promise<void>((ok) => s.end(ok));
}
