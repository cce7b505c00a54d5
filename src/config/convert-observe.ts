import { isIP } from 'node:net';
import cron from 'node-cron';
import { isValidZone } from './zone';
import { readSecret, type Checking } from './secret';
import { parseSize } from './size';
import type {
  AlertRule, AlertTarget, AuditConfig, ExpectedSource, ReportConfig, ReportTarget, SmtpConfig, SyslogTarget, WebhookTarget,
} from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated by the schema before
type Raw = Record<string, any>;

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `15m`, `2h`, `7d` → seconds. The schema has checked the shape. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  return Number(m[1]) * UNIT_S[m[2]];
}

/** reports, smtp, expected_sources, alerts and audit: validated YAML → Config, with the checks a schema cannot make. */
export function observeOf(raw: Raw, c: Checking): {
  reports: ReportConfig[]; smtp?: SmtpConfig; expectedSources: ExpectedSource[]; alerts: AlertRule[]; audit: AuditConfig;
} {
  const smtp = smtpOf(raw.smtp as Raw | undefined, c);
  const mailers: Array<{ at: string }> = [];
  const reports = reportsOf(raw.reports as Raw[] | undefined, c, mailers);
  const expectedSources = expectedOf(raw.expected_sources as Raw[] | undefined, c);
  const destinationNames = ((raw.destinations ?? []) as Raw[]).map((d) => d.name as string);
  const alerts = alertsOf(raw.alerts as Raw[] | undefined, c, mailers, expectedSources.length > 0, destinationNames);
  if (smtp === undefined) {
    for (const m of mailers) c.problems.push(`${m.at}: e-mail delivery needs the top-level smtp: section (host, from, and usually port, user, password_file)`);
  }
  const a = (raw.audit ?? {}) as Raw;
  const audit: AuditConfig = {
    enabled: a.enabled ?? true,
    ...(a.key_file !== undefined ? { keyFile: c.rel(a.key_file) } : {}),
    maxFileBytes: parseSize(a.max_file_bytes ?? '64MiB'),
    retentionDays: a.retention_days ?? 400,
    ...(a.syslog !== undefined ? { syslog: syslogOf(a.syslog as Raw, c) } : {}),
  };
  return { reports, ...(smtp !== undefined ? { smtp } : {}), expectedSources, alerts, audit };
}

function smtpOf(s: Raw | undefined, c: Checking): SmtpConfig | undefined {
  if (s === undefined) return undefined;
  const security = (s.security ?? 'starttls') as SmtpConfig['security'];
  const password = readSecret(s, 'password', ['smtp'], 'smtp', c, 'optional');
  if (password !== undefined && s.user === undefined) c.problems.push(`line ${c.lineOf(['smtp'])}: smtp: a password without user; add user (the SMTP AUTH login)`);
  if (s.user !== undefined && password === undefined) c.problems.push(`line ${c.lineOf(['smtp', 'user'])}: smtp.user needs password or password_file`);
  return {
    host: s.host, port: s.port ?? (security === 'tls' ? 465 : security === 'none' ? 25 : 587), security,
    ...(s.user !== undefined ? { user: s.user } : {}), ...(password ? { password } : {}),
    from: s.from, ...(s.ca_file !== undefined ? { caFile: c.rel(s.ca_file) } : {}), timeoutMs: s.timeout_ms ?? 30_000,
  };
}

