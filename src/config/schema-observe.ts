/**
 * The configuration of what the gateway tells about itself: reports, alerts, the sources it
 * expects, the SMTP server both mail through, and its audit trail. Part of topSchema.
 */

type Schema = Record<string, unknown>;

/** A span of time: seconds, or a number with s, m, h or d. */
export const duration = (doc: string, def?: string): Schema => ({
  description: `${doc} Seconds, or a duration like 90s, 15m, 2h, 7d.`,
  ...(def !== undefined ? { default: def, examples: [def] } : { examples: ['15m'] }),
  anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*[smhd]\\s*$' }],
});

const webhookProps: Record<string, Schema> = {
  url: { type: 'string', description: 'webhook: where the JSON is POSTed (3 attempts with backoff).' },
  secret: { type: 'string', minLength: 1, description: 'webhook: HMAC-SHA256 key; the body is signed in X-Siemgate-Signature: sha256=<hex>.' },
  secret_file: { type: 'string', description: 'webhook: a file holding the HMAC key.' },
};

const emailProps: Record<string, Schema> = {
  to: { anyOf: [{ type: 'string', minLength: 3 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } }], description: 'email: recipient address(es); sent through the top-level smtp server.', examples: [['soc@example.com']] },
  subject: { type: 'string', description: 'email: subject line (default: what the report or alert says).' },
};

const syslogTargetProps: Record<string, Schema> = {
  host: { type: 'string', description: 'syslog: the server\'s host name or address.' },
  port: { type: 'integer', minimum: 1, maximum: 65535, default: 514, description: 'syslog: its port.' },
  protocol: { enum: ['udp', 'tcp', 'tls'], default: 'udp', description: 'syslog: udp (RFC 5426), tcp (octet-counted, RFC 6587) or tls (RFC 5425).' },
  app_name: { type: 'string', default: 'siemgate', description: 'syslog: APP-NAME of the messages.' },
  ca_file: { type: 'string', description: 'syslog over tls: PEM bundle the server\'s certificate must chain to.' },
};

const syslogTarget: Schema = {
  type: 'object', additionalProperties: false, required: ['host'],
  description: 'A remote syslog server (RFC 5424 messages sent with winston-syslog).',
  properties: syslogTargetProps,
};

const target = (types: string[], doc: string, extra: Record<string, Schema>): Schema => ({
  type: 'object', additionalProperties: false, required: ['type'],
  properties: { type: { enum: types, description: doc }, ...extra },
});

