import type { JournalEvent } from '../../src/journal/event-record';
import { sameBytes, scanValueEnd, skipSpace, stringEnd } from '../../src/parse/json-scan';
import { sentinelOutput } from '../../src/mapping/outputs';
import { intText, isoText, jsonText, MAX_FIELD_BYTES, type RowContext } from './row-values';

/**
 * The Syslog row of syslog-row.ts made from the document's bytes, without JSON.parse: the string
 * values it needs are JSON string tokens in the document already, copied as they are. Parsing
 * the whole document per event was a third of the main thread's time for a Sentinel destination
 * (the slowest connector, main-thread bound). Answers undefined whenever the document is not as
 * the pipeline writes it (an unexpected type, an escape where a time is, a value long enough to
 * be cut): the object path (syslogRow) then makes the row, so both always give the same row
 * (a fast-check test holds them equal).
 */
export type SyslogRowWriter = (ev: JournalEvent, room: (size: number) => Buffer) => Buffer | undefined;

const QUOTE = 0x22;
const LBRACE = 0x7b;
const BACKSLASH = 0x5c;

/**
 * The fields a row reads, as a tree of member names: the document is walked once, each object on
 * a wanted path entered (not skipped and searched again), every other value skipped whole.
 */
interface Node {
  key: Buffer; // the member name as its JSON token, `"host"`
  children: Node[];
  /** This path's index in the positions found, or -1 (only a step on the way). */
  slot: number;
  /** The walk that last met this member (a repeated key: JSON.parse keeps the last, so we give up). */
  seen: number;
}

