import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/types';

/** A certificate the configuration points at, and when it stops being valid. */
export interface CertificateInfo {
  /** Where the config uses it, e.g. `inputs.syslog-tls.cert_file`. */
  name: string;
  file: string;
  subject: string;
  notAfterMs: number;
  /** Set when the file could not be read or parsed: the operator must know that too. */
  problem?: string;
}

/**
 * Every certificate named in the config (listeners, the admin server, destinations' client and
 * CA files, the SMTP and syslog CAs). A PEM bundle counts by its certificate that expires first:
 * that is the day something breaks.
 */
export function configuredCertificates(cfg: Config): CertificateInfo[] {
  const files: Array<{ name: string; file: string }> = [];
  const add = (name: string, file: string | undefined) => { if (file !== undefined) files.push({ name, file }); };
  for (const i of cfg.inputs) {
    const tls = 'tls' in i ? i.tls : undefined;
    if (tls !== undefined) {
      add(`inputs.${i.name}.tls.cert_file`, tls.certFile);
      add(`inputs.${i.name}.tls.ca_file`, tls.caFile);
    }
  }
  if (cfg.admin.tls !== undefined) add('admin.tls.cert_file', cfg.admin.tls.certFile);
  for (const d of cfg.destinations) {
    const tls = 'tls' in d ? d.tls : undefined;
    if (tls !== undefined) {
      add(`destinations.${d.name}.tls.cert_file`, tls.certFile);
      add(`destinations.${d.name}.tls.ca_file`, tls.caFile);
    }
  }
  add('smtp.ca_file', cfg.smtp?.caFile);
  add('audit.syslog.ca_file', cfg.audit.syslog?.caFile);
  return files.map(({ name, file }) => inspect(name, file));
}

function inspect(name: string, file: string): CertificateInfo {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    return { name, file, subject: '', notAfterMs: 0, problem: `cannot read ${file}: ${(err as Error).message}` };
  }
  let first: { subject: string; notAfterMs: number } | undefined;
  for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    try {
      const c = new X509Certificate(block);
      const notAfterMs = Date.parse(c.validTo);
      if (first === undefined || notAfterMs < first.notAfterMs) first = { subject: c.subject.replace(/\n/g, ', '), notAfterMs };
    } catch { /* a damaged block: judged below if nothing else parses */ }
  }
  if (first === undefined) return { name, file, subject: '', notAfterMs: 0, problem: `${file} holds no readable PEM certificate` };
  return { name, file, ...first };
}