export const observeSchema: Record<string, Schema> = {
  reports: {
    type: 'array',
    description: 'Scheduled reports (node-cron): health (is the pipeline complete and healthy) and compliance (evidence for auditors), delivered to files, e-mail, webhooks and the SIEMs.',
    items: {
      type: 'object', additionalProperties: false, required: ['name', 'kind', 'cron', 'to'],
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'Names the report and its files.' },
        kind: { enum: ['health', 'compliance'], description: 'health: completeness, inputs, senders, products, destinations, journal, certificates, audit trail. compliance: expected sources heard and silent, clock skew, security event counts, delivery completeness, retention, audit trail, and a controls table.' },
        cron: { type: 'string', description: 'node-cron expression (5 fields, or 6 with seconds).', examples: ['0 7 * * 1'] },
        timezone: { type: 'string', description: 'IANA zone the cron expression is read in (default: the machine\'s).', examples: ['Europe/Berlin'] },
        period_hours: { type: 'integer', minimum: 1, maximum: 8784, default: 24, description: 'How far back each report looks.' },
        formats: { type: 'array', items: { enum: ['json', 'markdown', 'html'] }, default: ['markdown'], description: 'One file per format; an e-mail carries markdown as text, html as its HTML part, json attached.' },
        to: {
          type: 'array', minItems: 1,
          items: target(['file', 'webhook', 'siem', 'email'],
            'file: written into dir; webhook: the JSON report POSTed to url; siem: the report as an event through the journal to every destination (sourcetype siemgate:report); email: mailed through smtp.', {
              dir: { type: 'string', description: 'file: directory for the files, relative to the config file.' },
              retention_days: { type: 'integer', minimum: 1, default: 90, description: 'file: files of this report older than this are deleted.' },
              ...webhookProps,
              ...emailProps,
            }),
        },
      },
    },
  },
  smtp: {
    type: 'object', additionalProperties: false, required: ['host', 'from'],
    description: 'The mail server that reports and alerts with `to: {type: email}` are sent through (nodemailer).',
    properties: {
      host: { type: 'string', description: 'SMTP server host name or address.', examples: ['smtp.example.com'] },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Default 587 (starttls), 465 (tls), 25 (none).' },
      security: { enum: ['starttls', 'tls', 'none'], default: 'starttls', description: 'starttls: the connection must be upgraded with STARTTLS (refused otherwise); tls: TLS from the first byte (port 465); none: never encrypted (a relay on loopback).' },
      user: { type: 'string', description: 'SMTP AUTH user; with password or password_file.' },
      password: { type: 'string', minLength: 1, description: 'SMTP AUTH password, usually "${SMTP_PASSWORD}".' },
      password_file: { type: 'string', description: 'A file holding the password.' },
      from: { type: 'string', minLength: 3, description: 'From address.', examples: ['siemgate@example.com'] },
      ca_file: { type: 'string', description: 'PEM bundle the server\'s certificate must chain to (default: system CAs).' },
      timeout_ms: { type: 'integer', minimum: 1000, default: 30000, description: 'Gives up on a server that does not answer. Milliseconds.' },
    },
  },
  expected_sources: {
    type: 'array',
    description: 'Sources that must be heard from: the compliance report says which reported and which went silent, and `source_silent` alerts fire when one is quiet too long.',
    items: {
      type: 'object', additionalProperties: false, required: ['max_silence'],
      properties: {
        name: { type: 'string', description: 'How reports name it (default: its address or hostname).', examples: ['core-firewall'] },
        address: { type: 'string', description: 'The sender\'s IP address or a CIDR block (as the gateway sees the connection).', examples: ['10.0.0.1', '10.20.0.0/24'] },
        hostname: { type: 'string', description: 'The host name the messages carry (syslog HOSTNAME, host.name); * matches any run of characters.', examples: ['fw-*.example.com'] },
        product: { type: 'string', description: 'The product expected from it (a mapping id, e.g. cisco_asa); shown in reports.' },
        max_silence: duration('Longest quiet time before the source counts as silent.', '15m'),
      },
    },
  },
  alerts: {
    type: 'array',
    description: 'Real-time alert rules. Each fires once per episode, resolves when its condition clears, and is throttled; state shows in /api/status and in reports.',
    items: {
      type: 'object', additionalProperties: false, required: ['name', 'type', 'to'],
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'Names the alert in notifications, /api/status and the audit trail.' },
        type: {
          enum: ['source_silent', 'destination_down', 'journal_usage', 'dead_letters', 'parse_failures', 'cert_expiry', 'threshold'],
          description: 'source_silent: an expected source quiet longer than its max_silence; destination_down: a destination down for longer than `for`; journal_usage: journal above `above` % of max_bytes; dead_letters: more than `above` dead letters within `window`; parse_failures: more than `above` % of messages unparsed within `window`; cert_expiry: a configured certificate expires within within_days; threshold: more than `above` events matching `where` within `window`, counted per `group_by`.',
        },
        for: duration('destination_down: how long a destination must be down.', '60s'),
        destination: { type: 'string', description: 'destination_down, dead_letters: only this destination (default: any).' },
        above: { type: 'number', minimum: 0, description: 'journal_usage, parse_failures: percent (default 80, 5); dead_letters, threshold: a count (default 0, 20).' },
        window: duration('dead_letters, parse_failures, threshold: the sliding window.', '5m'),
        within_days: { type: 'integer', minimum: 1, default: 30, description: 'cert_expiry: days before expiry.' },
        where: {
          type: 'object', description: 'threshold: ECS field → value or list of values; all must match (e.g. event.category: authentication, event.outcome: failure).',
          additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
          examples: [{ 'event.category': 'authentication', 'event.outcome': 'failure' }],
        },
        group_by: { type: 'string', description: 'threshold: the ECS field counts are kept per (e.g. source.ip).', examples: ['source.ip'] },
        throttle: duration('Least time between two notifications of one alert.', '15m'),
        to: {
          type: 'array', minItems: 1,
          items: target(['webhook', 'email', 'syslog', 'siem'],
            'webhook: JSON POSTed to url; email: mailed through smtp; syslog: an RFC 5424 message to a remote syslog server (winston-syslog); siem: an event through the journal to every destination (sourcetype siemgate:alert).', {
              ...webhookProps, ...emailProps, ...syslogTargetProps,
            }),
        },
      },
    },
  },
  audit: {
    type: 'object', additionalProperties: false,
    description: 'The gateway\'s own audit trail: hash-chained JSON lines under data_dir/audit/ (a file per day, and per max_file_bytes); `siemgate audit verify` checks it.',
    properties: {
      enabled: { type: 'boolean', default: true, description: 'false: no audit trail.' },
      key_file: { type: 'string', description: 'A file holding an HMAC key: each record is then signed too, so it cannot be rewritten without the key.', examples: ['/run/secrets/siemgate-audit-key'] },
      max_file_bytes: { description: 'A file is closed and the next begun past this size (the chain runs on across files). A number of bytes, or a size like 64MiB.', default: '64MiB', anyOf: [{ type: 'integer', minimum: 4096 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([KMGT]i?B|B)?\\s*$' }] },
      retention_days: { type: 'integer', minimum: 1, default: 400, description: 'Files older than this are deleted; verification starts at the oldest kept file (PCI DSS 10.5.1 asks for 12 months).' },
      syslog: syslogTarget,
    },
  },
};