function webhookOf(t: Raw, path: Array<string | number>, where: string, c: Checking): WebhookTarget {
  if (typeof t.url !== 'string' || !/^https?:\/\//.test(t.url)) c.problems.push(`line ${c.lineOf(path)}: ${where}: a webhook needs url (http:// or https://)`);
  const secret = readSecret(t, 'secret', path, where, c, 'optional') || undefined;
  return { type: 'webhook', url: String(t.url ?? ''), ...(secret !== undefined ? { secret } : {}) };
}

function emailOf(t: Raw, path: Array<string | number>, where: string, c: Checking, mailers: Array<{ at: string }>): { type: 'email'; to: string[]; subject?: string } {
  const to = t.to === undefined ? [] : Array.isArray(t.to) ? t.to as string[] : [t.to as string];
  if (to.length === 0) c.problems.push(`line ${c.lineOf(path)}: ${where}: an email delivery needs to (one address or a list)`);
  for (const a of to) if (!/^[^@\s]+@[^@\s]+$/.test(a)) c.problems.push(`line ${c.lineOf([...path, 'to'])}: ${where}.to: ${JSON.stringify(a)} is not an e-mail address`);
  mailers.push({ at: `line ${c.lineOf(path)}: ${where}` });
  return { type: 'email', to, ...(t.subject !== undefined ? { subject: t.subject } : {}) };
}

function syslogOf(t: Raw, c: Checking): SyslogTarget {
  return {
    type: 'syslog', host: t.host, port: t.port ?? 514, protocol: t.protocol ?? 'udp', appName: t.app_name ?? 'siemgate',
    ...(t.ca_file !== undefined ? { caFile: c.rel(t.ca_file) } : {}),
  };
}

function reportsOf(list: Raw[] | undefined, c: Checking, mailers: Array<{ at: string }>): ReportConfig[] {
  const names = new Set<string>();
  return (list ?? []).map((r: Raw, i: number) => {
    const line = (...k: Array<string | number>) => c.lineOf(['reports', i, ...k]);
    if (names.has(r.name)) c.problems.push(`line ${line('name')}: reports[${i}].name: ${JSON.stringify(r.name)} is used twice; each report needs its own name`);
    names.add(r.name);
    if (!cron.validate(r.cron)) c.problems.push(`line ${line('cron')}: reports[${i}].cron: ${JSON.stringify(r.cron)} is not a cron expression (5 fields: minute hour day month weekday, or 6 with seconds first; e.g. "0 7 * * 1")`);
    if (r.timezone !== undefined && !isValidZone(r.timezone)) c.problems.push(`line ${line('timezone')}: reports[${i}].timezone: ${JSON.stringify(r.timezone)} is not an IANA zone (e.g. Europe/Berlin, UTC)`);
    const to = ((r.to ?? []) as Raw[]).map((t, j): ReportTarget => {
      const path = ['reports', i, 'to', j];
      const where = `reports[${i}].to[${j}]`;
      if (t.type === 'siem') return { type: 'siem' };
      if (t.type === 'webhook') return webhookOf(t, path, where, c);
      if (t.type === 'email') return emailOf(t, path, where, c, mailers);
      if (t.dir === undefined) c.problems.push(`line ${c.lineOf(path)}: ${where}: a file delivery needs dir`);
      return { type: 'file', dir: c.rel(t.dir ?? '.'), retentionDays: t.retention_days ?? 90 };
    });
    return {
      name: r.name, kind: r.kind, cron: r.cron, ...(r.timezone !== undefined ? { timezone: r.timezone } : {}),
      periodHours: r.period_hours ?? 24, formats: r.formats ?? ['markdown'], to,
    };
  });
}

function expectedOf(list: Raw[] | undefined, c: Checking): ExpectedSource[] {
  return (list ?? []).map((e, i) => {
    const at = `line ${c.lineOf(['expected_sources', i])}: expected_sources[${i}]`;
    if ((e.address === undefined) === (e.hostname === undefined)) c.problems.push(`${at}: give exactly one of address (an IP or CIDR block) or hostname`);
    if (e.address !== undefined) {
      const [ip, bits, more] = String(e.address).split('/');
      const fam = isIP(ip);
      const max = fam === 6 ? 128 : 32;
      if (fam === 0 || more !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
        c.problems.push(`${at}.address: ${JSON.stringify(e.address)} is not an IP address or CIDR block (e.g. 10.0.0.1, 10.20.0.0/24)`);
      }
    }
    const maxSilenceS = parseDuration(e.max_silence);
    if (maxSilenceS < 1) c.problems.push(`${at}.max_silence: must be at least 1s`);
    return {
      name: e.name ?? e.address ?? e.hostname ?? `expected_sources[${i}]`,
      ...(e.address !== undefined ? { address: e.address } : {}), ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      ...(e.product !== undefined ? { product: e.product } : {}), maxSilenceS,
    };
  });
}

const ABOVE_DEFAULT: Record<string, number> = { journal_usage: 80, parse_failures: 5, dead_letters: 0, threshold: 20 };

function alertsOf(list: Raw[] | undefined, c: Checking, mailers: Array<{ at: string }>, haveExpected: boolean, destinations: string[]): AlertRule[] {
  const names = new Set<string>();
  return (list ?? []).map((a, i) => {
    const at = `line ${c.lineOf(['alerts', i])}: alerts[${i}]`;
    if (names.has(a.name)) c.problems.push(`${at}.name: ${JSON.stringify(a.name)} is used twice; each alert needs its own name`);
    names.add(a.name);
    if (a.type === 'source_silent' && !haveExpected) c.problems.push(`${at}: source_silent watches expected_sources, and none are configured; add expected_sources (address or hostname, max_silence)`);
    if (a.type === 'threshold' && (a.where === undefined || Object.keys(a.where as object).length === 0)) {
      c.problems.push(`${at}: a threshold alert needs where (ECS field: value), e.g. { event.category: authentication, event.outcome: failure }`);
    }
    if (a.destination !== undefined && !destinations.includes(a.destination)) {
      c.problems.push(`line ${c.lineOf(['alerts', i, 'destination'])}: alerts[${i}].destination: no destination named ${JSON.stringify(a.destination)}; there are: ${destinations.join(', ') || 'none'}`);
    }
    if ((a.type === 'journal_usage' || a.type === 'parse_failures') && a.above !== undefined && a.above > 100) {
      c.problems.push(`${at}.above: ${a.above} is a percent for ${a.type}; give 0 to 100`);
    }
    const where: Record<string, string[]> = {};
    for (const [k, v] of Object.entries((a.where ?? {}) as Record<string, string | string[]>)) where[k] = Array.isArray(v) ? v : [v];
    const to = ((a.to ?? []) as Raw[]).map((t, j): AlertTarget => {
      const path = ['alerts', i, 'to', j];
      const w = `alerts[${i}].to[${j}]`;
      if (t.type === 'siem') return { type: 'siem' };
      if (t.type === 'webhook') return webhookOf(t, path, w, c);
      if (t.type === 'email') return emailOf(t, path, w, c, mailers);
      if (t.host === undefined) c.problems.push(`line ${c.lineOf(path)}: ${w}: a syslog notifier needs host (and port, protocol)`);
      return syslogOf(t, c);
    });
    const windowS = parseDuration(a.window ?? '5m');
    if (windowS < 1 && ['dead_letters', 'parse_failures', 'threshold'].includes(a.type)) c.problems.push(`${at}.window: must be at least 1s`);
    return {
      name: a.name, type: a.type, forS: parseDuration(a.for ?? '60s'), ...(a.destination !== undefined ? { destination: a.destination } : {}),
      above: a.above ?? ABOVE_DEFAULT[a.type] ?? 0, windowS, withinDays: a.within_days ?? 30, where,
      ...(a.group_by !== undefined ? { groupBy: a.group_by } : {}), throttleS: parseDuration(a.throttle ?? '15m'), to,
    };
  });
}
