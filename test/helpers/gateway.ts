import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { join, resolve } from 'node:path';
import { makeTempDir } from './procs';

export const REPO = resolve(__dirname, '../..');
export const BIN = join(REPO, 'bin/siemgate.js');

/** A free TCP port on 127.0.0.1 that is also free for UDP (the default config shares one port). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((ok, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    const udpFree = await new Promise<boolean>((ok) => {
      const u = createSocket('udp4');
      u.once('error', () => ok(false));
      u.bind(port, '127.0.0.1', () => u.close(() => ok(true)));
    });
    if (udpFree) return port;
  }
}

export interface RunningGateway {
  dir: string;
  out: string;
  proc: ChildProcess;
  stderr(): string;
  /** The ECS documents written so far. */
  docs(): Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Resolves once at least n documents are written (rejects after timeoutMs with what arrived). */
  waitForDocs(n: number, timeoutMs?: number): Promise<Array<Record<string, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** SIGTERM and the exit code; SIGKILL (and a rejection) if it has not exited after timeoutMs (default 20 s). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
  /** Resident set size of the gateway process now, in bytes (Linux /proc). */
  rss(): number;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** The command line after bin/siemgate.js; default `run -c <the config file>`. `['run']` runs the embedded default. */
  args?: string[];
  /** Where the documents are written, relative to the temp dir (default events.ndjson; the embedded default writes data/events.ndjson). */
  outPath?: string;
  /** Run in this directory (a restart on the same data_dir) instead of a fresh temp dir; its siemgate.yaml is rewritten. */
  dir?: string;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every gateway started by this file that is still running (afterAll safety net). */
export async function killAllGateways(): Promise<void> {
  await Promise.all([...running].map((p) => new Promise<void>((ok) => {
    if (p.exitCode !== null || p.signalCode !== null) return ok();
    p.once('exit', () => ok());
    try { p.kill('SIGKILL'); } catch { ok(); }
  })));
}

/**
 * Starts `node bin/siemgate.js run -c <config>` as a real child process. The config is YAML text;
 * `@OUT@` in it is replaced by the output file path and `@DIR@` by a fresh temp dir.
 */
export async function startGateway(configYaml: string, opts: StartOptions = {}): Promise<RunningGateway> {
  const dir = opts.dir ?? makeTempDir('sg-it-'); // removed by removeTempDirs()/cleanUp() in afterAll
  const out = join(dir, opts.outPath ?? 'events.ndjson');
  const cfg = join(dir, 'siemgate.yaml');
  // Tests run gateways side by side: each admin server on a port of its own (0: any free one)
  // unless the test configures it.
  const yaml = /^admin:/m.test(configYaml) ? configYaml : `${configYaml}\nadmin: { address: "127.0.0.1:0" }\n`;
  writeFileSync(cfg, yaml.replace(/@OUT@/g, out).replace(/@DIR@/g, dir));
  const proc = spawn(process.execPath, [BIN, ...(opts.args ?? ['run', '-c', cfg])], {
    cwd: dir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => { err += c; });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`gateway not ready after ${opts.readyTimeoutMs ?? 15000} ms:\n${err}`)), opts.readyTimeoutMs ?? 15000);
    const check = () => {
      if (err.includes('siemgate ready')) {
        clearTimeout(timer);
        ok();
      }
    };
    proc.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`gateway exited with ${code} before it was ready:\n${err}`));
    });
  });
  // Only complete lines: the gateway may be half-way through appending a batch while we read.
  const docs = () => {
    if (!existsSync(out)) return [];
    const text = readFileSync(out, 'utf8');
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  };
  return {
    dir, out, proc,
    stderr: () => err,
    docs,
    async waitForDocs(n, timeoutMs = 10000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const d = docs();
        if (d.length >= n) return d;
        if (Date.now() > until) {
          throw new Error(`expected ${n} documents, got ${d.length} after ${timeoutMs} ms; gateway log:\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    rss() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    },
    async stop(timeoutMs = 20000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((ok) => { timer = setTimeout(() => ok('timeout'), timeoutMs); });
      const r = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (r === 'timeout') {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`gateway did not exit within ${timeoutMs} ms of SIGTERM (killed); log:\n${err}`);
      }
      return r;
    },
  };
}
