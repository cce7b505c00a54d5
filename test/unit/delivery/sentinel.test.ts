import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { cefRow, cslColumns } from '../../../connectors/sentinel/cef-row';
import { classifyIngestion, type IngestAnswer, type SentinelTransport } from '../../../connectors/sentinel/client';
import { ECS_COLUMNS } from '../../../connectors/sentinel/ecs-row';
import { createRowEncoder, noRouteReason, routesFor } from '../../../connectors/sentinel/encode';
import { openSentinel } from '../../../connectors/sentinel';
import { probeSentinel } from '../../../connectors/sentinel/probe';
import { arrayBody, MAX_REQUEST_BYTES, packRows } from '../../../connectors/sentinel/request-body';
import { cefTimeText, cutUtf8, intText, longText, MAX_FIELD_BYTES, realText, rowContext } from '../../../connectors/sentinel/row-values';
import { SYSLOG_COLUMNS, syslogRow } from '../../../connectors/sentinel/syslog-row';
import { syslogRowWriter } from '../../../connectors/sentinel/syslog-row-bytes';
import { createTokenSource, refreshTimes, type TokenAnswer } from '../../../connectors/sentinel/token';
import type { SentinelDestinationConfig } from '../../../src/config/types';
import type { EncodedBatch, Verdict } from '../../../src/delivery/connector';
import type { JournalEvent } from '../../../src/journal/event-record';
import { processBatch } from '../../../src/pipeline/process-batch';
import { eventsOf } from '../../helpers/journal-records';
import { startSentinelDouble, streamsFromTemplate, type SentinelDouble } from '../../helpers/sentinel-double';
import { commonSecurityLogColumns, syslogColumns } from '../../helpers/protocol-columns';

const DOCS = resolve(__dirname, '../../../docs/sentinel');
const TENANT = '72f988bf-0000-4000-8000-000000000001';
const CLIENT = '60aeaa16-0000-4000-8000-000000000002';
const SECRET = 'Qz8Q~unit-test-secret-value-0123456789ab';
const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const STREAMS = { syslog: 'Custom-SyslogStream', cef: 'Custom-CommonSecurityLogStream', ecs: 'Custom-SiemgateEvents_CL' };
const RECEIVED = Date.UTC(2026, 10, 23, 12, 0, 0, 42);
const RECEIVED_ISO = '2026-11-23T12:00:00.042Z';
const PEER = { input: 'fw', transport: 'tcp' as const, ip: '10.1.2.3', port: 5514 };

/** Journal events for these lines, as the parse workers write them (documents and routing keys). */
function events(lines: string[], receivedAt = RECEIVED): JournalEvent[] {
  const bufs = lines.map((l) => Buffer.from(l, 'utf8'));
  const data = Buffer.concat(bufs);
  const ends = new Uint32Array(bufs.length);
  let off = 0;
  bufs.forEach((b, i) => { off += b.length; ends[i] = off; });
  const done = processBatch({
    seq: 1, receivedAt, count: lines.length, data, ends, flags: new Uint8Array(lines.length),
    peerIndex: new Uint16Array(lines.length), peers: [PEER.input, PEER.transport, PEER.ip, PEER.port],
  }, { fw: 'UTC' });
  return eventsOf(done.out);
}

const encoder = createRowEncoder({ streams: STREAMS }, 'gw-1');
const rowOf = (line: string) => JSON.parse(encoder.encode(events([line])[0]).toString('utf8')) as Record<string, unknown>;

const RFC5424 = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry';
const RFC3164 = "<34>Oct 11 22:14:15 mymachine su[233]: 'su root' failed for lonvick on /dev/pts/8";
const CEF = '<134>Sep 19 08:26:10 fw1 CEF:0|Palo Alto|PAN-OS|9.1|end|TRAFFIC|3|rt=Sep 19 2026 08:26:10 GMT src=10.0.0.5 dst=8.8.8.8 spt=51000 dpt=53 proto=UDP in=9007199254740993 out=300 cs1=rule1 cs1Label=Rule suser=bob foo=bar cn1=17179869184 cn2=17 cfp1=1.5 act=allow externalId=4711 start=1790000000000 dvcpid=abc ahost=collector-7 msg=hello world';