export function syslogRowWriter(ctx: RowContext): SyslogRowWriter {
  const o = sentinelOutput();
  const root: Node = { key: Buffer.alloc(0), children: [], slot: -1, seen: 0 };
  let slots = 0;
  const path = (p: string[]): number => {
    let n = root;
    for (const k of p) {
      const key = Buffer.from(JSON.stringify(k));
      let c = n.children.find((x) => x.key.equals(key));
      if (c === undefined) n.children.push((c = { key, children: [], slot: -1, seen: 0 }));
      n = c;
    }
    if (n.slot < 0) n.slot = slots++;
    return n.slot;
  };
  const computer = o.computer.map(path);
  const processName = o.syslog.processName.map(path);
  const message = o.syslog.message.map(path);
  const timestamp = path(['@timestamp']);
  const peerIpPaths = [path(['siemgate', 'peer', 'ip']), path(['host', 'ip'])];
  const facility = path(['log', 'syslog', 'facility', 'code']);
  const severity = path(['log', 'syslog', 'severity', 'code']);
  const pidPath = path(['process', 'pid']);
  const procidPath = path(['log', 'syslog', 'procid']);
  const facilityNames = o.syslog.facilityNames.map((n) => Buffer.from(`,"Facility":${JSON.stringify(n)}`));
  const severityNames = o.syslog.severityNames.map((n) => Buffer.from(`,"SeverityLevel":${JSON.stringify(n)}`));
  const pos = new Int32Array(slots);
  let walkNo = 0;
  const collector = Buffer.from(ctx.collectorJson + '}');
  const K = {
    time: Buffer.from('{"TimeGenerated":'), event: Buffer.from(',"EventTime":'), computer: Buffer.from(',"Computer":'),
    hostName: Buffer.from(',"HostName":'), hostIp: Buffer.from(',"HostIP":'), pid: Buffer.from(',"ProcessID":'),
    pname: Buffer.from(',"ProcessName":'), msg: Buffer.from(',"SyslogMessage":'),
  };
  let lastMs = NaN;
  let lastIso = Buffer.alloc(0);
  let lastIp: string | undefined;
  let lastIpJson = Buffer.alloc(0);
  // the row's pieces: Buffers, or [start, end) of the document as two numbers (reused per row)
  const parts: Array<Buffer | number> = [];
  let tokenEnd = -1; // firstToken's second answer

  /** Walks the object at `obj`, noting where wanted values start; its end, -1 if malformed, -2 to give up. */
  function walk(doc: Buffer, obj: number, node: Node): number {
    let i = skipSpace(doc, obj + 1);
    if (doc[i] === 0x7d) return i + 1;
    while (doc[i] === QUOTE) {
      const keyEnd = stringEnd(doc, i);
      if (keyEnd < 0) return -1;
      let child: Node | undefined;
      for (const c of node.children) if (keyEnd - i === c.key.length && sameBytes(doc, i, c.key)) { child = c; break; }
      i = skipSpace(doc, keyEnd);
      if (doc[i] !== 0x3a) return -1;
      i = skipSpace(doc, i + 1);
      let end: number;
      if (child === undefined) end = scanValueEnd(doc, i);
      else {
        if (child.seen === walkNo) return -2;
        child.seen = walkNo;
        if (child.slot >= 0) pos[child.slot] = i;
        end = child.children.length > 0 && doc[i] === LBRACE ? walk(doc, i, child) : scanValueEnd(doc, i);
      }
      if (end < 0) return end;
      i = skipSpace(doc, end);
      if (doc[i] === 0x7d) return i + 1;
      if (doc[i] !== 0x2c) return -1;
      i = skipSpace(doc, i + 1);
    }
    return -1;
  }

  /** The JSON string token at v as [start, end), if v is a string no cut could touch; -2: give up. */
  function stringToken(doc: Buffer, v: number): number {
    if (v < 0 || doc[v] !== QUOTE) return -1;
    const end = stringEnd(doc, v);
    if (end < 0 || end - v - 2 > MAX_FIELD_BYTES) return -2; // jsonText would cut it (or damage): the object path
    return end;
  }

  /** A plain non-negative JSON integer token at v: its value; -1 absent or not a number; -2 a number of another form. */
  function plainInt(doc: Buffer, v: number): number {
    if (v < 0) return -1;
    let i = v;
    let n = 0;
    while (i < doc.length && doc[i] >= 0x30 && doc[i] <= 0x39) n = n * 10 + doc[i++] - 0x30;
    if (i === v) return doc[v] === 0x2d ? -2 : -1; // a minus: a number; anything else: not one
    const c = doc[i];
    if (c === 0x2e || c === 0x65 || c === 0x45 || i - v > 10) return -2; // fraction, exponent, huge
    return n;
  }

  return (ev, room) => {
    const doc = ev.doc;
    if (doc[0] !== LBRACE) return undefined;
    walkNo++;
    pos.fill(-1);
    if (walk(doc, 0, root) < 0) return undefined;

    parts.length = 0;
    if (ev.receivedAt !== lastMs) {
      lastMs = ev.receivedAt;
      lastIso = Buffer.from(isoText(ev.receivedAt));
    }
    parts.push(K.time, lastIso);
    // EventTime: @timestamp as the pipeline writes it, else the object path (it parses other forms)
    const ts = pos[timestamp];
    if (ts >= 0) {
      const end = stringToken(doc, ts);
      if (end < 0) return undefined;
      const len = end - ts - 2;
      if (!((len === 24 || len === 27) && doc[ts + 11] === 0x54 && doc[end - 2] === 0x5a) || hasBackslash(doc, ts, end)) return undefined;
      parts.push(K.event, ts, end);
    }
    // the sender's address: the peer the gateway saw, else what the document recorded of it
    let ipText: Buffer | undefined;
    let ipAt = -1;
    let ipEnd = -1;
    const keyIp = ev.keys.sourceIp;
    if (keyIp !== undefined) {
      if (keyIp !== lastIp) {
        lastIp = keyIp;
        lastIpJson = Buffer.from(jsonText(keyIp));
      }
      ipText = lastIpJson;
    } else {
      ipAt = firstToken(doc, peerIpPaths);
      if (ipAt === -2) return undefined;
      ipEnd = tokenEnd;
    }
    const host = firstToken(doc, computer);
    if (host === -2) return undefined;
    if (host >= 0) parts.push(K.computer, host, tokenEnd, K.hostName, host, tokenEnd);
    else if (ipText !== undefined) parts.push(K.computer, ipText, K.hostName, ipText);
    else if (ipAt >= 0) parts.push(K.computer, ipAt, ipEnd, K.hostName, ipAt, ipEnd);
    if (ipText !== undefined) parts.push(K.hostIp, ipText);
    else if (ipAt >= 0) parts.push(K.hostIp, ipAt, ipEnd);
    const fac = plainInt(doc, pos[facility]);
    if (fac === -2) return undefined;
    if (fac >= 0 && facilityNames[fac] !== undefined) parts.push(facilityNames[fac]);
    const sev = plainInt(doc, pos[severity]);
    if (sev === -2) return undefined;
    if (sev >= 0 && severityNames[sev] !== undefined) parts.push(severityNames[sev]);
    // ProcessID: process.pid when it is a number, else log.syslog.procid's text
    const pidAt = pos[pidPath];
    const pid = plainInt(doc, pidAt);
    if (pid === -2) return undefined;
    let pidText: string | undefined;
    if (pid >= 0) pidText = intText(String(pid));
    else {
      const v = pos[procidPath];
      const end = stringToken(doc, v);
      if (end === -2) return undefined;
      if (end > 0) {
        if (hasBackslash(doc, v, end)) return undefined;
        pidText = intText(doc.toString('latin1', v + 1, end - 1));
      }
    }
    if (pidText !== undefined) parts.push(K.pid, Buffer.from(pidText));
    const name = firstToken(doc, processName);
    if (name === -2) return undefined;
    if (name >= 0) parts.push(K.pname, name, tokenEnd);
    const msg = firstToken(doc, message);
    if (msg === -2) return undefined;
    if (msg >= 0) parts.push(K.msg, msg, tokenEnd);
    parts.push(collector);

    let size = 0;
    for (let p = 0; p < parts.length; p++) {
      const x = parts[p];
      if (typeof x === 'number') size += (parts[++p] as number) - x;
      else size += x.length;
    }
    const out = room(size);
    let w = 0;
    for (let p = 0; p < parts.length; p++) {
      const x = parts[p];
      if (typeof x === 'number') w += doc.copy(out, w, x, parts[++p] as number);
      else w += x.copy(out, w);
    }
    return out;
  };

  /**
   * The first of these paths that holds a string: where its token starts (its end in tokenEnd),
   * -1 if none does, -2 to give up.
   */
  function firstToken(doc: Buffer, paths: number[]): number {
    for (const p of paths) {
      const v = pos[p];
      const end = stringToken(doc, v);
      if (end === -2) return -2;
      if (end > 0) {
        tokenEnd = end;
        return v;
      }
    }
    return -1;
  }
}

function hasBackslash(doc: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (doc[i] === BACKSLASH) return true;
  return false;
}
