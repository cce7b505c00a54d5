import { replaceFile } from '../journal/atomic-file';
import { createHash, createHmac } from 'node:crypto';
import {
  appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import winston from 'winston';
import TransportStream from 'winston-transport';
import type { SyslogTarget } from '../config/types';
import { log, rateLimited } from './log';
import { openSyslogNotifier, type SyslogNotifier } from './syslog-notify';

/**
 * The gateway's own audit trail (design.md "The gateway's own audit trail"): JSON lines under
 * data_dir/audit/. Every record carries `prev`, the sha256 of the line before it (across files:
 * a file's first record chains to the last one of the file before), and `mac`, an HMAC-SHA256 of
 * the line, when audit.key_file is set. `head.json` holds the last record's sequence number and
 * hash, so a file cut short is found too. `siemgate audit verify` walks the chain and names the
 * first record that was altered, removed, reordered or cut.
 *
 * Files: `audit-YYYYMMDD.jsonl` is a UTC day's first file; when the next record would take a file
 * past maxFileBytes, the day goes on in `audit-YYYYMMDD-1.jsonl`, `-2`, ... (`ls -v` lists them in
 * chain order; plain `ls` puts `-1` before the day's first file). Files whose day is older than
 * retentionDays are deleted at open and whenever a file is closed; `anchor.json` then holds the
 * sequence number and hash of the last deleted record (signed with the key, when there is one),
 * and verification starts at the oldest kept file, chained to the anchor.
 *
 * Records are appended synchronously, one at a time, by a winston transport: the chain is in
 * the order of the calls, and a record is on its way to disk before the call returns. Audit
 * events are rare (start, stop, refusals, state changes), never per message. With `syslog`, each
 * line is also sent to a syslog server; the local file is the trail, the copy is best effort.
 */
export interface AuditOptions {
  dir: string;
  /** HMAC key; without it the chain proves order and completeness, not who wrote it. */
  key?: Buffer;
  /** A file is closed and the next begun when the next record would take it past this (default 64 MiB). */
  maxFileBytes?: number;
  /** Files whose UTC day is older than this many days are deleted (default 400). */
  retentionDays?: number;
  /** Each record line also sent there (facility authpriv). */
  syslog?: SyslogTarget;
  /** The clock (tests fake it to write files dated in the past). */
  now?: () => Date;
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const DEFAULT_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;
const GENESIS = '0'.repeat(64);
const FILE_NAME = /^audit-(\d{8})(?:-([1-9]\d*))?\.jsonl$/;
/** Record types sent to syslog as warning, the rest as info. */
const FAILURE_TYPE = /fail|refused|denied/;

interface Head { seq: number; hash: string; file: string }
/** What was deleted: the chain's last deleted record. */
interface Anchor { seq: number; hash: string; file: string; time: string }
interface TrailFile { name: string; day: string; index: number }

function parseName(name: string): TrailFile | undefined {
  const m = FILE_NAME.exec(name);
  return m === null ? undefined : { name, day: m[1], index: m[2] === undefined ? 0 : Number(m[2]) };
}

function nameOf(day: string, index: number): TrailFile {
  return { name: index === 0 ? `audit-${day}.jsonl` : `audit-${day}-${index}.jsonl`, day, index };
}

/** The trail's files in chain order: by day, then by index (numerically: -10 after -9). */
function trailFiles(dir: string): TrailFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map(parseName).filter((f): f is TrailFile => f !== undefined)
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.index - b.index));
}

function files(dir: string): string[] {
  return trailFiles(dir).map((f) => f.name);
}

function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10).replace(/-/g, '');
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** A JSON object line with `"mac"` appended as its last member. */
function sign(line: string, key: Buffer | undefined): string {
  return key === undefined ? line : `${line.slice(0, -1)},"mac":${JSON.stringify(createHmac('sha256', key).update(line).digest('hex'))}}`;
}

function macOk(line: string, key: Buffer): boolean {
  const m = /,"mac":"([0-9a-f]{64})"\}$/.exec(line);
  return m !== null && createHmac('sha256', key).update(`${line.slice(0, m.index)}}`).digest('hex') === m[1];
}

const warnForward = rateLimited(60_000);

