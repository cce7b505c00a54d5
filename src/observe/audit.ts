import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import winston from 'winston';
import TransportStream from 'winston-transport';
import { log } from './log';

/**
 * The gateway's own audit trail (design.md "The gateway's own audit trail"): JSON lines under
 * data_dir/audit/, one file per UTC day. Every record carries `prev`, the sha256 of the line
 * before it (across files: a new day's first record chains to the last one of the day before),
 * and `mac`, an HMAC-SHA256 of the line, when audit.key_file is set. `head.json` holds the last
 * record's sequence number and hash, so a file cut short is found too. `siemgate audit verify`
 * walks the chain and names the first record that was altered, removed, reordered or cut.
 *
 * Records are appended synchronously, one at a time, by a winston transport: the chain is in
 * the order of the calls, and a record is on its way to disk before the call returns. Audit
 * events are rare (start, stop, refusals, state changes), never per message.
 */
export interface AuditOptions {
  dir: string;
  /** HMAC key; without it the chain proves order and completeness, not who wrote it. */
  key?: Buffer;
}

const GENESIS = '0'.repeat(64);

interface Head { seq: number; hash: string; file: string }

class ChainTransport extends TransportStream {
  private seq: number;
  private prev: string;

  constructor(private readonly o: AuditOptions, head: Head | undefined) {
    super();
    this.seq = head?.seq ?? 0;
    this.prev = head?.hash ?? GENESIS;
  }

  override log(info: Record<string | symbol, unknown>, done: () => void): void {
    const now = new Date();
    const { level: _level, message: type, ...fields } = info as Record<string, unknown>;
    void _level;
    const rec: Record<string, unknown> = { seq: ++this.seq, time: now.toISOString(), type, ...plain(fields), prev: this.prev };
    let line = JSON.stringify(rec);
    if (this.o.key !== undefined) line = `${line.slice(0, -1)},"mac":${JSON.stringify(createHmac('sha256', this.o.key).update(line).digest('hex'))}}`;
    const file = `audit-${now.toISOString().slice(0, 10).replace(/-/g, '')}.jsonl`;
    try {
      appendFileSync(join(this.o.dir, file), `${line}\n`);
      this.prev = sha256(line);
      const head: Head = { seq: this.seq, hash: this.prev, file };
      writeFileSync(join(this.o.dir, 'head.json.tmp'), JSON.stringify(head));
      renameSync(join(this.o.dir, 'head.json.tmp'), join(this.o.dir, 'head.json'));
    } catch (err) {
      this.seq--;
      log.error(`audit: cannot write ${join(this.o.dir, file)}: ${(err as Error).message}; the record ${JSON.stringify(type)} is lost from the audit trail`);
    }
    done();
  }
}

/** winston adds Symbol-keyed fields; only plain string keys go into a record. */
function plain(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = o[k];
  return out;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

let logger: winston.Logger | undefined;

/**
 * Opens the trail (continuing its chain) and makes `audit()` write to it. After a crash the
 * newest file may end inside a record (cut, then recorded as `audit_tail_cut`) and head.json
 * may lag one record behind the file (it is written after the record): the chain goes on from
 * the last whole record in the file.
 */
export function openAudit(o: AuditOptions): void {
  mkdirSync(o.dir, { recursive: true });
  const cut = cutTornTail(o.dir);
  const headFile = join(o.dir, 'head.json');
  let head: Head | undefined;
  if (existsSync(headFile)) {
    try {
      head = JSON.parse(readFileSync(headFile, 'utf8')) as Head;
    } catch (err) {
      log.warn(`audit: ${headFile} is unreadable (${(err as Error).message}); the chain goes on from the last record found, and verify will report the break`);
    }
  }
  const last = lastRecord(o.dir);
  if (last !== undefined && (head === undefined || last.seq > head.seq)) head = last;
  logger = winston.createLogger({ level: 'info', transports: [new ChainTransport(o, head)] });
  if (cut !== undefined) {
    log.warn(`audit: ${cut.file} ended inside a record (a crash while writing it): ${cut.bytes} bytes cut; recorded as audit_tail_cut`);
    audit('audit_tail_cut', { file: cut.file, bytes: cut.bytes });
  }
}

/** Cuts the newest file back to its last whole line; says what was cut. */
function cutTornTail(dir: string): { file: string; bytes: number } | undefined {
  const fs = files(dir);
  if (fs.length === 0) return undefined;
  const file = join(dir, fs[fs.length - 1]);
  const buf = readFileSync(file);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return undefined;
  const keep = buf.lastIndexOf(0x0a) + 1;
  truncateSync(file, keep);
  return { file, bytes: buf.length - keep };
}

/** One audit record: a type (`start`, `auth_failure`, `destination_state`, ...) and its fields. Never a secret. */
export function audit(type: string, fields: Record<string, unknown> = {}): void {
  logger?.info(type, fields);
}

export async function closeAudit(): Promise<void> {
  const l = logger;
  logger = undefined;
  if (l === undefined) return;
  await new Promise<void>((resolve) => { l.on('finish', () => resolve()); l.end(); });
}

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^audit-\d{8}\.jsonl$/.test(f)).sort() : [];
}

