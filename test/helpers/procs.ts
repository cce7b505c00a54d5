/**
 * Child processes for the integration tests: clients (logger, rsyslogd, syslog-ng) run as real
 * processes, each one tracked so that `killAll()` (called from afterAll) ends every one this test
 * file started, also when a test failed half-way. Nothing here kills by name: only the pids we own.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';

export interface Proc {
  name: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process and its stdio closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it is gone. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<Proc>();

export function startProc(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Proc {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => { out += c; if (out.length > 4_000_000) out = out.slice(-2_000_000); });
  proc.stderr?.on('data', (c: string) => { err += c; if (err.length > 1_000_000) err = err.slice(-500_000); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => {
    proc.once('error', (e) => { err += `\nspawn error: ${e.message}`; ok({ code: -1, signal: null }); });
    proc.once('close', (code, signal) => ok({ code, signal }));
  });
  const p: Proc = {
    name, proc, exited,
    stdout: () => out,
    stderr: () => err,
    async stop(graceMs = 5000) {
      if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
        try { proc.kill('SIGTERM'); } catch { /* gone */ }
        const timer = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
        const r = await exited;
        clearTimeout(timer);
        return r;
      }
      return exited;
    },
  };
  live.add(p);
  void exited.then(() => live.delete(p));
  return p;
}

/** Runs a command to completion (killed after timeoutMs), optionally feeding stdin. */
export async function runProc(cmd: string, args: string[], opts: SpawnOptions & { input?: string | Buffer; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { input, timeoutMs = 20000, ...spawnOpts } = opts;
  const p = startProc(`${cmd} ${args.join(' ')}`.slice(0, 200), cmd, args, { ...spawnOpts, stdio: ['pipe', 'pipe', 'pipe'] });
  p.proc.stdin!.on('error', () => { /* the process may exit before reading all of it */ });
  if (input !== undefined) p.proc.stdin!.end(input);
  else p.proc.stdin!.end();
  const timer = setTimeout(() => { try { p.proc.kill('SIGKILL'); } catch { /* gone */ } }, timeoutMs);
  const r = await p.exited;
  clearTimeout(timer);
  if (r.signal === 'SIGKILL') throw new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr:\n${p.stderr()}`);
  return { code: r.code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Ends every process this file started and that is still running (SIGTERM, then SIGKILL). */
export async function killAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitTcpPort(port: number, timeoutMs = 10000, what = `port ${port}`, alive?: Proc): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => { s.destroy(); res(false); });
    });
    if (ok) return;
    if (alive && (alive.proc.exitCode !== null || alive.proc.signalCode !== null)) {
      throw new Error(`${what}: ${alive.name} exited (${alive.proc.exitCode ?? alive.proc.signalCode}) before listening; stderr:\n${alive.stderr()}\nstdout:\n${alive.stdout()}`);
    }
    if (Date.now() > until) throw new Error(`${what} not accepting connections after ${timeoutMs} ms${alive ? `; ${alive.name} stderr:\n${alive.stderr()}` : ''}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until fn returns a value other than undefined (or throws after timeoutMs with describe()). */
export async function waitUntil<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, describe: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn(); // a check may ask over the network (an admin endpoint)
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(50);
  }
}

/** Waits until a file holds at least n lines (a file destination's output); gives them. */
export async function waitForLines(path: string, n: number, timeoutMs = 20000): Promise<string[]> {
  let lines: string[] = [];
  return waitUntil(() => {
    try { lines = readFileSync(path, 'utf8').trim().split('\n').filter((l) => l !== ''); } catch { return undefined; }
    return lines.length >= n ? lines : undefined;
  }, timeoutMs, () => `${path} has ${lines.length} of ${n} lines`);
}

/** The client programs the suite drives, where .ci/deps.sh puts them. */
export const TEST_ROOT = process.env.SIEMGATE_TEST_ROOT ?? '/tmp/siemgate-test';

export function which(bin: string, candidates: string[] = []): string | undefined {
  for (const c of candidates) if (existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    if (dir && existsSync(`${dir}/${bin}`)) return `${dir}/${bin}`;
  }
  return undefined;
}

/**
 * `describe` for tests that need a real client. A missing client is a broken test machine, not a
 * reason to pass: the suite then fails with one test that names what is missing and the install step.
 */
export function describeNeeding(present: unknown, what: string, title: string, body: () => void): void {
  if (present) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    test('has its client installed', () => {
      throw new Error(`${what} is not installed; run \`bash .ci/deps.sh\` (as root) to install the test clients`);
    });
  });
}

const tempDirs: string[] = [];

/** A fresh temp dir, removed by removeTempDirs() (kept when SIEMGATE_KEEP_TEST_DIRS is set, for debugging). */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  if (process.env.SIEMGATE_KEEP_TEST_DIRS) return;
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** afterAll: every process this file started, then its temp dirs. */
export async function cleanUp(): Promise<void> {
  await killAll();
  removeTempDirs();
}