describe('Syslog rows (protocols.md §6.3)', () => {
  test('made from the document\'s bytes, a row is the one the parsed document gives, whatever the message (fast-check)', () => {
    const ctx = rowContext('gw-1');
    const tricky = fc.constantFrom('"', '\\', '\u0000', 'é✓', '😀', ' ', '[a b="c\\"d"]', '"message":"x"', '{"log":1}', '\t', '-', '0');
    const text = fc.array(fc.oneof(tricky, fc.string({ maxLength: 6 })), { maxLength: 10 }).map((a) => a.join(''));
    const word = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
    const line = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 191 }), word, word, fc.oneof(fc.constant('-'), fc.nat(99999).map(String), word), text)
        .map(([pri, host, app, pid, t]) => `<${pri}>1 2026-11-23T10:00:00.123456Z ${host} ${app} ${pid} ID1 [sd@1 k="${t.replace(/["\\\]]/g, '')}"] ${t}`),
      fc.tuple(fc.integer({ min: 0, max: 191 }), word, word, fc.nat(99999), text).map(([pri, host, app, pid, t]) => `<${pri}>Nov 23 10:00:00 ${host} ${app}[${pid}]: ${t}`),
      fc.tuple(word, text).map(([app, t]) => `${app}: ${t}`),
      text.map((t) => `a=1 b="${t.replace(/["\\]/g, '')}" msg=${t.replace(/\s/g, '')}`),
      text,
    );
    let fromBytes = 0;
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines) => {
      for (const ev of events(lines)) {
        if (routesFor(STREAMS)[ev.format]?.kind !== 'syslog') continue;
        const bytes = syslogRowWriter(ctx)(ev, (n) => Buffer.alloc(n));
        const slow = JSON.parse(syslogRow(JSON.parse(ev.doc.toString('utf8')), ev, ctx));
        if (bytes === undefined) continue; // the object path makes that row
        fromBytes++;
        expect(JSON.parse(bytes.toString('utf8'))).toEqual(slow);
      }
    }), { numRuns: 300 });
    expect(fromBytes).toBeGreaterThan(300);
    // shapes it leaves to the object path: @timestamp in another form, a fractional facility code
    const ev = events([RFC5424])[0];
    const odd = (doc: string): JournalEvent => ({ seq: ev.seq, receivedAt: ev.receivedAt, format: ev.format, truncated: false, keys: {}, doc: Buffer.from(doc) });
    expect(syslogRowWriter(ctx)(odd('{"@timestamp":"Oct 11 2003 22:14:15 GMT","message":"m"}'), (n) => Buffer.alloc(n))).toBeUndefined();
    expect(syslogRowWriter(ctx)(odd('{"log":{"syslog":{"facility":{"code":1.5}}},"message":"m"}'), (n) => Buffer.alloc(n))).toBeUndefined();
    expect(rowOf(RFC5424)).toEqual(JSON.parse(syslogRow(JSON.parse(ev.doc.toString('utf8')), ev, ctx)));
  });

  test('RFC 5424: every column from the ECS document, with the table\'s types and the agent\'s names', () => {
    expect(rowOf(RFC5424)).toEqual({
      TimeGenerated: RECEIVED_ISO, EventTime: '2003-10-11T22:14:15.003Z', Computer: 'mymachine.example.com', HostName: 'mymachine.example.com',
      HostIP: '10.1.2.3', Facility: 'local4', SeverityLevel: 'notice', ProcessID: 1234, ProcessName: 'evntslog',
      SyslogMessage: 'An application event log entry', SourceSystem: 'siemgate', CollectorHostName: 'gw-1',
    });
  });

  test('RFC 3164: facility 4 is auth, severity 2 crit, the pid from the tag', () => {
    expect(rowOf(RFC3164)).toMatchObject({
      Computer: 'mymachine', Facility: 'auth', SeverityLevel: 'crit', ProcessID: 233, ProcessName: 'su',
      SyslogMessage: "'su root' failed for lonvick on /dev/pts/8", EventTime: '2026-10-11T22:14:15.000Z',
    });
  });

  test.each([
    [0, 'kern', 'emerg'], [11, 'user', 'err'], [86, 'authpriv', 'info'], [100, 'ntp', 'warning'], [78, 'cron', 'info'],
    [123, 'clock', 'err'], [105, 'audit', 'alert'], [191, 'local7', 'debug'],
  ])('PRI %i => Facility %s, SeverityLevel %s (the vocabulary the Syslog table uses)', (pri, fac, sev) => {
    expect(rowOf(`<${pri}>1 2026-11-23T10:00:00Z h a - - - x`)).toMatchObject({ Facility: fac, SeverityLevel: sev });
  });

  test('a message with no header: the sender\'s address stands for the host, no facility or process', () => {
    const row = rowOf('garbage without pri');
    expect(row).toMatchObject({ Computer: '10.1.2.3', HostName: '10.1.2.3', HostIP: '10.1.2.3', SyslogMessage: 'garbage without pri' });
    expect(row).not.toHaveProperty('Facility');
    expect(row).not.toHaveProperty('ProcessID');
  });

  test('a message over 64 KB is cut on a UTF-8 boundary below the service\'s limit', () => {
    const text = 'é€'.repeat(30_000); // 5 bytes per pair: 150,000 bytes
    const row = rowOf(`<13>1 2026-11-23T10:00:00Z h app - - - ${text}`);
    const msg = row.SyslogMessage as string;
    expect(Buffer.byteLength(msg, 'utf8')).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(Buffer.byteLength(msg, 'utf8')).toBeGreaterThan(MAX_FIELD_BYTES - 3);
    expect(text.startsWith(msg)).toBe(true);
    expect(msg).not.toContain('\ufffd');
  });
});

