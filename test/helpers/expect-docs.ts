/**
 * "Exactly the messages sent arrived, each once, with the right fields": every message a test
 * sends carries a unique marker `<prefix>-<n>` (e.g. `it-logger-udp-17`); these helpers find the
 * documents of one prefix, wait for all of them, and check none is missing and none doubled.
 */
import { hostname } from 'node:os';
import type { RunningGateway } from './gateway';
import { sleep } from './procs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

export function markers(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The marker of `prefix` a document carries in its message (or event.original), if any. */
export function markerOf(doc: Doc, prefix: string): string | undefined {
  const re = new RegExp(`(?<![\\w-])${escapeRe(prefix)}-\\d+(?![\\w-])`);
  const text = typeof doc.message === 'string' ? doc.message : '';
  const m = re.exec(text) ?? re.exec(String(doc.event?.original ?? ''));
  return m?.[0];
}

/** Documents of this prefix, grouped by marker. */
export function groupByMarker(docs: Doc[], prefix: string): Map<string, Doc[]> {
  const out = new Map<string, Doc[]>();
  for (const d of docs) {
    const m = markerOf(d, prefix);
    if (m === undefined) continue;
    const list = out.get(m);
    if (list) list.push(d);
    else out.set(m, [d]);
  }
  return out;
}

/**
 * Waits until every expected marker has arrived (or timeoutMs), then `settleMs` more so that a
 * late duplicate would show, and asserts: each expected marker exactly once, no marker of this
 * prefix that was not sent. Returns marker → its one document.
 */
export async function expectExactlyOnce(gw: RunningGateway, prefix: string, expected: string[],
  opts: { timeoutMs?: number; settleMs?: number } = {}): Promise<Map<string, Doc>> {
  const { timeoutMs = 15000, settleMs = 300 } = opts;
  const until = Date.now() + timeoutMs;
  let groups = groupByMarker(gw.docs(), prefix);
  while (expected.some((m) => !groups.has(m)) && Date.now() < until) {
    await sleep(50);
    groups = groupByMarker(gw.docs(), prefix);
  }
  await sleep(settleMs);
  groups = groupByMarker(gw.docs(), prefix);
  return checkExactlyOnce(groups, prefix, expected, () => gw.stderr());
}

export function checkExactlyOnce(groups: Map<string, Doc[]>, prefix: string, expected: string[], log: () => string = () => ''): Map<string, Doc> {
  const want = new Set(expected);
  const missing = expected.filter((m) => !groups.has(m));
  const doubled = [...groups].filter(([, ds]) => ds.length > 1).map(([m, ds]) => `${m} x${ds.length}`);
  const stray = [...groups.keys()].filter((m) => !want.has(m));
  if (missing.length || doubled.length || stray.length) {
    throw new Error(`${prefix}: sent ${expected.length}, got ${groups.size} distinct.` +
      (missing.length ? `\n  missing (${missing.length}): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ' ...' : ''}` : '') +
      (doubled.length ? `\n  duplicated (${doubled.length}): ${doubled.slice(0, 20).join(', ')}` : '') +
      (stray.length ? `\n  not sent (${stray.length}): ${stray.slice(0, 20).join(', ')}` : '') +
      `\n  gateway log (tail):\n${log().slice(-3000)}`);
  }
  const out = new Map<string, Doc>();
  for (const m of expected) out.set(m, groups.get(m)![0]);
  return out;
}

/** @timestamp parses and lies in [from - slackMs, to + slackMs]. */
export function expectTimestampWithin(doc: Doc, from: number, to: number, slackMs = 2000): void {
  const ts = doc['@timestamp'];
  expect(typeof ts).toBe('string');
  const t = Date.parse(ts as string);
  expect(Number.isNaN(t)).toBe(false);
  if (t < from - slackMs || t > to + slackMs) {
    throw new Error(`@timestamp ${ts} not within [${new Date(from - slackMs).toISOString()}, ${new Date(to + slackMs).toISOString()}]`);
  }
}

/** The network part every syslog document from a loopback client has. */
export function expectLoopbackPeer(doc: Doc, transport: 'udp' | 'tcp', input: string): void {
  expect(doc.source?.ip).toBe('127.0.0.1');
  expect(typeof doc.source?.port).toBe('number');
  expect(doc.source.port).toBeGreaterThan(0);
  expect(doc.network?.transport).toBe(transport);
  expect(doc.siemgate?.input).toBe(input);
  expect(doc.siemgate?.peer?.ip).toBe('127.0.0.1');
}

/** Checks several fields at once and names every mismatch (more useful than the first one). */
export function expectFields(doc: Doc, want: Record<string, unknown>, label = ''): void {
  const bad: string[] = [];
  for (const [path, value] of Object.entries(want)) {
    const got = path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Doc)[k] : undefined), doc);
    if (JSON.stringify(got) !== JSON.stringify(value)) bad.push(`${path}: expected ${JSON.stringify(value)}, got ${JSON.stringify(got)}`);
  }
  if (bad.length) throw new Error(`${label ? label + ': ' : ''}${bad.join('\n  ')}\n  document: ${JSON.stringify(doc)}`);
}

/**
 * Field names per ECS. Beware: the dotted paths are nested objects in the document
 * (log.syslog.severity.code is doc.log.syslog.severity.code).
 */
export function syslogFields(f: { facility: number; severity: number }): Record<string, unknown> {
  const FAC = ['kernel', 'user-level', 'mail', 'system', 'security/authorization', 'syslogd', 'line printer',
    'network news', 'UUCP', 'clock', 'security/authorization', 'FTP', 'NTP', 'log audit', 'log alert',
    'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
  const SEV = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];
  return {
    'log.syslog.priority': f.facility * 8 + f.severity,
    'log.syslog.facility.code': f.facility,
    'log.syslog.facility.name': FAC[f.facility],
    'log.syslog.severity.code': f.severity,
    'log.syslog.severity.name': SEV[f.severity],
  };
}

/**
 * A message a relay (rsyslog, syslog-ng) forwarded in RFC 3164 form over TCP: `<156>Mmm dd hh:mm:ss
 * host tag[4242]: text` from a logger fed with `-p local3.warning -t <tag> --id=4242`.
 */
export function expectRelayed3164(d: Doc, marker: string, line: string | undefined, tag: string, t0: number): void {
  expectFields(d, {
    message: line, 'siemgate.format': 'rfc3164', 'log.syslog.appname': tag, 'log.syslog.procid': '4242',
    'log.syslog.hostname': hostname().split('.')[0], ...syslogFields({ facility: 19, severity: 4 }),
  }, marker);
  expectLoopbackPeer(d, 'tcp', 'tcp');
  expectTimestampWithin(d, Math.floor(t0 / 1000) * 1000, Date.now());
}
