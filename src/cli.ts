import { createReadStream, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultConfig, loadConfigFile, type Config } from './config';
import { E, isSiemgateError } from './errors';
import { bufferStatus, renderBufferStatus } from './buffer-report';
import { runningPid } from './data-dir-lock';
import { deadLetterPath, readDeadLetters, requestReplay } from './delivery/dead-letters';
import { auditKey, startGateway } from './gateway';
import { verifyAudit } from './observe/audit';
import { buildReport, render } from './observe/report-render';
import { join } from 'node:path';
import { startAdminServer, type AdminServer } from './observe/admin-server';
import { probeDestination } from '../connectors';
import { previewer, PREVIEW_KINDS, type PreviewKind } from '../connectors/preview';
import { decodeEvent, type JournalEvent } from './journal/event-record';
import { scanRecords } from './journal/record';
import { processBatch } from './pipeline/process-batch';
import type { Mapper } from './mapping';
import { log } from './observe/log';
import { batchContext, processOne } from './pipeline';
import { createMapper, describeFailure, runExamples, type MapperOptions, type TraceStep } from './mapping';
import { mapperOptions } from './gateway';
import type { Peer } from './inputs/types';

const USAGE = `usage: siemgate <command> [options]

commands:
  run   [-c FILE]            run the gateway (no -c: the embedded default, loopback only)
  check -c FILE [--offline]  validate a configuration file without starting, then ask each
                             destination whether it would take events (--offline: skip that)
  parse [--file F] [-c FILE] [--input NAME] [--explain] [--as cef|sentinel|splunk] [--no-mappings]
                             print, per input line, the ECS document that would be indexed
                             (--explain: the product, mapping file, rule and the fields each
                             step set, with the document; --as: exactly what that kind of
                             destination would receive)
  parse --check [DIR] [-c FILE]
                             run the examples of every mapping (with DIR: of DIR's only)
  buffer status [-c FILE] [--json]
                             per destination: backlog events and bytes, oldest pending age, state
  buffer dlq list DEST [-c FILE] [--json]
                             the dead letters of a destination, with the reason for each
  buffer dlq replay DEST [-c FILE]
                             send a destination's dead letters again (after fixing the cause)
  report --kind health|compliance [--from ISO] [--to ISO] [--format json|markdown|html] [-c FILE]
                             a report from data_dir (stats, ledger, destinations, audit trail),
                             running gateway or not; default: the last 24 hours, markdown.
                             health: is the pipeline complete and healthy; compliance: expected
                             sources, clock skew, security events, completeness, retention,
                             controls evidenced
  audit verify [--from FILE] [-c FILE]
                             check the gateway's audit trail (data_dir/audit): every record
                             there, in order, unaltered (and signed, with audit.key_file)
  help, --help, -h           this text (also after any command: siemgate parse --help)
  --version                  the version of siemgate

The buffer commands read data_dir (from -c, or ./data) and work on a running or a stopped gateway.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `siemgate parse --help` and the like: the usage, not an unknown-option error
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    // src/cli.ts (tests) sits one level below package.json, dist/src/cli.js two
    const pkg = join(__dirname, __filename.endsWith('.ts') ? '..' : '../..', 'package.json');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    process.stdout.write(`siemgate ${(require(pkg) as { version: string }).version} (Node.js ${process.version})\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'run': return await run(rest);
      case 'check': return await check(rest);
      case 'parse': return await parse(rest);
      case 'buffer': return buffer(rest);
      case 'audit': return auditCommand(rest);
      case 'report': return reportCommand(rest);
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

/**
 * For the commands that read a gateway's data_dir: without -c that is the embedded default's
 * ./data, and where there is none, an empty answer ("chain intact", a made-up destination) would
 * mislead; say where they looked instead.
 */