describe('CommonSecurityLog rows (protocols.md §2.2, §6.4)', () => {
  test('header, mapped extensions with their column types, and the rest in AdditionalExtensions', () => {
    const enc = encoder.encode(events([CEF])[0]).toString('utf8');
    const row = JSON.parse(enc) as Record<string, unknown>;
    expect(row).toEqual({
      TimeGenerated: RECEIVED_ISO, DeviceVendor: 'Palo Alto', DeviceProduct: 'PAN-OS', DeviceVersion: '9.1', DeviceEventClassID: 'end',
      Activity: 'TRAFFIC', LogSeverity: '3', Computer: 'fw1',
      ReceiptTime: 'Sep 19 2026 08:26:10 GMT', SourceIP: '10.0.0.5', DestinationIP: '8.8.8.8', SourcePort: 51000, DestinationPort: 53,
      Protocol: 'UDP', ReceivedBytes: 9007199254740992, SentBytes: 300, DeviceCustomString1: 'rule1', DeviceCustomString1Label: 'Rule',
      SourceUserName: 'bob', FieldDeviceCustomNumber1: 17179869184, FieldDeviceCustomNumber2: 17, DeviceCustomNumber2: 17,
      DeviceCustomFloatingPoint1: 1.5, DeviceAction: 'allow', ExtID: '4711', ExternalID: 4711, StartTime: '2026-09-21T14:13:20.000Z',
      Message: 'hello world', AdditionalExtensions: 'foo=bar;dvcpid=abc;ahost=collector-7', SourceSystem: 'siemgate', CollectorHostName: 'gw-1',
    });
    // a long is written with all its digits (2^53 + 1 would round as a double)
    expect(enc).toContain('"ReceivedBytes":9007199254740993');
  });

  test('deviceDirection 0/1 is written as Microsoft\'s CEF collection writes it, Inbound/Outbound; another value as it came', () => {
    expect(rowOf('CEF:0|V|P|1|id|n|5|deviceDirection=0').CommunicationDirection).toBe('Inbound');
    expect(rowOf('CEF:0|V|P|1|id|n|5|deviceDirection=1').CommunicationDirection).toBe('Outbound');
    expect(rowOf('CEF:0|V|P|1|id|n|5|deviceDirection=lateral').CommunicationDirection).toBe('lateral');
  });

  test('a device time we cannot place in time stays in AdditionalExtensions; a readable one becomes a datetime', () => {
    const row = rowOf('CEF:0|V|P|1|id|n|5|start=Sep 19 08:26:10 CEST end=Sep 19 2026 08:26:10.5 +02:00 rt=1790000000000');
    expect(row.EndTime).toBe('2026-09-19T06:26:10.500Z');
    expect(row.ReceiptTime).toBe('1790000000000');
    expect(row).not.toHaveProperty('StartTime');
    expect(row.AdditionalExtensions).toBe('start=Sep 19 08:26:10 CEST');
  });

  test('every key of mappings/outputs/sentinel.yaml reaches its column (and its `also` column); keys it lists without a column go to AdditionalExtensions', () => {
    const table = parseYaml(readFileSync(resolve(__dirname, '../../../mappings/outputs/sentinel.yaml'), 'utf8')).commonsecuritylog as {
      extensions: Record<string, string | { column: string; type?: string; also?: { column: string; type: string }; values?: Record<string, string> }>; additional: string[];
    };
    // a value each type takes: digits for int/long/real, an epoch-ms time for datetime
    const valueFor = (type: string | undefined) => (type === 'datetime' ? '1790000000000' : type === undefined || type === 'string' ? 'v-x' : '42');
    for (const [key, spec] of Object.entries(table.extensions)) {
      const { column, type, also } = typeof spec === 'string' ? { column: spec, type: undefined, also: undefined } : spec;
      // a key that also fills a numeric column gets a number, which its string column keeps as text
      const value = also !== undefined ? '42' : valueFor(type);
      const row = rowOf(`CEF:0|V|P|1|sig|name|3|${key}=${value}`);
      const want = type === 'datetime' ? new Date(1790000000000).toISOString() : type === undefined || type === 'string' ? value : 42;
      expect([key, row[column]]).toEqual([key, want]);
      if (also !== undefined) expect([key, row[also.column]]).toEqual([key, 42]);
      expect(row.AdditionalExtensions).toBeUndefined();
    }
    for (const key of table.additional) expect([key, rowOf(`CEF:0|V|P|1|sig|name|3|${key}=v-x`).AdditionalExtensions]).toEqual([key, `${key}=v-x`]);
  });

  test('CEF without a syslog header: Computer is the sender', () => {
    expect(rowOf('CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232')).toMatchObject({
      Computer: '10.1.2.3', LogSeverity: '10', SourceIP: '10.0.0.1', DestinationIP: '2.1.2.2', SourcePort: 1232,
    });
  });
});

