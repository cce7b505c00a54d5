import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfigFile, loadConfigText } from '../../../src/config';
import type { SiemgateError } from '../../../src/errors';

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): SiemgateError {
  try {
    loadConfigText(text, '/etc/siemgate.yaml', env);
  } catch (err) {
    return err as SiemgateError;
  }
  throw new Error('expected the config to be refused');
}

const VALID = `data_dir: /var/lib/siemgate
inputs:
  - { name: udp, type: syslog_udp, address: "0.0.0.0:514", timezone: Europe/Berlin }
  - name: tcp
    type: syslog_tcp
    address: "[::]:601"
    framing: octet
    max_message_bytes: 64KiB
  - name: http
    type: http
    address: "0.0.0.0:8088"
    tokens: [{ name: apps, secret: "\${HTTP_TOKEN}" }]
destinations:
  - { name: archive, type: file, path: /var/log/siemgate/events.ndjson }
`;

describe('config loader', () => {
  test('a valid file converts to camelCase with defaults and ${ENV} expanded', () => {
    const cfg = loadConfigText(VALID, '/etc/siemgate.yaml', { HTTP_TOKEN: 's3cret' });
    expect(cfg.dataDir).toBe('/var/lib/siemgate');
    expect(cfg.inputs[0]).toMatchObject({ type: 'syslog_udp', timezone: 'Europe/Berlin', maxMessageBytes: 65535 });
    expect(cfg.inputs[1]).toMatchObject({ type: 'syslog_tcp', framing: 'octet', maxMessageBytes: 65536, oversize: 'truncate', idleTimeoutMs: 300000 });
    expect(cfg.inputs[2]).toMatchObject({ type: 'http', auth: 'token', tokens: [{ name: 'apps', secret: 's3cret' }] });
    expect(cfg.pipeline.workers).toBe(Math.max(1, Math.min(require('node:os').availableParallelism(), 8)));
  });

  test('an unknown key is named with its file, line and the keys that are allowed', () => {
    const err = problemsOf(VALID.replace('framing: octet', 'framing: octet\n    framming: lf'), { HTTP_TOKEN: 'x' });
    expect(err.code).toBe('SG_CONFIG_INVALID');
    expect(err.message).toContain('/etc/siemgate.yaml');
    expect(err.message).toMatch(/line 8: inputs\[1\]\.framming: unknown key; expected one of: .*framing/);
  });

  test('schema problems and what the conversion finds come in one round, in line order', () => {
    const text = VALID.replace('timezone: Europe/Berlin', 'timezone: Mars/Olympus').replace('framing: octet', 'framing: crlf');
    const msg = problemsOf(text, { HTTP_TOKEN: 'x' }).message;
    expect(msg).toMatch(/line 3: inputs\[0\]\.timezone: unknown zone "Mars\/Olympus"[\s\S]*line 7: inputs\[1\]\.framing: must be one of/);
  });

  test('a bad enum value says what is expected, on the right line', () => {
    const err = problemsOf(VALID.replace('framing: octet', 'framing: crlf'), { HTTP_TOKEN: 'x' });
    expect(err.message).toMatch(/line 7: inputs\[1\]\.framing: must be one of: auto, lf, octet \(got "crlf"\)/);
    // a wrong type shows what was given, and an empty \${ENV} shows as ""
    expect(problemsOf(VALID.replace('max_message_bytes: 64KiB', 'max_message_bytes: 64KiB\n    max_connections: lots'), { HTTP_TOKEN: 'x' }).message)
      .toMatch(/inputs\[1\]\.max_connections: must be integer \(got "lots"\)/);
    expect(problemsOf(VALID, { HTTP_TOKEN: '' }).message).toMatch(/secret: must NOT have fewer than 1 characters \(got ""\)/);
  });

  test('an unknown input type lists the known ones', () => {
    const err = problemsOf(VALID.replace('type: syslog_udp', 'type: syslog_udpp'), { HTTP_TOKEN: 'x' });
    expect(err.message).toMatch(/line 3: inputs\[0\]\.type: unknown type "syslog_udpp"; expected one of: syslog_udp, syslog_tcp, syslog_tls, http/);
  });

  test('an unset environment variable is named with its line', () => {
    const err = problemsOf(VALID, {});
    expect(err.code).toBe('SG_CONFIG_ENV');
    expect(err.message).toMatch(/siemgate\.yaml:12: environment variable HTTP_TOKEN is not set/);
    // all of them at once, each with its line
    const two = problemsOf(VALID.replace('data_dir: /var/lib/siemgate', 'data_dir: "${DATA_HOME}/siemgate"'), {});
    expect(two.message).toMatch(/siemgate\.yaml:1: environment variable DATA_HOME is not set\n.*siemgate\.yaml:12: environment variable HTTP_TOKEN is not set\nexport them/);
  });

  test('what the inputs could not open is found here, with its line: a bad port, a TCP address taken twice, a TLS file that cannot be read', () => {
    const cfg = (inputs: string) => `data_dir: /tmp/x\ninputs:\n${inputs}destinations:\n  - { name: f, type: file, path: /tmp/x/e.ndjson }\n`;
    expect(problemsOf(cfg('  - { name: a, type: syslog_tcp, address: "127.0.0.1:99999" }\n')).message)
      .toMatch(/line 3: inputs\[0\]\.address: "127\.0\.0\.1:99999" is not host:port with a port up to 65535/);
    const twice = problemsOf(cfg('  - { name: a, type: syslog_tcp, address: "127.0.0.1:601" }\n  - { name: b, type: syslog_tls, address: "127.0.0.1:601", tls: { cert_file: /nonexistent/c.pem, key_file: /nonexistent/k.pem } }\n')).message;
    expect(twice).toMatch(/line 4: inputs\[1\]\.address 127\.0\.0\.1:601 is already used by input "a" \(line 3\)/);
    expect(twice).toMatch(/inputs\[1\]\.tls\.cert_file: cannot read \/nonexistent\/c\.pem \(ENOENT\)/);
    expect(twice).toMatch(/inputs\[1\]\.tls\.key_file: cannot read \/nonexistent\/k\.pem/);
    // UDP and TCP on the same port are two listeners (the embedded default does it)
    expect(() => loadConfigText(cfg('  - { name: u, type: syslog_udp, address: "127.0.0.1:514" }\n  - { name: t, type: syslog_tcp, address: "127.0.0.1:514" }\n'), '/etc/siemgate.yaml', {})).not.toThrow();
  });

  test('broken YAML is reported with its line', () => {
    const err = problemsOf('inputs:\n  - name: a\n    type: [unclosed\n');
    expect(err.code).toBe('SG_CONFIG_YAML');
    expect(err.message).toMatch(/siemgate\.yaml:\d+: not valid YAML/);
    // the line of the fault, not line 1 (prettyErrors off leaves linePos empty)
    expect(problemsOf('data_dir: x\ninputs: []\ndata_dir: y\n').message).toMatch(/siemgate\.yaml:3: not valid YAML: Map keys must be unique/);
    expect(problemsOf('data_dir: x\ninputs:\n\t- name: a\n').message).toMatch(/siemgate\.yaml:3: not valid YAML: Tabs/);
  });

  test('a bad size, a bad address and a bad zone are all reported at once', () => {
    const err = problemsOf(VALID.replace('64KiB', 'lots').replace('"0.0.0.0:514"', '"0.0.0.0"').replace('Europe/Berlin', 'Mars/Olympus'), { HTTP_TOKEN: 'x' });
    expect(err.message).toMatch(/line 8: inputs\[1\]\.max_message_bytes: must be a number of bytes/);
    expect(err.message).toMatch(/line 3: inputs\[0\]\.address: "0\.0\.0\.0" is not valid here/);
    expect(err.code).toBe('SG_CONFIG_INVALID');
  });

  test('a non-loopback HTTP input without tokens is refused unless auth: none is written out', () => {
    const open = `inputs:\n  - { name: h, type: http, address: "0.0.0.0:8088" }\ndestinations:\n  - { name: f, type: file, path: x.ndjson }\n`;
    expect(problemsOf(open).message).toMatch(/line 2: inputs\[0\] \(http on 0\.0\.0\.0:8088\): no tokens/);
    expect(loadConfigText(open.replace('address:', 'auth: none, address:'), '/x.yaml').inputs[0]).toMatchObject({ auth: 'none' });
    const loop = open.replace('0.0.0.0:8088', '127.0.0.1:8088');
    expect(loadConfigText(loop, '/x.yaml').inputs[0]).toMatchObject({ auth: 'none' });
  });

  test('duplicate names are refused with both lines', () => {
    const err = problemsOf(VALID.replace('name: tcp', 'name: udp'), { HTTP_TOKEN: 'x' });
    expect(err.message).toMatch(/line 4: input name "udp" is already used by input at line 3/);
  });

  test('journal: a max_bytes that cannot hold 4 segments, and a bad when_full, are refused with their lines', () => {
    const err = problemsOf(`${VALID}journal:\n  max_bytes: 100MiB\n  when_full: wait\n`, { HTTP_TOKEN: 'x' });
    expect(err.message).toMatch(/journal\.when_full: must be equal to one of the allowed values|when_full/);
    const err2 = problemsOf(`${VALID}journal:\n  max_bytes: 100MiB\n`, { HTTP_TOKEN: 'x' });
    expect(err2.message).toMatch(/line \d+: journal\.max_bytes \(104857600\) must be at least 4 × journal\.segment_bytes \(67108864\)/);
  });

  test('secret_file is read relative to the config file, and a missing one is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-cfg-'));
    writeFileSync(join(dir, 'token.txt'), 'from-file\n');
    const text = VALID.replace('secret: "${HTTP_TOKEN}"', 'secret_file: token.txt');
    writeFileSync(join(dir, 'siemgate.yaml'), text);
    expect(loadConfigFile(join(dir, 'siemgate.yaml')).inputs[2]).toMatchObject({ tokens: [{ secret: 'from-file' }] });
    writeFileSync(join(dir, 'bad.yaml'), text.replace('token.txt', 'nope.txt'));
    expect(() => loadConfigFile(join(dir, 'bad.yaml'))).toThrow(/line 12: inputs\[2\]\.tokens\[0\]\.secret_file: cannot read .*nope\.txt/);
  });

  test('elasticsearch and sentinel: defaults, secrets from files, and each credential mistake named on its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-cfg-'));
    writeFileSync(join(dir, 'az.secret'), 'az-secret\n');
    const text = VALID.replace('destinations:\n', `destinations:
  - name: es
    type: elasticsearch
    endpoints: ["https://es-1:9200/", "https://es-2:9200"]
    api_key: "\${ES_KEY}"
    tls: { ca_file: ca.crt, cert_file: me.crt, key_file: me.key }
  - name: az
    type: sentinel
    endpoint: https://dce.westeurope-1.ingest.monitor.azure.com/
    dcr_immutable_id: dcr-0123
    streams: { syslog: Custom-SyslogStream, cef: Custom-CommonSecurityLogStream }
    tenant_id: t
    client_id: c
    client_secret_file: az.secret
`);
    writeFileSync(join(dir, 'siemgate.yaml'), text);
    process.env.ES_KEY = 'k3y';
    process.env.HTTP_TOKEN = 'x';
    try {
      const cfg = loadConfigFile(join(dir, 'siemgate.yaml'));
      expect(cfg.destinations[0]).toMatchObject({
        type: 'elasticsearch', endpoints: ['https://es-1:9200', 'https://es-2:9200'], apiKey: 'k3y', namespace: 'default', gzip: true,
        batch: { maxEvents: 1000, maxBytes: 4 << 20 }, tls: { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'me.crt'), keyFile: join(dir, 'me.key') },
      });
      expect(cfg.destinations[1]).toMatchObject({
        type: 'sentinel', endpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com', clientSecret: 'az-secret', apiVersion: '2023-01-01',
        authorityHost: 'https://login.microsoftonline.com', scope: 'https://monitor.azure.com//.default', batch: { maxBytes: 900 * 1024 },
        streams: { syslog: 'Custom-SyslogStream', cef: 'Custom-CommonSecurityLogStream' },
      });
    } finally {
      delete process.env.ES_KEY;
      delete process.env.HTTP_TOKEN;
    }
    const bad = VALID.replace('destinations:\n', `destinations:
  - name: es
    type: elasticsearch
    endpoints: ["https://es-1:9200"]
    api_key: k
    username: u
  - name: es2
    type: elasticsearch
    endpoints: ["https://es-1:9200"]
    username: u
  - name: az
    type: sentinel
    endpoint: https://dce
    dcr_immutable_id: dcr-0123
    streams: { syslog: Microsoft-Syslog }
    tenant_id: t
    client_id: c
    tls: { cert_file: me.crt }
`);
    const err = problemsOf(bad, { HTTP_TOKEN: 'x' });
    expect(err.message).toMatch(/line 27: destinations\[2\]\.streams\.syslog: "Microsoft-Syslog" is not valid here: The DCR's `Custom-…` input stream/);
    const noSchema = bad.replace('Microsoft-Syslog', 'Custom-SyslogStream');
    const err2 = problemsOf(noSchema, { HTTP_TOKEN: 'x' });
    expect(err2.message).toMatch(/line 18: destinations\[0\] \(es\): give api_key or username\/password, not both/);
    expect(err2.message).toMatch(/line 22: destinations\[1\] \(es2\): username and password \(or password_file\) go together/);
    expect(err2.message).toMatch(/destinations\[2\] \(az\): sentinel needs client_secret or client_secret_file/);
    expect(err2.message).toMatch(/line 30: destinations\[2\]\.tls: cert_file needs key_file/);
  });

  test('reports, smtp, expected_sources, alerts and audit: converted with their defaults and durations', () => {
    const cfg = loadConfigText(`${VALID}
smtp: { host: smtp.example.com, user: gw, password: "\${SMTP_PASSWORD}", from: gw@example.com }
expected_sources:
  - { name: fw, address: 10.0.0.0/24, max_silence: 15m }
  - { hostname: "web-*", max_silence: 90 }
reports:
  - { name: weekly, kind: compliance, cron: "0 7 * * 1", formats: [html], to: [{ type: email, to: soc@example.com }] }
alerts:
  - { name: quiet, type: source_silent, throttle: 1h, to: [{ type: syslog, host: 10.0.0.5 }] }
  - { name: brute, type: threshold, where: { event.outcome: failure }, group_by: source.ip, window: 2m, to: [{ type: siem }] }
audit: { max_file_bytes: 8MiB, syslog: { host: 10.0.0.6, protocol: tcp, port: 601 } }
`, '/etc/siemgate.yaml', { HTTP_TOKEN: 'x', SMTP_PASSWORD: 'pw' });
    expect(cfg.smtp).toEqual({ host: 'smtp.example.com', port: 587, security: 'starttls', user: 'gw', password: 'pw', from: 'gw@example.com', timeoutMs: 30000 });
    expect(cfg.expectedSources).toEqual([
      { name: 'fw', address: '10.0.0.0/24', maxSilenceS: 900 },
      { name: 'web-*', hostname: 'web-*', maxSilenceS: 90 },
    ]);
    expect(cfg.reports[0]).toMatchObject({ kind: 'compliance', periodHours: 24, formats: ['html'], to: [{ type: 'email', to: ['soc@example.com'] }] });
    expect(cfg.alerts[0]).toMatchObject({ type: 'source_silent', throttleS: 3600, to: [{ type: 'syslog', host: '10.0.0.5', port: 514, protocol: 'udp', appName: 'siemgate' }] });
    expect(cfg.alerts[1]).toMatchObject({ type: 'threshold', where: { 'event.outcome': ['failure'] }, groupBy: 'source.ip', windowS: 120, above: 20, throttleS: 900 });
    expect(cfg.audit).toMatchObject({ enabled: true, maxFileBytes: 8 * 1024 * 1024, retentionDays: 400, syslog: { host: '10.0.0.6', port: 601, protocol: 'tcp' } });
  });

  test('observe sections: each mistake named on its line with what to do', () => {
    const err = problemsOf(`${VALID}
expected_sources:
  - { address: 10.0.0.0/33, max_silence: 5m }
  - { max_silence: 5m }
reports:
  - { name: r, kind: health, cron: "every day", to: [{ type: email, to: not-an-address }] }
alerts:
  - { name: a, type: threshold, to: [{ type: siem }] }
  - { name: b, type: destination_down, destination: nowhere, to: [{ type: webhook, url: "ftp://x" }] }
  - { name: c, type: journal_usage, above: 150, to: [{ type: siem }] }
`, { HTTP_TOKEN: 'x' });
    const m = err.message;
    expect(m).toMatch(/line 17: expected_sources\[0\]\.address: "10\.0\.0\.0\/33" is not an IP address or CIDR block/);
    expect(m).toMatch(/line 18: expected_sources\[1\]: give exactly one of address \(an IP or CIDR block\) or hostname/);
    expect(m).toMatch(/line 20: reports\[0\]\.cron: "every day" is not a cron expression/);
    expect(m).toMatch(/reports\[0\]\.to\[0\]\.to: "not-an-address" is not an e-mail address/);
    expect(m).toMatch(/reports\[0\]\.to\[0\]: e-mail delivery needs the top-level smtp: section/);
    expect(m).toMatch(/line 22: alerts\[0\]: a threshold alert needs where/);
    expect(m).toMatch(/line 23: alerts\[1\]\.destination: no destination named "nowhere"; there are: archive/);
    expect(m).toMatch(/alerts\[1\]\.to\[0\]: a webhook needs url \(http:\/\/ or https:\/\/\)/);
    expect(m).toMatch(/line 24: alerts\[2\]\.above: 150 is a percent for journal_usage; give 0 to 100/);
    // listed in file order, whatever order the sections were checked in
    const lines = [...m.matchAll(/^\s*line (\d+):/gm)].map((x) => Number(x[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines).toHaveLength(9);
  });

  test('a missing file says which path', () => {
    expect(() => loadConfigFile('/nonexistent/siemgate.yaml')).toThrow(/cannot read config \/nonexistent\/siemgate\.yaml/);
  });

  test('the embedded default is loopback only and writes to ./data/events.ndjson', () => {
    const cfg = defaultConfig();
    expect(cfg.inputs.map((i) => [i.type, i.address])).toEqual([
      ['syslog_udp', '127.0.0.1:5514'], ['syslog_tcp', '127.0.0.1:5514'], ['http', '127.0.0.1:8088'],
    ]);
    expect(cfg.destinations).toMatchObject([{ name: 'file', type: 'file', path: join(process.cwd(), 'data/events.ndjson') }]);
    expect(cfg.journal).toEqual({ maxBytes: 10 * 1024 ** 3, whenFull: 'block', fsync: 'interval', fsyncIntervalMs: 1000, segmentBytes: 64 << 20 });
  });
});