function loadDataConfig(file: string | undefined): Config {
  const cfg = loadConfig(file);
  if (file === undefined && !existsSync(cfg.dataDir)) {
    throw E.CLI_USAGE(`no data_dir here (${cfg.dataDir}, the embedded default's); give the gateway's config with -c FILE, or run this where the gateway runs`);
  }
  return cfg;
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
  let admin: AdminServer | undefined;
  if (cfg.admin.enabled) {
    try {
      admin = await startAdminServer(gw, cfg.admin);
    } catch (err) {
      await gw.stop();
      throw err;
    }
  }
  log.info('siemgate ready');
  const sig = await stopRequested;
  log.info(`${sig}: stopping; no new connections, finishing what was received`);
  try {
    await admin?.close();
    await gw.stop();
    return 0;
  } catch (err) {
    log.error(`stop failed: ${(err as Error).message}`);
    return 1;
  }
}

async function check(argv: string[]): Promise<number> {
  const opts = args(argv, { config: { type: 'string', short: 'c' }, offline: { type: 'boolean' } });
  if (opts.config === undefined) throw E.CLI_USAGE('check needs -c FILE');
  const cfg = loadConfigFile(opts.config as string);
  const summary = `${cfg.inputs.length} input(s): ${cfg.inputs.map((i) => `${i.name}/${i.type}@${i.address}`).join(', ')}; ` +
    `${cfg.destinations.length} destination(s): ${cfg.destinations.map((d) => `${d.name}/${d.type}`).join(', ')}`;
  if (opts.offline) {
    process.stdout.write(`${cfg.source}: OK (${summary}; destinations not asked: --offline)\n`);
    return 0;
  }
  process.stdout.write(`${cfg.source}: valid (${summary})\n`);
  // Then each destination is asked whether it would take events (no events are sent).
  let failed = 0;
  for (const d of cfg.destinations) {
    try {
      process.stdout.write(`  destination ${d.name} (${d.type}): ${await probeDestination(d)}\n`);
    } catch (err) {
      failed++;
      const e = E.DEST_PROBE(d.name, d.type, (err as Error).message);
      process.stderr.write(`siemgate: ${e.message} [${e.code}]\n`);
    }
  }
  // the verdict last, so that a valid file with a destination that would refuse does not read as OK
  if (failed > 0) {
    process.stderr.write(`siemgate: ${cfg.source}: ${failed} of ${cfg.destinations.length} destination(s) would not take events (above)\n`);
    return 1;
  }
  process.stdout.write(`${cfg.source}: OK\n`);
  return 0;
}

