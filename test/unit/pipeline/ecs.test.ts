import { toEcs, ECS_VERSION, isoTime } from '../../../src/pipeline/ecs';
import type { Parsed } from '../../../src/parse/types';
import type { Peer } from '../../../src/inputs/types';

const peer: Peer = { input: 'tcp', transport: 'tcp', ip: '192.0.2.1', port: 40000 };
const ctx = (extra: Partial<Parameters<typeof toEcs>[1]> = {}) => ({
  id: '0190-x', receivedAt: Date.UTC(2026, 10, 23, 10, 0, 0, 500), peer, raw: 'RAW', truncated: false, ...extra,
});

describe('toEcs', () => {
  test('RFC 5424 header fields land in log.syslog.* with Elastic\'s names', () => {
    const p: Parsed = {
      format: 'rfc5424', header: 'rfc5424', pri: 165, version: 1, timestamp: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      hostname: 'mymachine.example.com', appname: 'evntslog', procid: '42', msgid: 'ID47',
      structuredData: { 'exampleSDID@32473': { iut: '3' } }, message: 'An application event',
    };
    const d = toEcs(p, ctx()) as any;
    expect(d['@timestamp']).toBe('2003-10-11T22:14:15.003Z');
    expect(d.message).toBe('An application event');
    expect(d.log.syslog).toEqual({
      priority: 165, facility: { code: 20, name: 'local4' }, severity: { code: 5, name: 'Notice' },
      appname: 'evntslog', procid: '42', msgid: 'ID47', hostname: 'mymachine.example.com', version: '1',
      structured_data: { 'exampleSDID@32473': { iut: '3' } },
    });
    expect(d.host.hostname).toBe('mymachine.example.com');
    expect(d.process).toEqual({ name: 'evntslog', pid: 42 });
    expect(d.source).toEqual({ ip: '192.0.2.1', port: 40000 });
    expect(d.network).toEqual({ transport: 'tcp', protocol: 'syslog' });
    expect(d.event).toMatchObject({ original: 'RAW', created: '2026-11-23T10:00:00.500Z', kind: 'event' });
    expect(d.ecs.version).toBe(ECS_VERSION);
  });

  test('no timestamp in the message: @timestamp is the receive time; no hostname: host.ip is the peer', () => {
    const d = toEcs({ format: 'unknown', header: 'none', message: '\u0001garbage', error: 'no syslog header' }, ctx()) as any;
    expect(d['@timestamp']).toBe('2026-11-23T10:00:00.500Z');
    expect(d.host).toEqual({ ip: '192.0.2.1' });
    expect(d.tags).toContain('parse_error');
    expect(d.error.message).toBe('no syslog header');
    expect(d.siemgate.format).toBe('unknown');
    expect(d.log).toBeUndefined();
  });

  test('CEF: header to observer.* and cef.*, extensions by full name, severity word to number', () => {
    const p: Parsed = {
      format: 'cef', header: 'rfc3164', pri: 134, hostname: 'fw', message: 'x',
      cef: { version: 0, deviceVendor: 'Security', deviceProduct: 'threatmanager', deviceVersion: '1.0', deviceEventClassId: '100',
        name: 'worm successfully stopped', severity: 'High', extensions: { src: '10.0.0.1', dpt: '443', custom_key: 'v' } },
    };
    const d = toEcs(p, ctx()) as any;
    expect(d.observer).toEqual({ vendor: 'Security', product: 'threatmanager', version: '1.0' });
    expect(d.cef.extensions).toEqual({ sourceAddress: '10.0.0.1', destinationPort: '443', custom_key: 'v' });
    expect(d.event.severity).toBe(7);
    expect(d.event.code).toBe('100');
    expect(d.message).toBe('worm successfully stopped');
  });

  test('an application JSON event is the base document; sender meta (HEC) fills host, time and labels', () => {
    const appJson = { message: 'login', user: { name: 'alice' }, event: { action: 'login' } };
    const d = toEcs({ format: 'json', header: 'none', message: 'login' }, ctx({
      appJson, peer: { ...peer, transport: 'http' },
      meta: { time: 1767225600.123, host: 'app01', sourcetype: 'app:json', index: 'main', fields: { env: 'prod', n: 3 } },
    })) as any;
    expect(d.user).toEqual({ name: 'alice' });
    expect(d.event.action).toBe('login');
    expect(d['@timestamp']).toBe('2026-01-01T00:00:00.123Z');
    expect(d.host.hostname).toBe('app01');
    expect(d.labels).toEqual({ env: 'prod', n: '3' });
    expect(d.siemgate).toMatchObject({ sourcetype: 'app:json', index: 'main' });
    expect(d.network.protocol).toBe('http');
  });

  test('truncated messages are tagged', () => {
    const d = toEcs({ format: 'rfc3164', header: 'rfc3164', message: 'x' }, ctx({ truncated: true })) as any;
    expect(d.tags).toEqual(['truncated']);
  });

  test('isoTime keeps microseconds when the source gave them', () => {
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123), 456)).toBe('2026-01-01T00:00:00.123456Z');
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123), undefined)).toBe('2026-01-01T00:00:00.123Z');
    // six digits sent, the last three zero (1 message in 1000 from logger): still six digits
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 872), 0)).toBe('2026-01-01T00:00:00.872000Z');
  });
});