describe('ECS rows (SiemgateEvents_CL)', () => {
  test('a JSON event: typed columns, message and raw text lifted out, the rest as the Ecs dynamic column', () => {
    const row = rowOf('{"message":"hi","user":{"name":"bob"}}');
    expect(row).toMatchObject({
      TimeGenerated: RECEIVED_ISO, Computer: '10.1.2.3', HostIP: '10.1.2.3', Input: 'fw', Format: 'json',
      Message: '{"message":"hi","user":{"name":"bob"}}', RawEvent: '{"message":"hi","user":{"name":"bob"}}', Truncated: false, CollectorHostName: 'gw-1',
    });
    const ecs = row.Ecs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(ecs.json).toEqual({ message: 'hi', user: { name: 'bob' } });
    expect(ecs).not.toHaveProperty('message');
    expect(ecs.event).not.toHaveProperty('original');
    expect(ecs.siemgate).toMatchObject({ input: 'fw', format: 'json' });
  });

  test('too large for one field: Ecs is left out rather than cut into broken JSON, and Truncated says so', () => {
    const big = JSON.stringify({ a: 'x'.repeat(40_000), b: 'y'.repeat(40_000) });
    const row = rowOf(big);
    expect(row.Truncated).toBe(true);
    expect(row).not.toHaveProperty('Ecs');
    expect(Buffer.byteLength(row.RawEvent as string)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
  });
});

describe('DCR templates match the rows (docs/sentinel)', () => {
  const expectColumns = (file: string, stream: string, columns: ReadonlyArray<readonly [string, string]>) => {
    const declared = streamsFromTemplate(resolve(DOCS, file))[stream];
    expect(declared?.map((c) => [c.name, c.type])).toEqual(columns.map(([n, t]) => [n, t]));
  };
  test.each([
    ['dcr-syslog-cef.json', STREAMS.syslog, SYSLOG_COLUMNS], ['dcr-syslog-cef.json', STREAMS.cef, cslColumns()],
    ['dcr-ecs.json', STREAMS.ecs, ECS_COLUMNS], ['dcr-all.json', STREAMS.syslog, SYSLOG_COLUMNS],
    ['dcr-all.json', STREAMS.cef, cslColumns()], ['dcr-all.json', STREAMS.ecs, ECS_COLUMNS],
  ])('%s declares %s with exactly the builder\'s columns (regenerate: node docs/sentinel/generate-templates.js)', expectColumns);

  test('every Syslog and CommonSecurityLog column the rows can have is one of the table\'s, with its type, as protocols.md §6.3/§6.4 lists them (not from our own code)', () => {
    const check = (ours: ReadonlyArray<readonly [string, string]>, table: Map<string, string>) => {
      expect(table.size).toBeGreaterThan(10); // the section was read
      for (const [name, type] of ours) expect([name, table.get(name)]).toEqual([name, type]);
    };
    check(SYSLOG_COLUMNS, syslogColumns());
    check(cslColumns(), commonSecurityLogColumns());
    for (const file of ['dcr-syslog-cef.json', 'dcr-all.json']) {
      const declared = streamsFromTemplate(resolve(DOCS, file));
      check(declared[STREAMS.syslog]!.map((c) => [c.name, c.type] as const), syslogColumns());
      check(declared[STREAMS.cef]!.map((c) => [c.name, c.type] as const), commonSecurityLogColumns());
    }
  });

  test('every template is an ARM deployment of a kind Direct DCR whose flows reach the tables; the ECS table has the ECS columns', () => {
    for (const file of ['dcr-syslog-cef.json', 'dcr-ecs.json', 'dcr-all.json']) {
      const t = JSON.parse(readFileSync(resolve(DOCS, file), 'utf8'));
      const dcr = t.resources.find((r: { type: string }) => r.type === 'Microsoft.Insights/dataCollectionRules');
      expect(dcr).toMatchObject({ kind: 'Direct', apiVersion: '2023-03-11' });
      const outputs = Object.fromEntries(dcr.properties.dataFlows.map((f: { streams: string[]; outputStream: string }) => [f.streams[0], f.outputStream]));
      for (const s of Object.keys(dcr.properties.streamDeclarations)) {
        expect(s.startsWith('Custom-')).toBe(true);
        expect(outputs[s]).toBe({ [STREAMS.syslog]: 'Microsoft-Syslog', [STREAMS.cef]: 'Microsoft-CommonSecurityLog', [STREAMS.ecs]: 'Custom-SiemgateEvents_CL' }[s]);
      }
      const table = t.resources.find((r: { type: string }) => r.type === 'Microsoft.OperationalInsights/workspaces/tables');
      if (file === 'dcr-syslog-cef.json') expect(table).toBeUndefined();
      else {
        expect(table.properties.schema.name).toBe('SiemgateEvents_CL');
        expect(table.properties.schema.columns.map((c: { name: string; type: string }) => [c.name, c.type.toLowerCase()])).toEqual(ECS_COLUMNS.map(([n, ty]) => [n, ty]));
        expect(dcr.dependsOn).toHaveLength(1);
      }
    }
  });

  test('rows of a mixed corpus use only declared columns, each with a value of its declared type', () => {
    const lines = [RFC5424, RFC3164, CEF, 'garbage without pri', 'a=1 b=2 msg="kv event"', '{"message":"hi"}', 'LEEF:1.0|IBM|QRadar|7.0|login|src=10.1.1.1\tusrName=bob',
      'CEF:0|V|P|1|id|n|Very-High|cs2=x cn3=12 cfp2=nope c6a1=::1 flexNumber1=9 flexDate1=Sep 19 2026 08:26:10 deviceCustomDate1=today fsize=12 oldFileSize=3 type=1 cnt=2 deviceDirection=1'];
    const types = new Map<string, Map<string, string>>([
      ['syslog', new Map(SYSLOG_COLUMNS.map(([n, t]) => [n, t]))], ['cef', new Map(cslColumns().map(([n, t]) => [n, t]))], ['ecs', new Map(ECS_COLUMNS.map(([n, t]) => [n, t]))],
    ]);
    const fits: Record<string, (v: unknown) => boolean> = {
      string: (v) => typeof v === 'string', int: (v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31, long: (v) => Number.isInteger(v),
      real: (v) => typeof v === 'number', boolean: (v) => typeof v === 'boolean', dynamic: () => true,
      datetime: (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v),
    };
    let checked = 0;
    for (const ev of events(lines)) {
      const kind = encoder.routes[ev.format]!.kind;
      for (const [k, v] of Object.entries(JSON.parse(encoder.encode(ev).toString()))) {
        const t = types.get(kind)!.get(k);
        expect([ev.format, k, t !== undefined && fits[t](v)]).toEqual([ev.format, k, true]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });
});

describe('typed values', () => {
  const fns: Record<string, (s: string) => string | undefined> = { intText, longText, realText };
  test.each([
    ['intText', '42', '42'], ['intText', '-7', '-7'], ['intText', '2147483648', undefined], ['intText', '4x', undefined],
    ['longText', '9223372036854775807', '9223372036854775807'], ['longText', '9223372036854775808', undefined], ['longText', '007', '7'],
    ['realText', '1.5', '1.5'], ['realText', '1e3', '1000'], ['realText', 'NaN', undefined], ['realText', ' 1', undefined],
  ])('%s(%s) = %s', (fn, input, out) => {
    expect(fns[fn as string](input as string)).toBe(out);
  });

  test('CEF times: epoch ms, MMM dd yyyy HH:mm:ss[.SSS] with UTC/GMT/offset, no year => the receive year; ambiguous zones refused', () => {
    expect(cefTimeText('1790000000000', RECEIVED)).toBe('"2026-09-21T14:13:20.000Z"');
    expect(cefTimeText('Sep 19 2025 08:26:10.123 UTC', RECEIVED)).toBe('"2025-09-19T08:26:10.123Z"');
    expect(cefTimeText('Sep  9 08:26:10', RECEIVED)).toBe('"2026-09-09T08:26:10.000Z"');
    expect(cefTimeText('2026-01-02T03:04:05+01:00', RECEIVED)).toBe('"2026-01-02T02:04:05.000Z"');
    expect(cefTimeText('2026-01-02T03:04:05', RECEIVED)).toBeUndefined();
    expect(cefTimeText('Sep 19 2025 08:26:10 PST', RECEIVED)).toBeUndefined();
  });

  test('cutUtf8 never splits a character or a surrogate pair', () => {
    expect(cutUtf8('a😀b', 4)).toBe('a');
    expect(cutUtf8('a😀b', 5)).toBe('a😀');
    expect(cutUtf8('éé', 3)).toBe('é');
  });
});

describe('stream per event', () => {
  test('own stream, else streams.ecs, else none', () => {
    const kinds = (s: Record<string, string>) => Object.fromEntries(Object.entries(routesFor(s)).map(([f, r]) => [f, r ? `${r.kind}:${r.stream}` : '-']));
    expect(kinds(STREAMS)).toEqual({
      cef: `cef:${STREAMS.cef}`, rfc5424: `syslog:${STREAMS.syslog}`, rfc3164: `syslog:${STREAMS.syslog}`, kv: `syslog:${STREAMS.syslog}`,
      unknown: `syslog:${STREAMS.syslog}`, json: `ecs:${STREAMS.ecs}`, leef: `ecs:${STREAMS.ecs}`,
    });
    expect(kinds({ ecs: 'Custom-E' })).toEqual({ cef: 'ecs:Custom-E', rfc5424: 'ecs:Custom-E', rfc3164: 'ecs:Custom-E', kv: 'ecs:Custom-E', unknown: 'ecs:Custom-E', json: 'ecs:Custom-E', leef: 'ecs:Custom-E' });
    expect(kinds({ syslog: 'Custom-S' })).toEqual({ cef: '-', rfc5424: 'syslog:Custom-S', rfc3164: 'syslog:Custom-S', kv: 'syslog:Custom-S', unknown: 'syslog:Custom-S', json: '-', leef: '-' });
    expect(noRouteReason('cef')).toMatch(/set streams\.cef \(CommonSecurityLog rows\) or streams\.ecs/);
    expect(noRouteReason('json')).toMatch(/set streams\.ecs \(SiemgateEvents_CL rows\)/);
  });
});

describe('requests of at most 1,000,000 bytes (protocols.md §6.2 limits)', () => {
  test('packRows: in order, each row once, every body within the limit and as full as it can be', () => {
    const rows = [300_000, 300_000, 399_996, 1, 999_998, 5, 5].map((n, i) => Buffer.alloc(n, 48 + i));
    const runs = packRows(rows, rows.map((_, i) => i));
    expect(runs).toEqual([[0, 1, 2], [3], [4], [5, 6]]);
    for (const run of runs) expect(arrayBody(rows, run).length).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(arrayBody(rows, [0, 1, 2]).length).toBe(MAX_REQUEST_BYTES);
    expect(arrayBody([Buffer.from('{"a":1}'), Buffer.from('{"b":2}')], [0, 1]).toString()).toBe('[{"a":1},{"b":2}]');
  });
});

describe('Logs Ingestion answers (protocols.md §6.2 status table)', () => {
  const c = { stream: 'Custom-S', dcrImmutableId: DCR, clientId: CLIENT, apiVersion: '2023-01-01' };
  const a = (status: number, code?: string, message?: string, extra: Partial<IngestAnswer> = {}): IngestAnswer =>
    ({ status, body: code ? JSON.stringify({ error: { code, message } }) : '', ...extra });
  test('204 delivered; 413 split; 400 bad rows with the service\'s code and message', () => {
    expect(classifyIngestion(a(204), c)).toEqual({ kind: 'delivered' });
    expect(classifyIngestion(a(413, 'ContentLengthLimitExceeded', 'Maximum allowed content length: 1048576 bytes (1 MB).'), c).kind).toBe('split');
    expect(classifyIngestion(a(400, 'InvalidPayload', 'bad record'), c)).toEqual({
      kind: 'bad-rows', reason: 'Logs Ingestion API 400 InvalidPayload: bad record (stream Custom-S)', response: '{"error":{"code":"InvalidPayload","message":"bad record"}}',
    });
  });
  test('429, 503, 500 with an empty body: retry, Retry-After (or retry-after-ms) honoured, the service is busy', () => {
    expect(classifyIngestion(a(429, 'TooManyRequests', 'slow down', { retryAfter: '7' }), c)).toMatchObject({ kind: 'retry', delayMs: 7000, busy: true });
    expect(classifyIngestion(a(503, undefined, undefined, { retryAfterMs: '1500' }), c)).toMatchObject({ kind: 'retry', delayMs: 1500, busy: true });
    expect(classifyIngestion(a(500), c)).toMatchObject({ kind: 'retry', reason: 'Logs Ingestion API 500 (stream Custom-S)', busy: true });
    expect(classifyIngestion({ status: 503, body: '', errorCode: 'ServiceUnavailable' }, c)).toMatchObject({ reason: 'Logs Ingestion API 503 ServiceUnavailable (stream Custom-S)' });
  });
  test.each([
    [401, 'InvalidAudience', /audience must be this cloud's Azure Monitor/],
    [403, 'OperationFailed', /"Monitoring Metrics Publisher" role on data collection rule dcr-0123.*up to 30 minutes/],
    [404, 'NotFound', /check dcr_immutable_id \(dcr-0123[0-9a-f]+\), that stream Custom-S is declared/],
    [400, 'InvalidApiVersionParameter', /does not take api_version 2023-01-01/],
  ])('%i %s: retry, and the destination is misconfigured with what to do', (status, code, what) => {
    const o = classifyIngestion(a(status, code, 'm'), c);
    expect(o.kind).toBe('retry');
    expect(o.kind === 'retry' && o.misconfigured).toMatch(what);
  });
});

describe('Entra ID token source', () => {
  const settings = { tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, scope: 'https://monitor.azure.com//.default', authorityHost: 'https://login.example' };
  const ok = (token: string, expiresIn = 3599): TokenAnswer => ({ status: 200, body: JSON.stringify({ token_type: 'Bearer', expires_in: expiresIn, access_token: token }) });

  test('refresh times: 10% or 5 minutes before the end, whichever is earlier, never in the first half', () => {
    expect(refreshTimes(0, 3_599_000).refreshAt).toBe(3_599_000 - 359_900);
    expect(refreshTimes(0, 1_800_000).refreshAt).toBe(1_500_000);
    expect(refreshTimes(0, 60_000)).toEqual({ refreshAt: 30_000, staleAt: 54_000 });
  });

  test('cached; concurrent callers share one request; renewed in the background near the end; waited for once stale', async () => {
    let now = 0;
    let n = 0;
    const pending: Array<(a: TokenAnswer) => void> = [];
    const src = createTokenSource(() => { n++; return new Promise((r) => pending.push(r)); }, settings, () => now);
    const first = Promise.all([src.get(), src.get(), src.get()]);
    expect(n).toBe(1);
    pending.shift()!(ok('t1', 3600));
    expect(await first).toEqual(['t1', 't1', 't1']);
    now = 3_000_000;
    expect(await src.get()).toBe('t1');
    expect(n).toBe(1);
    now = 3_300_000; // past refreshAt (3,240,000), before staleAt: old token now, a new one fetched behind it
    expect(await src.get()).toBe('t1');
    expect(n).toBe(2);
    pending.shift()!(ok('t2', 3600));
    await new Promise((r) => setImmediate(r));
    expect(await src.get()).toBe('t2');
    now = 3_300_000 + 3_600_000; // t2 stale: the caller waits
    const waited = src.get();
    expect(n).toBe(3);
    pending.shift()!(ok('t3', 3600));
    expect(await waited).toBe('t3');
  });

  test('a 401 earns one forced refresh per token handed out; accepted() makes the next 401 refreshable again', async () => {
    let n = 0;
    const src = createTokenSource(async () => ok(`t${++n}`), settings);
    expect(await src.get()).toBe('t1');
    expect(await Promise.all([src.refreshAfter401('t1'), src.refreshAfter401('t1')])).toEqual(['t2', 't2']);
    expect(await src.refreshAfter401('t2')).toBeUndefined();
    expect(n).toBe(2);
    src.accepted('t2');
    expect(await src.refreshAfter401('t2')).toBe('t3');
  });

  test.each([
    [401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.', /client_secret .*AADSTS7000215.*Value, not its Secret ID/],
    [401, 'invalid_client', 'AADSTS7000222: The provided client secret keys are expired.', /has expired \(AADSTS7000222\)/],
    [400, 'unauthorized_client', "AADSTS700016: Application with identifier 'x' was not found", /no application with client_id 60aeaa16.* \(AADSTS700016\)/],
    [400, 'invalid_request', "AADSTS90002: Tenant 'x' not found.", /does not know tenant 72f988bf.* \(AADSTS90002\).*authority_host/],
  ])('token error %i %s explained in one line, permanent, without the secret', async (status, error, description, what) => {
    const src = createTokenSource(async () => ({ status, body: JSON.stringify({ error, error_description: `${description} ${SECRET}\r\nTrace ID: 1\r\nCorrelation ID: 2` }) }), settings);
    const err = await src.get().then(() => undefined, (e: Error & { permanent?: boolean }) => e);
    expect(err?.message).toMatch(what);
    expect(err?.message).not.toContain(SECRET);
    expect(err?.message).not.toMatch(/[\r\n]|Trace ID/);
    expect(err?.permanent).toBe(true);
  });
});

// ---- the connector against the double ------------------------------------------------------------

const TEMPLATE_STREAMS = streamsFromTemplate(resolve(DOCS, 'dcr-all.json'));

function config(d: SentinelDouble, over: Partial<SentinelDestinationConfig> = {}): SentinelDestinationConfig {
  return {
    name: 'sentinel', type: 'sentinel', endpoint: d.ingestUrl, dcrImmutableId: DCR, streams: STREAMS, apiVersion: '2023-01-01',
    tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, authorityHost: d.loginUrl, scope: 'https://monitor.azure.com//.default',
    gzip: true, timeoutMs: 5000, tls: { insecureSkipVerify: false },
    batch: { maxEvents: 500, maxBytes: 900 * 1024, maxWaitMs: 10 }, retry: { initialMs: 1, maxMs: 2 }, concurrency: 1, ...over,
  };
}

function batchOf(c: ReturnType<typeof openSentinel>, evs: JournalEvent[]): EncodedBatch {
  const encoded = evs.map((e) => c.encode(e));
  return { events: evs, encoded, bytes: encoded.reduce((n, b) => n + b.length, 0) };
}

async function send(c: ReturnType<typeof openSentinel>, evs: JournalEvent[]): Promise<Verdict[]> {
  return (await c.send(batchOf(c, evs), new AbortController().signal)) as Verdict[];
}

const outcomes = (v: Verdict[]) => v.map((x) => x.outcome).join(',');

describe('sentinel connector', () => {
  let d: SentinelDouble;
  beforeEach(async () => {
    d = await startSentinelDouble({ tenants: { [TENANT]: { [CLIENT]: { secret: SECRET } } }, dcrs: { [DCR]: { streams: TEMPLATE_STREAMS, publishers: [CLIENT] } } });
  });
  afterEach(() => d.close());

  test('a mixed batch: one gzip request per stream, Bearer token, a GUID request id each; the rows arrive as encoded', async () => {
    const c = openSentinel(config(d));
    const evs = events([RFC5424, CEF, RFC3164, '{"message":"hi"}']);
    const v = await send(c, evs);
    expect(outcomes(v)).toBe('delivered,delivered,delivered,delivered');
    expect(d.requests.map((r) => r.stream)).toEqual([STREAMS.syslog, STREAMS.cef, STREAMS.ecs]);
    const ids = new Set(d.requests.map((r) => r.clientRequestId));
    expect(ids.size).toBe(3);
    for (const r of d.requests) {
      expect(r).toMatchObject({ status: 204, contentType: 'application/json', contentEncoding: 'gzip', apiVersion: '2023-01-01' });
      expect(r.authorization).toMatch(/^Bearer eyJ/);
      expect(r.clientRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(d.rows.get(STREAMS.syslog)).toEqual([rowOfWith(evs[0]), rowOfWith(evs[2])]);
    expect(d.rows.get(STREAMS.cef)?.[0]).toMatchObject({ DeviceVendor: 'Palo Alto', CollectorHostName: hostname() });
    expect([d.schemaViolations, d.droppedBodies, d.truncatedFields]).toEqual([[], 0, 0]);
    expect(d.tokenRequests).toHaveLength(1);
    expect(c.misconfigured!()).toBeUndefined();
  });

  test('an event with no stream is rejected with the key to set; the others are sent', async () => {
    const c = openSentinel(config(d, { streams: { syslog: STREAMS.syslog } }));
    const v = await send(c, events([RFC5424, CEF]));
    expect(v[0]).toEqual({ outcome: 'delivered' });
    expect(v[1]).toEqual({ outcome: 'reject', reason: expect.stringMatching(/no Sentinel stream takes cef events: set streams\.cef .* or streams\.ecs/) });
    expect(d.requests).toHaveLength(1);
  });

  test('a batch of over 1 MB goes as several requests, each at most 1,000,000 bytes before gzip', async () => {
    const c = openSentinel(config(d, { gzip: false }));
    const lines = Array.from({ length: 60 }, (_, i) => `<13>1 2026-11-23T10:00:00Z h app - - - ${i} ${'z'.repeat(40_000)}`);
    const v = await send(c, events(lines));
    expect(outcomes(v)).toBe(Array(60).fill('delivered').join(','));
    expect(d.requests.length).toBeGreaterThanOrEqual(3);
    expect(d.requests.every((r) => r.status === 204 && r.bodyBytes <= MAX_REQUEST_BYTES)).toBe(true);
    expect(d.allRows().map((r) => Number(String(r.SyslogMessage).split(' ')[0]))).toEqual(lines.map((_, i) => i));
  });

  test('a 400 for one row: halved until it stands alone; only it is rejected, with the service\'s code, message and body', async () => {
    const c = openSentinel(config(d));
    d.rejectRowsContaining = 'POISON';
    const lines = Array.from({ length: 8 }, (_, i) => `<13>1 2026-11-23T10:00:00Z h app - - - row ${i}${i === 5 ? ' POISON' : ''}`);
    const v = await send(c, events(lines));
    expect(outcomes(v)).toBe('delivered,delivered,delivered,delivered,delivered,reject,delivered,delivered');
    expect(v[5]).toMatchObject({ reason: expect.stringMatching(/^Logs Ingestion API 400 InvalidPayload: Data of record 0 does not match/), response: expect.stringContaining('"InvalidPayload"') });
    expect(d.allRows()).toHaveLength(7);
    expect(c.misconfigured!()).toBeUndefined();
  });

  test('every row refused alone for the same reason: still dead-lettered (no stall), and the destination is shown down with the likely cause; one delivered clears it', async () => {
    const c = openSentinel(config(d));
    d.rejectRowsContaining = 'EVERY';
    const lines = Array.from({ length: 20 }, (_, i) => `<13>1 2026-11-23T10:00:00Z h app - - - EVERY row ${i}`);
    const v = await send(c, events(lines));
    expect(outcomes(v)).toBe(Array(20).fill('reject').join(','));
    expect(c.misconfigured!()).toMatch(/the last \d+ rows were refused one by one for the same reason; the DCR's declaration of .* likely does not match/);
    d.rejectRowsContaining = 'NOTHING';
    expect(outcomes(await send(c, events(['<13>1 2026-11-23T10:00:00Z h app - - - fine'])))).toBe('delivered');
    expect(c.misconfigured!()).toBeUndefined();
  });

  test('413 for a request: halves are sent; a single row the service will not take is rejected', async () => {
    const sizes: number[] = [];
    const transport: SentinelTransport = {
      token: async () => ({ status: 200, body: '{"access_token":"tok","expires_in":3600}' }),
      ingest: async (_s, body) => {
        const rows = (JSON.parse(body.toString()) as unknown[]).length;
        sizes.push(rows);
        return rows > 2 || body.includes('HUGE') ? { status: 413, body: '{"error":{"code":"ContentLengthLimitExceeded","message":"Maximum allowed content length: 1048576 bytes (1 MB)."}}' } : { status: 204, body: '' };
      },
    };
    const c = openSentinel(config(d), transport);
    const v = await send(c, events(['a', 'b', 'c', 'HUGE', 'e'].map((x) => `<13>1 2026-11-23T10:00:00Z h app - - - ${x}`)));
    expect(outcomes(v)).toBe('delivered,delivered,delivered,reject,delivered');
    expect((v[3] as { reason: string }).reason).toMatch(/413 ContentLengthLimitExceeded.*this row alone \(\d+ bytes\) is more than the service takes/);
    expect(sizes).toEqual([5, 2, 3, 1, 2, 1, 1]);
  });

  test('403 without the role: retry and down with what to do; once granted, delivered and up again', async () => {
    const c = openSentinel(config(d));
    d.revoke(CLIENT);
    const evs = events([RFC5424]);
    const v = await send(c, evs);
    expect(v[0]).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/^Logs Ingestion API 403 OperationFailed/) });
    expect(c.misconfigured!()).toMatch(/"Monitoring Metrics Publisher" role .*up to 30 minutes/);
    d.grant(CLIENT);
    expect(outcomes(await send(c, evs))).toBe('delivered');
    expect(c.misconfigured!()).toBeUndefined();
    expect(d.tokenRequests).toHaveLength(1); // a 403 is not cured by a new token
  });

  test('404 for a stream the DCR does not declare', async () => {
    const c = openSentinel(config(d, { streams: { ...STREAMS, syslog: 'Custom-Missing' } }));
    expect(outcomes(await send(c, events([RFC5424, CEF])))).toBe('retry,delivered');
    expect(c.misconfigured!()).toMatch(/404 NotFound.*stream Custom-Missing is declared in the DCR's streamDeclarations/);
  });

  test('a token the service stopped taking: one forced refresh, the request sent again, nothing lost', async () => {
    const c = openSentinel(config(d));
    await send(c, events([RFC5424]));
    d.expireTokens();
    expect(outcomes(await send(c, events([RFC3164])))).toBe('delivered');
    expect(d.tokenRequests.map((t) => t.status)).toEqual([200, 200]);
    expect(d.requests.map((r) => r.status)).toEqual([204, 401, 204]);
    expect(d.allRows()).toHaveLength(2);
  });

  test('a fresh token refused too (wrong audience): exactly one forced refresh, then misconfigured, and no more token requests', async () => {
    const c = openSentinel(config(d, { scope: 'https://management.azure.com/.default' }));
    const v = await send(c, events([RFC5424]));
    expect(v[0]).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/401 InvalidAudience/) });
    expect(c.misconfigured!()).toMatch(/a freshly issued token was refused too; its audience must be/);
    await send(c, events([RFC5424]));
    expect(d.tokenRequests).toHaveLength(2);
    expect(d.requests.map((r) => r.status)).toEqual([401, 401, 401]);
  });

  test.each([
    ['wrong secret', { clientSecret: 'wrong-secret-value-123' }, /AADSTS7000215/],
    ['unknown tenant', { tenantId: '11111111-1111-1111-1111-111111111111' }, /does not know tenant 11111111.*AADSTS90002/],
    ['unknown client', { clientId: '22222222-2222-2222-2222-222222222222' }, /no application with client_id 22222222.*AADSTS700016/],
  ])('token refused (%s): retry, misconfigured with one operator line, no secret anywhere', async (_n, over, what) => {
    const cfg = config(d, over);
    const c = openSentinel(cfg);
    const v = await send(c, events([RFC5424, CEF]));
    expect(outcomes(v)).toBe('retry,retry');
    expect(c.misconfigured!()).toMatch(what);
    for (const text of [JSON.stringify(v), c.misconfigured!()]) {
      expect(text).not.toContain(cfg.clientSecret);
      expect(text).not.toContain(SECRET);
    }
    expect(d.requests).toHaveLength(0);
  });

  test('token endpoint busy: retry after its Retry-After, not misconfigured; then delivered', async () => {
    const c = openSentinel(config(d));
    d.tokenUnavailable = 1;
    const v = await send(c, events([RFC5424]));
    expect(v[0]).toMatchObject({ outcome: 'retry', delayMs: 1000, reason: expect.stringMatching(/token endpoint busy/) });
    expect(c.misconfigured!()).toBeUndefined();
    expect(outcomes(await send(c, events([RFC5424])))).toBe('delivered');
  });

  test('429: retry after Retry-After, and the batch\'s other streams wait instead of hitting the service', async () => {
    const c = openSentinel(config(d));
    d.throttle = 1;
    d.retryAfterS = 3;
    const v = await send(c, events([RFC5424, CEF]));
    expect(v).toEqual([
      { outcome: 'retry', reason: expect.stringMatching(/^Logs Ingestion API 429 TooManyRequests/), delayMs: 3000 },
      { outcome: 'retry', reason: expect.stringMatching(/^Logs Ingestion API 429/), delayMs: 3000 },
    ]);
    expect(d.requests).toHaveLength(1);
    expect(c.misconfigured!()).toBeUndefined();
  });

  test('connection reset and a timeout: retry with the endpoint named', async () => {
    const c = openSentinel(config(d, { timeoutMs: 300 }));
    d.reset = 1;
    expect((await send(c, events([RFC5424])))[0]).toMatchObject({ outcome: 'retry', reason: expect.stringContaining(d.ingestUrl) });
    d.slow = 1;
    d.delayMs = 1000;
    expect((await send(c, events([RFC5424])))[0]).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/timeout/) });
  });

  test('siemgate check: per stream accepted; role missing, unknown stream and a bad secret explained', async () => {
    expect(await probeSentinel(config(d), 2000)).toEqual([
      `streams.syslog ${STREAMS.syslog}: token and role accepted`, `streams.cef ${STREAMS.cef}: token and role accepted`, `streams.ecs ${STREAMS.ecs}: token and role accepted`,
    ]);
    expect(d.allRows()).toEqual([]);
    await expect(probeSentinel(config(d, { streams: { syslog: STREAMS.syslog, cef: 'Custom-Nope' } }), 2000)).rejects.toThrow(
      /^streams\.cef: Logs Ingestion API 404 NotFound \(stream Custom-Nope\): .*stream Custom-Nope is declared in the DCR's streamDeclarations.*\(the service said: Stream 'Custom-Nope' is not declared/);
    d.revoke(CLIENT);
    await expect(probeSentinel(config(d, { streams: { syslog: STREAMS.syslog } }), 2000)).rejects.toThrow(
      /^streams\.syslog: Logs Ingestion API 403 OperationFailed \(stream Custom-SyslogStream\): give .*"Monitoring Metrics Publisher" role.*up to 30 minutes/);
    const err = await probeSentinel(config(d, { clientSecret: 'bad-secret-value' }), 2000).catch((e: Error) => e.message);
    expect(err).toMatch(/AADSTS7000215/);
    expect(err).not.toContain('bad-secret-value');
  });
});

function rowOfWith(ev: JournalEvent): Record<string, unknown> {
  return JSON.parse(createRowEncoder({ streams: STREAMS }, hostname()).encode(ev).toString());
}

test('rowContext quotes the collector host once', () => {
  expect(rowContext('a"b').collectorJson).toBe(',"SourceSystem":"siemgate","CollectorHostName":"a\\"b"');
  expect(typeof cefRow).toBe('function');
});