/** The mapping author's tool: the gateway's own per-event path, minus the network. */
async function parse(argv: string[]): Promise<number> {
  const check = argv.indexOf('--check');
  let checkDir: string | undefined;
  if (check >= 0 && argv[check + 1] !== undefined && !argv[check + 1].startsWith('-')) {
    checkDir = argv[check + 1];
    argv = [...argv.slice(0, check + 1), ...argv.slice(check + 2)];
  }
  const opts = args(argv, {
    file: { type: 'string', short: 'f' }, config: { type: 'string', short: 'c' }, input: { type: 'string' },
    explain: { type: 'boolean' }, check: { type: 'boolean' }, 'no-mappings': { type: 'boolean' }, as: { type: 'string' },
  });
  const as = opts.as as string | undefined;
  if (as !== undefined && !(PREVIEW_KINDS as readonly string[]).includes(as)) throw E.CLI_USAGE(`--as ${as}: one of ${PREVIEW_KINDS.join(', ')}`);
  if (as !== undefined && opts.explain === true) throw E.CLI_USAGE('--as and --explain do not go together');
  const cfg = opts.config === undefined ? undefined : loadConfigFile(opts.config as string);
  const mapOpts = cfg === undefined ? { dirs: [] } : mapperOptions(cfg);
  if (opts.check === true) return checkExamples(checkDir, mapOpts);
  const mapper = opts['no-mappings'] === true || mapOpts === undefined ? undefined : createMapper(mapOpts);
  const explain = opts.explain === true;
  const preview = as === undefined ? undefined : previewer(as as PreviewKind, cfg);
  const inputName = (opts.input as string | undefined) ?? cfg?.inputs[0]?.name ?? 'parse';
  // an input the config does not have would silently get no zone and no mappings.assign
  if (opts.input !== undefined && cfg !== undefined && !cfg.inputs.some((i) => i.name === inputName)) {
    throw E.CLI_USAGE(`--input ${inputName}: no such input in ${String(opts.config)}; its inputs are ${cfg.inputs.map((i) => i.name).join(', ')}`);
  }
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
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (preview !== undefined) {
      // through the journal record, as a destination reads it
      for (const ev of journalEventsOf(text, peer, timezone, now, mapper)) out += `${preview(ev)}\n`;
      if (out.length > 1 << 16) {
        if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
        out = '';
      }
      return;
    }
    const trace: TraceStep[] | undefined = explain ? [] : undefined;
    const r = processOne(line.endsWith('\r') ? line.slice(0, -1) : line, 0, peer, undefined, batchContext(now), { timezone, now }, mapper, trace);
    if (!explain) out += r.line + '\n';
    else {
      const m = r.mapped;
      const why = m === undefined
        ? { product: null, why: mapper === undefined ? 'mappings are off' : 'no mapping recognised this message (see docs/mappings.md, "How a product is recognised")' }
        : { product: m.product, vendor: m.vendor, name: m.name, file: m.file, matched_by: m.matchedBy, rule: m.rule ?? null, sourcetype: m.sourcetype ?? null, index: m.index ?? null, dataset: m.dataset, steps: trace, warnings: m.warnings ?? [] };
      out += `${JSON.stringify({ ...why, document: JSON.parse(r.line) as unknown })}\n`;
    }
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

function buffer(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === 'status') {
    const o = args(rest, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } });
    const s = bufferStatus(loadDataConfig(o.config as string | undefined));
    process.stdout.write(o.json ? JSON.stringify(s, null, 2) + '\n' : renderBufferStatus(s));
    return 0;
  }
  if (sub === 'dlq') {
    const [verb, dest, ...more] = rest;
    if ((verb !== 'list' && verb !== 'replay') || dest === undefined || dest.startsWith('-')) {
      throw E.CLI_USAGE('buffer dlq takes `list DEST` or `replay DEST`');
    }
    const o = args(more, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } });
    const cfg = loadDataConfig(o.config as string | undefined);
    if (!cfg.destinations.some((d) => d.name === dest)) {
      throw E.CLI_USAGE(`no destination named ${JSON.stringify(dest)} in ${cfg.source} (there are: ${cfg.destinations.map((d) => d.name).join(', ')})`);
    }
    if (verb === 'list') {
      const path = deadLetterPath(cfg.dataDir, dest);
      const { lines, bad } = readDeadLetters(path);
      if (o.json) {
        for (const l of lines) process.stdout.write(JSON.stringify(l) + '\n');
      } else {
        process.stdout.write(`${lines.length} dead letter(s) for ${dest} in ${path}\n`);
        for (const l of lines) {
          const ev = l.event as { message?: unknown } | undefined;
          const msg = typeof ev?.message === 'string' ? ev.message.slice(0, 100) : '';
          process.stdout.write(`${l.time}  event ${l.seq}  ${l.reason}${l.response ? `  answer: ${l.response.slice(0, 200)}` : ''}\n    ${msg}\n`);
        }
      }
      if (bad.length > 0) process.stderr.write(`siemgate: lines ${bad.slice(0, 10).join(', ')} of ${path} are not JSON\n`);
      return 0;
    }
    const r = requestReplay(cfg.dataDir, dest);
    if (r === undefined) {
      process.stdout.write(`no dead letters for ${dest}\n`);
      return 0;
    }
    const running = runningPid(cfg.dataDir) !== undefined;
    process.stdout.write(`${r.events} dead letter(s) of ${dest} queued for replay in ${r.file}; ` +
      (running ? 'the running gateway sends them within a second' : 'they are sent when the gateway next starts') +
      '. Any refused again return to the dead-letter file.\n');
    return 0;
  }
  throw E.CLI_USAGE('buffer takes `status`, `dlq list DEST` or `dlq replay DEST`');
}