class ChainTransport extends TransportStream {
  private seq: number;
  private prev: string;
  private file: TrailFile | undefined;
  private size: number;
  private pruning = false;
  private readonly max: number;
  private readonly retentionDays: number;
  private readonly now: () => Date;

  constructor(private readonly o: AuditOptions, head: Head | undefined, private readonly notifier: SyslogNotifier | undefined) {
    super();
    this.seq = head?.seq ?? 0;
    this.prev = head?.hash ?? GENESIS;
    const all = trailFiles(o.dir);
    this.file = all[all.length - 1];
    this.size = this.file === undefined ? 0 : statSync(join(o.dir, this.file.name)).size;
    this.max = o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.retentionDays = o.retentionDays ?? DEFAULT_RETENTION_DAYS;
    this.now = o.now ?? (() => new Date());
  }

  override log(info: Record<string | symbol, unknown>, done: () => void): void {
    const { level: _level, message: type, ...fields } = info as Record<string, unknown>;
    void _level;
    this.append(String(type), plain(fields));
    done();
  }

  /** Appends one record (rotating first when due); false when it could not be written. */
  append(type: string, fields: Record<string, unknown>): boolean {
    const now = this.now();
    const line = sign(JSON.stringify({ seq: this.seq + 1, time: now.toISOString(), type, ...fields, prev: this.prev }), this.o.key);
    const bytes = Buffer.byteLength(line) + 1;
    const target = this.placeFor(now, bytes);
    const rotated = target !== this.file;
    const path = join(this.o.dir, target.name);
    try {
      appendFileSync(path, `${line}\n`);
    } catch (err) {
      // a partial line (disk full) would break the chain for every record after it. A new file
      // (rotation) is cut to empty: the next record computes the same name and starts it afresh.
      try { truncateSync(path, rotated ? 0 : this.size); } catch { /* it stays as it is; the next open cuts it */ }
      log.error(`audit: cannot write ${path}: ${(err as Error).message}; the record ${JSON.stringify(type)} is lost from the audit trail; free space or fix the permissions of ${this.o.dir}`);
      return false;
    }
    this.seq++;
    this.prev = sha256(line);
    this.size = (rotated ? 0 : this.size) + bytes;
    this.file = target;
    try {
      replaceFile(join(this.o.dir, 'head.json'), JSON.stringify({ seq: this.seq, hash: this.prev, file: target.name } satisfies Head));
    } catch (err) {
      log.warn(`audit: cannot write ${join(this.o.dir, 'head.json')}: ${(err as Error).message}; record ${this.seq} is in ${path}, but verify cannot tell a cut trail until head.json is written again`);
    }
    this.forward(line, type, path);
    if (rotated && !this.pruning) this.prune();
    return true;
  }

  /** The file the next record goes to: the current one, or the next when the day changed or it is full. */
  private placeFor(now: Date, bytes: number): TrailFile {
    const today = utcDay(now);
    if (this.file === undefined) return nameOf(today, 0);
    // a clock set back must not begin a file that sorts before the current one
    if (today > this.file.day) return nameOf(today, 0);
    if (this.size > 0 && this.size + bytes > this.max) return nameOf(this.file.day, this.file.index + 1);
    return this.file;
  }

  private forward(line: string, type: string, path: string): void {
    const n = this.notifier;
    if (n === undefined) return;
    const seq = this.seq;
    void n.send(FAILURE_TYPE.test(type) ? 'warning' : 'info', line).then((why) => {
      if (why === undefined) return;
      warnForward('audit-syslog', (held) => log.warn(`audit: record ${seq} (${type}) is in the local trail (${path}) but was not copied to syslog${held > 0 ? ` (nor were ${held} more since the last warning)` : ''}; check the server, or audit.syslog in the config: ${why}`));
    });
  }

