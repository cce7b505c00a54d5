import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultConfig, loadConfigFile, type Config } from './config';
import { E, isSiemgateError } from './errors';
import { startGateway } from './gateway';
import { log } from './observe/log';
import { batchContext, processOne } from './pipeline';
import type { Peer } from './inputs/types';

const USAGE = `usage: siemgate <command> [options]

commands:
  run   [-c FILE]            run the gateway (no -c: the embedded default, loopback only)
  check -c FILE              validate a configuration file without starting
  parse [--file F] [-c FILE] [--input NAME]
                             print, per input line, the ECS document that would be indexed
  help                       this text
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': return await run(rest);
      case 'check': return check(rest);
      case 'parse': return await parse(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw E.CLI_USAGE(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (isSiemgateError(err)) {
      process.stderr.write(`siemgate: ${err.message} [${err.code}]\n`);
      return err.code === 'SG_CLI_USAGE' ? 2 : 1;
    }
    process.stderr.write(`siemgate: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

function args(argv: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw E.CLI_USAGE((err as Error).message);
  }
}

function loadConfig(file: string | undefined): Config {
  return file === undefined ? defaultConfig() : loadConfigFile(file);
}

async function run(argv: string[]): Promise<number> {
  const opts = args(argv, { config: { type: 'string', short: 'c' } });
  const cfg = loadConfig(opts.config as string | undefined);
  log.info(`siemgate starting with ${cfg.source}`);
  // Signals are handled from before the first listener opens: a SIGTERM during start-up waits
  // for the start to finish, then stops gracefully like any other.
  let signals = 0;
  let signalled: (sig: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => { signalled = resolve; });
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting at once; events not yet written may be lost`);
      process.exit(1);
    }
    signalled(sig);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const gw = await startGateway(cfg);
  log.info('siemgate ready');
  const sig = await stopRequested;
  log.info(`${sig}: stopping; no new connections, finishing what was received`);
  try {
    await gw.stop();
    return 0;
  } catch (err) {
    log.error(`stop failed: ${(err as Error).message}`);
    return 1;
  }
}

function check(argv: string[]): number {
  const opts = args(argv, { config: { type: 'string', short: 'c' } });
  if (opts.config === undefined) throw E.CLI_USAGE('check needs -c FILE');
  const cfg = loadConfigFile(opts.config as string);
  process.stdout.write(`${cfg.source}: OK (${cfg.inputs.length} input(s): ${cfg.inputs.map((i) => `${i.name}/${i.type}@${i.address}`).join(', ')}; ` +
    `${cfg.destinations.length} destination(s): ${cfg.destinations.map((d) => `${d.name}/${d.type}`).join(', ')})\n`);
  return 0;
}

/** The mapping author's tool: the gateway's own per-event path, minus the network. */
async function parse(argv: string[]): Promise<number> {
  const opts = args(argv, { file: { type: 'string', short: 'f' }, config: { type: 'string', short: 'c' }, input: { type: 'string' } });
  const cfg = opts.config === undefined ? undefined : loadConfigFile(opts.config as string);
  const inputName = (opts.input as string | undefined) ?? cfg?.inputs[0]?.name ?? 'parse';
  const timezone = cfg?.inputs.find((i) => i.name === inputName)?.timezone ?? 'UTC';
  const peer: Peer = { input: inputName, transport: 'tcp', ip: '', port: 0 };
  const file = opts.file as string | undefined;
  const stream = file === undefined ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (file === undefined) return resolve();
    stream.once('open', () => resolve());
    stream.once('error', (err: Error) => reject(E.PARSE_INPUT(file, err.message)));
  });
  await opened;
  // Split on LF only (a CR inside a line stays in it): one input line, one output object.
  stream.setEncoding('utf8');
  let out = '';
  let carry = '';
  const emit = async (line: string) => {
    const now = Date.now();
    out += processOne(line.endsWith('\r') ? line.slice(0, -1) : line, 0, peer, undefined, batchContext(now), { timezone, now }).line + '\n';
    if (out.length > 1 << 16) {
      if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
      out = '';
    }
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    for (const line of parts) await emit(line);
  }
  if (carry !== '') await emit(carry);
  if (out) process.stdout.write(out);
  return 0;
}