function lastRecord(dir: string): Head | undefined {
  const fs = files(dir);
  for (let i = fs.length - 1; i >= 0; i--) {
    const lines = readFileSync(join(dir, fs[i]), 'utf8').split('\n').filter((l) => l !== '');
    if (lines.length === 0) continue;
    const last = lines[lines.length - 1];
    try {
      return { seq: (JSON.parse(last) as { seq: number }).seq, hash: sha256(last), file: fs[i] };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface AuditVerdict {
  ok: boolean;
  records: number;
  files: number;
  /** What is wrong, where: `audit-20261123.jsonl:17: …`. */
  problem?: string;
  hmac: boolean;
}

/** Walks the whole chain; the first break is reported with its file and line. */
export function verifyAudit(dir: string, key?: Buffer): AuditVerdict {
  const fs = files(dir);
  let prev = GENESIS;
  let prevOfLast = GENESIS;
  let seq = 0;
  let records = 0;
  const fail = (file: string, line: number, why: string): AuditVerdict =>
    ({ ok: false, records, files: fs.length, hmac: key !== undefined, problem: `${join(dir, file)}:${line}: ${why}` });
  for (const f of fs) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) return fail(f, text.split('\n').length, 'the file ends inside a record: it was cut short');
    const lines = text.split('\n').slice(0, -1);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let rec: { seq?: unknown; prev?: unknown; mac?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return fail(f, i + 1, 'not a JSON record: the line was altered');
      }
      if (rec.prev !== prev) {
        const why = typeof rec.seq === 'number' && rec.seq > seq + 1 ? `record ${seq + 1}${rec.seq - seq > 2 ? `..${rec.seq - 1}` : ''} is missing here (removed, or moved elsewhere)`
          : typeof rec.seq === 'number' && rec.seq <= seq ? 'records are out of order (moved or swapped)'
            : 'the record before it was altered (its hash does not match this record\'s prev)';
        return fail(f, i + 1, why);
      }
      if (rec.seq !== seq + 1) return fail(f, i + 1, `sequence ${String(rec.seq)} where ${seq + 1} was expected (altered)`);
      if (key !== undefined) {
        const mac = rec.mac;
        const unsigned = line.replace(/,"mac":"[0-9a-f]{64}"\}$/, '}');
        if (typeof mac !== 'string' || createHmac('sha256', key).update(unsigned).digest('hex') !== mac) {
          return fail(f, i + 1, 'the HMAC does not match: the record was altered or written without the key');
        }
      }
      prevOfLast = prev;
      prev = sha256(line);
      seq++;
      records++;
    }
  }
  const headFile = join(dir, 'head.json');
  if (existsSync(headFile)) {
    let head: Head;
    try {
      head = JSON.parse(readFileSync(headFile, 'utf8')) as Head;
    } catch {
      return { ok: false, records, files: fs.length, hmac: key !== undefined, problem: `${headFile}: unreadable` };
    }
    // head.json is written after each record: one record behind is a crash between the two
    const lagging = head.seq === seq - 1 && head.hash === prevOfLast;
    if (!lagging && (head.seq !== seq || head.hash !== prev)) {
      const where = fs.length > 0 ? `${join(dir, fs[fs.length - 1])}: ` : '';
      return { ok: false, records, files: fs.length, hmac: key !== undefined,
        problem: `${where}the trail ends at record ${seq}, but record ${head.seq} was written (${head.file}): records at the end were removed or the file was cut` };
    }
  }
  return { ok: true, records, files: fs.length, hmac: key !== undefined };
}