  /**
   * Deletes the files older than retentionDays (never the current one). First the files are
   * verified (tampered ones are kept as evidence), then `audit_files_pruned` is recorded and
   * anchor.json written, then the files go: a crash in between leaves files the anchor already
   * covers, which verify skips and the next prune deletes.
   */
  prune(): void {
    const dir = this.o.dir;
    const cutoff = utcDay(new Date(this.now().getTime() - this.retentionDays * DAY_MS));
    const all = trailFiles(dir);
    let n = 0;
    while (n < all.length - 1 && all[n].day < cutoff && all[n].name !== this.file?.name) n++;
    if (n === 0) return;
    const victims = all.slice(0, n).map((f) => f.name);
    this.pruning = true;
    try {
      const a = readAnchor(dir, this.o.key);
      if (a.problem !== undefined) {
        log.error(`audit: not deleting ${victims.join(', ')} (older than retention_days ${this.retentionDays}): ${a.problem}`);
        return;
      }
      const covered = coveredFiles(dir, victims, a.anchor);
      if (covered < n) {
        const w = walk(dir, victims.slice(covered), a.anchor ?? { seq: 0, hash: GENESIS }, this.o.key, false);
        if (w.problem !== undefined) {
          log.error(`audit: not deleting ${victims.slice(covered).join(', ')} (older than retention_days ${this.retentionDays}): ${w.problem}. They are kept as evidence: run \`siemgate audit verify\`, compare with a backup or the syslog copy, then move them away`);
          this.append('audit_prune_refused', { files: victims.slice(covered), problem: w.problem });
          return;
        }
        if (!this.append('audit_files_pruned', { files: victims.slice(covered), up_to_seq: w.seq, retention_days: this.retentionDays })) return;
        const anchor: Anchor = { seq: w.seq, hash: w.hash, file: victims[n - 1], time: this.now().toISOString() };
        replaceFile(join(dir, 'anchor.json'), sign(JSON.stringify(anchor), this.o.key));
      }
      for (const f of victims) unlinkSync(join(dir, f));
    } catch (err) {
      log.error(`audit: pruning ${victims.join(', ')} in ${dir} failed: ${(err as Error).message}; the next file change tries again`);
    } finally {
      this.pruning = false;
    }
  }
}

/** winston adds Symbol-keyed fields; only plain string keys go into a record. */
function plain(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = o[k];
  return out;
}

let logger: winston.Logger | undefined;
let notifier: SyslogNotifier | undefined;

/**
 * Opens the trail (continuing its chain) and makes `audit()` write to it. After a crash the
 * newest file may end inside a record (cut, then recorded as `audit_tail_cut`) and head.json
 * may lag one record behind the file (it is written after the record): the chain goes on from
 * the last whole record in the file. Files past retention are deleted here too.
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
  // authpriv (10), not local0: these are security records (refusals, who started what config);
  // receivers keep authpriv apart with restricted access (auth.log, secure) and SIEMs class it
  // as security, where local0 means whatever each site made it mean
  notifier = o.syslog === undefined ? undefined : openSyslogNotifier(o.syslog, { facility: 'authpriv' });
  const t = new ChainTransport(o, head, notifier);
  logger = winston.createLogger({ level: 'info', transports: [t] });
  if (cut !== undefined) {
    log.warn(`audit: ${cut.file} ended inside a record (a crash while writing it): ${cut.bytes} bytes cut; recorded as audit_tail_cut`);
    t.append('audit_tail_cut', { file: cut.file, bytes: cut.bytes });
  }
  t.prune();
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

/** Ends the trail; records already handed to syslog are given their time to leave. */
export async function closeAudit(): Promise<void> {
  const l = logger;
  const n = notifier;
  logger = undefined;
  notifier = undefined;
  if (l !== undefined) await new Promise<void>((resolve) => { l.on('finish', () => resolve()); l.end(); });
  await n?.close();
}

function lines(dir: string, file: string): string[] {
  return readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l !== '');
}