/** `parse --check [DIR]`: every example of the mappings in use, or of DIR's files only. */
function checkExamples(dir: string | undefined, opts: MapperOptions | undefined): number {
  const mapper = createMapper(dir === undefined ? (opts ?? {}) : { ...opts, dirs: [...(opts?.dirs ?? []), dir] });
  const files = dir === undefined ? undefined : new Set(createMapper({ dirs: [dir], withoutShipped: true }).sources.map((s) => s.file));
  const examples = files === undefined ? mapper.examples : mapper.examples.filter((e) => files.has(e.file));
  const failures = runExamples(mapper, examples);
  for (const f of failures) process.stdout.write(`FAIL ${describeFailure(f)}\n`);
  const n = new Set(examples.map((e) => e.file)).size;
  process.stdout.write(`${examples.length - failures.length} of ${examples.length} examples passed (${n} mapping file${n === 1 ? '' : 's'})\n`);
  if (failures.length > 0) throw E.MAPPING_EXAMPLES(failures.length, examples.length);
  return 0;
}

/** One message as the journal would hold it: the events a destination would read for it. */
function journalEventsOf(text: string, peer: Peer, timezone: string, now: number, mapper: Mapper | undefined): JournalEvent[] {
  const data = Buffer.from(text, 'utf8');
  const done = processBatch({
    seq: 0, receivedAt: now, count: 1, data, ends: Uint32Array.of(data.length), flags: Uint8Array.of(0), peerIndex: Uint16Array.of(0),
    peers: [peer.input, peer.transport, peer.ip, peer.port],
  }, { [peer.input]: timezone }, mapper);
  const b = Buffer.from(done.out.buffer, done.out.byteOffset, done.out.byteLength);
  const out: JournalEvent[] = [];
  scanRecords(b, 0, b.length, (s, e) => out.push(decodeEvent(b, s, e, out.length)));
  return out;
}

/** `audit verify`: walks the hash chain of data_dir/audit; exit 1 at the first break, named by file and line. */
function auditCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw E.CLI_USAGE(`audit ${sub ?? ''}: the audit command is \`siemgate audit verify [-c FILE]\``);
  const o = args(rest, { config: { type: 'string', short: 'c' }, from: { type: 'string' } });
  const cfg = loadDataConfig(o.config as string | undefined);
  const dir = join(cfg.dataDir, 'audit');
  const from = o.from as string | undefined;
  const v = verifyAudit(dir, auditKey(cfg), from);
  if (!v.ok) throw E.AUDIT_BROKEN(v.problem ?? 'unknown');
  process.stdout.write(`${dir}: ${v.records} record(s) in ${v.files} file(s), chain intact${v.hmac ? ', every record signed with audit.key_file' : ' (no audit.key_file: order and completeness are proven, not authorship)'}` +
    (v.prunedUpTo !== undefined ? `; records up to ${v.prunedUpTo} were deleted past audit.retention_days, and the kept files chain to that point (anchor.json)` : '') +
    (from !== undefined ? `; checked from ${from}, whose first record's link to the one before is taken on trust` : '') + '\n');
  return 0;
}

/** `report --kind health|compliance`: built from data_dir's files; printed on stdout. */
function reportCommand(argv: string[]): number {
  const o = args(argv, { kind: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, config: { type: 'string', short: 'c' } });
  if (o.kind !== 'health' && o.kind !== 'compliance') throw E.CLI_USAGE(`report --kind ${String(o.kind ?? '')}: give --kind health or --kind compliance`);
  const format = (o.format as string | undefined) ?? 'markdown';
  if (format !== 'json' && format !== 'markdown' && format !== 'html') throw E.CLI_USAGE(`--format ${format}: json, markdown or html`);
  const to = o.to === undefined ? Date.now() : Date.parse(o.to as string);
  const from = o.from === undefined ? to - 24 * 3_600_000 : Date.parse(o.from as string);
  if (Number.isNaN(from) || Number.isNaN(to) || from >= to) throw E.CLI_USAGE('--from and --to: ISO times, --from before --to (e.g. --from 2026-11-16T00:00:00Z --to 2026-11-23T00:00:00Z)');
  const cfg = loadDataConfig(o.config as string | undefined);
  process.stdout.write(render(buildReport(o.kind, cfg, from, to, auditKey(cfg)), format).body);
  return 0;
}