function lastRecord(dir: string): Head | undefined {
  const fs = files(dir);
  for (let i = fs.length - 1; i >= 0; i--) {
    const ls = lines(dir, fs[i]);
    if (ls.length === 0) continue;
    const last = ls[ls.length - 1];
    try {
      return { seq: (JSON.parse(last) as { seq: number }).seq, hash: sha256(last), file: fs[i] };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** anchor.json, checked against the key; no file: no anchor (the chain starts at genesis). */
function readAnchor(dir: string, key: Buffer | undefined): { anchor?: Anchor; problem?: string } {
  const file = join(dir, 'anchor.json');
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8').trim();
  let a: Partial<Anchor>;
  try {
    a = JSON.parse(text) as Partial<Anchor>;
  } catch {
    return { problem: `${file}: not JSON: it was altered; restore it from a backup` };
  }
  if (typeof a.seq !== 'number' || typeof a.hash !== 'string') return { problem: `${file}: no seq and hash: it was altered; restore it from a backup` };
  if (key !== undefined && !macOk(text, key)) {
    return { problem: `${file}: its HMAC does not match: it was altered or written without audit.key_file (files removed from the start and the anchor rewritten?)` };
  }
  return { anchor: a as Anchor };
}

/**
 * How many leading files the anchor already covers: left behind by a prune that wrote the
 * anchor and was stopped before it deleted them all. 0 unless one of them ends at the anchor.
 */
function coveredFiles(dir: string, fs: string[], anchor: Anchor | undefined): number {
  if (anchor === undefined) return 0;
  for (let i = 0; i < fs.length; i++) {
    const ls = lines(dir, fs[i]);
    if (ls.length === 0) continue;
    const last = ls[ls.length - 1];
    let seq: unknown;
    try {
      seq = (JSON.parse(last) as { seq?: unknown }).seq;
    } catch {
      return 0;
    }
    if (typeof seq !== 'number' || seq > anchor.seq) return 0;
    if (seq === anchor.seq) return sha256(last) === anchor.hash ? i + 1 : 0;
  }
  return 0;
}

interface Walked {
  problem?: string;
  /** The last record checked (its seq and hash) and the hash before it. */
  seq: number;
  hash: string;
  prevOfLast: string;
  records: number;
  /** The highest up_to_seq of the audit_files_pruned records seen. */
  prunedUpTo: number;
}

/**
 * Checks the records of `fs` in order, chained to `start`; `trustFirst` takes the first record's
 * prev and seq as given (verify --from). Stops at the first break, named by file and line.
 */
function walk(dir: string, fs: string[], start: { seq: number; hash: string }, key: Buffer | undefined, trustFirst: boolean, anchored = false): Walked {
  const w: Walked = { seq: start.seq, hash: start.hash, prevOfLast: start.hash, records: 0, prunedUpTo: 0 };
  const fail = (file: string, line: number, why: string): Walked => ({ ...w, problem: `${join(dir, file)}:${line}: ${why}` });
  for (let fi = 0; fi < fs.length; fi++) {
    const f = fs[fi];
    const text = readFileSync(join(dir, f), 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) return fail(f, text.split('\n').length, 'the file ends inside a record: it was cut short');
    const ls = text.split('\n').slice(0, -1);
    for (let i = 0; i < ls.length; i++) {
      const line = ls[i];
      let rec: { seq?: unknown; prev?: unknown; type?: unknown; up_to_seq?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return fail(f, i + 1, 'not a JSON record: the line was altered');
      }
      if (trustFirst && w.records === 0 && typeof rec.seq === 'number' && typeof rec.prev === 'string') {
        w.seq = rec.seq - 1;
        w.hash = rec.prev;
      }
      if (rec.prev !== w.hash) {
        const next = w.seq + 1;
        const missing = typeof rec.seq === 'number' && rec.seq > next ? `${next}${rec.seq - next > 1 ? `..${rec.seq - 1}` : ''}` : undefined;
        let why: string;
        if (missing !== undefined && i === 0 && w.records === 0 && anchored) {
          why = `record ${missing} is missing before this file: files were removed from the start of the trail without anchor.json (which ends at record ${w.seq}) being updated`;
        } else if (missing !== undefined && i === 0 && w.records === 0 && w.seq === 0) {
          why = `record ${missing} is missing before this file: the oldest files were removed (there is no anchor.json, which the gateway writes when it deletes files past retention)`;
        } else if (missing !== undefined && i === 0) {
          why = `record ${missing} is missing here: a file before this one was removed (or cut at its end)`;
        } else if (missing !== undefined) {
          why = `record ${missing} is missing here (removed, or moved elsewhere)`;
        } else if (typeof rec.seq === 'number' && rec.seq <= w.seq) {
          why = 'records are out of order (moved or swapped)';
        } else if (i > 0 || fi > 0) {
          // the altered one is the record before: its hash no longer matches what this one recorded
          const at = i > 0 ? { file: f, line: i } : { file: fs[fi - 1], line: lines(dir, fs[fi - 1]).length };
          return fail(at.file, at.line, 'the record was altered (its hash does not match the prev of the record after it)');
        } else {
          why = 'the record before it was altered (its hash does not match this record\'s prev)';
        }
        return fail(f, i + 1, why);
      }
      if (rec.seq !== w.seq + 1) return fail(f, i + 1, `sequence ${String(rec.seq)} where ${w.seq + 1} was expected (altered)`);
      if (key !== undefined && !macOk(line, key)) return fail(f, i + 1, 'the HMAC does not match: the record was altered or written without the key');
      if (rec.type === 'audit_files_pruned' && typeof rec.up_to_seq === 'number') w.prunedUpTo = Math.max(w.prunedUpTo, rec.up_to_seq);
      w.prevOfLast = w.hash;
      w.hash = sha256(line);
      w.seq++;
      w.records++;
    }
  }
  return w;
}

export interface AuditVerdict {
  ok: boolean;
  records: number;
  files: number;
  /** What is wrong, where: `audit-20261123.jsonl:17: …`. */
  problem?: string;
  hmac: boolean;
  /** Records up to this one were deleted past retention (anchor.json); the check started after it. */
  prunedUpTo?: number;
}

/**
 * Walks the chain; the first break is reported with its file and line. It starts at the oldest
 * kept file, chained to anchor.json (or to the start, without one), or at `from` (a file name in
 * dir), whose first record's prev is then taken on trust.
 */
export function verifyAudit(dir: string, key?: Buffer, from?: string): AuditVerdict {
  let fs = files(dir);
  const hmac = key !== undefined;
  const broken = (problem: string, records = 0, n = fs.length): AuditVerdict => ({ ok: false, records, files: n, hmac, problem });
  let start = { seq: 0, hash: GENESIS };
  let anchor: Anchor | undefined;
  if (from !== undefined) {
    const i = fs.indexOf(basename(from));
    if (i < 0) return broken(`${join(dir, basename(from))}: no such audit file (the files are ${fs.length > 0 ? `${fs[0]} .. ${fs[fs.length - 1]}` : 'none'})`, 0, 0);
    fs = fs.slice(i);
  } else {
    const a = readAnchor(dir, key);
    if (a.problem !== undefined) return broken(a.problem);
    anchor = a.anchor;
    if (anchor !== undefined) {
      fs = fs.slice(coveredFiles(dir, fs, anchor));
      start = { seq: anchor.seq, hash: anchor.hash };
    }
  }
  const w = walk(dir, fs, start, key, from !== undefined, anchor !== undefined);
  if (w.problem !== undefined) return broken(w.problem, w.records);
  if (anchor !== undefined && w.prunedUpTo < anchor.seq) {
    return broken(`${join(dir, 'anchor.json')}: says records up to ${anchor.seq} were deleted, but the trail records deletions only up to ${w.prunedUpTo} (audit_files_pruned): files were removed and anchor.json rewritten by hand`, w.records);
  }
  const headFile = join(dir, 'head.json');
  if (existsSync(headFile)) {
    let head: Head;
    try {
      head = JSON.parse(readFileSync(headFile, 'utf8')) as Head;
    } catch {
      return broken(`${headFile}: unreadable`, w.records);
    }
    // head.json is written after each record: one record behind is a crash between the two
    const lagging = head.seq === w.seq - 1 && head.hash === w.prevOfLast;
    if (!lagging && (head.seq !== w.seq || head.hash !== w.hash)) {
      const lastFile = fs[fs.length - 1];
      const count = lastFile !== undefined ? lines(dir, lastFile).length : 0;
      if (head.seq === w.seq && lastFile !== undefined) {
        // as many records as were written, but the last is not the one written: it was altered
        return broken(`${join(dir, lastFile)}:${count}: the last record was altered (its hash is not the one head.json recorded when it was written)`, w.records);
      }
      const where = lastFile !== undefined ? `${join(dir, lastFile)}:${count + 1}: ` : `${dir}: `;
      return broken(`${where}the trail ends at record ${w.seq}, but record ${head.seq} was written (${head.file}): records at the end were removed or the file was cut`, w.records);
    }
  }
  return { ok: true, records: w.records, files: fs.length, hmac, ...(anchor !== undefined ? { prunedUpTo: anchor.seq } : {}) };
}
