/**
 * Reports and alerts by e-mail, through the top-level `smtp:` server (nodemailer). One
 * connection per mail: they are rare, and a pooled connection would only go stale in between.
 * A failure is returned as a sentence for the operator, never thrown, so a report with several
 * targets still reaches the others.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NodemailerError, SendMailOptions, SMTPSentMessageInfo } from 'nodemailer';
import type { EmailTarget, SmtpConfig } from '../config/types';

export interface MailMessage {
  subject: string;
  /** Plain-text part (Markdown). */
  text: string;
  /** HTML alternative, self-contained. */
  html?: string;
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
}

/** Waits before the 2nd and 3rd attempt; a server that is down longer than this is for the next report. */
const BACKOFF_MS = [1000, 2000];

/** What one failed attempt means: whether another may succeed, and what to tell the operator. */
interface Failure {
  transient: boolean;
  why: string;
  hint: string;
}

/** Sends one mail. Resolves undefined when the server accepted it for every recipient; otherwise the reason, for an operator (never throws). */
export async function sendMail(smtp: SmtpConfig, target: EmailTarget, msg: MailMessage): Promise<string | undefined> {
  const where = `smtp ${smtp.host}:${smtp.port}`;
  let ca: Buffer | undefined;
  if (smtp.caFile !== undefined) {
    try {
      ca = readFileSync(smtp.caFile);
    } catch (err) {
      return `${where}: cannot read smtp.ca_file ${smtp.caFile}: ${(err as Error).message}; check the path and that the gateway may read it (nothing was sent)`;
    }
  }
  // Composed once: every attempt carries the same Message-ID, so a retry after a reply lost on
  // the way back shows up as a duplicate that mail systems can recognise.
  const mail = compose(smtp, target, msg);
  for (let attempt = 1; ; attempt++) {
    let failure: Failure;
    try {
      const sent = await sendOnce(smtp, ca, mail);
      // No retry for recipients refused here: the others already have the mail.
      return refusedRecipients(where, sent);
    } catch (err) {
      failure = classify(err as NodemailerError, smtp);
    }
    const more = attempt <= BACKOFF_MS.length;
    if (!failure.transient || !more) {
      const tries = attempt === 1 ? (failure.transient ? '' : ' (not retried: trying again would get the same answer)') : ` (${attempt} attempts, ${BACKOFF_MS.slice(0, attempt - 1).map((ms) => `${ms / 1000} s`).join(' and ')} apart)`;
      return `${where}: ${failure.why}${tries}; ${failure.hint}`;
    }
    await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
  }
}

function compose(smtp: SmtpConfig, target: EmailTarget, msg: MailMessage): SendMailOptions {
  return {
    from: smtp.from,
    to: target.to,
    subject: target.subject ?? msg.subject,
    text: msg.text,
    ...(msg.html !== undefined ? { html: msg.html } : {}),
    attachments: (msg.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    messageId: `<${randomUUID()}@${domainOf(smtp.from)}>`,
    date: new Date(),
    xMailer: 'siemgate',
    // everything is in the message itself: never let content make nodemailer read a file or a URL
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The domain for the Message-ID: the sender's, as mail servers do, so it is unique to this sender. */
function domainOf(from: string): string {
  const m = /@([^\s>@]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'siemgate.invalid';
}

async function sendOnce(smtp: SmtpConfig, ca: Buffer | undefined, mail: SendMailOptions): Promise<SMTPSentMessageInfo> {
  // loaded with the first mail: a gateway that sends none does not carry it (~10 MB of RSS)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    // starttls: refuse to go on in clear when the server does not upgrade (nodemailer would otherwise)
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user !== undefined && smtp.password !== undefined ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
    tls: { ...(ca !== undefined ? { ca } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    dnsTimeout: smtp.timeoutMs,
    logger: false,
  });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

function refusedRecipients(where: string, sent: SMTPSentMessageInfo): string | undefined {
  const refused = sent.rejected ?? [];
  if (refused.length === 0) return undefined;
  const replies = (sent.rejectedErrors ?? []).map((e) => e.response).filter((r): r is string => r !== undefined).map(oneLine);
  return `${where}: refused recipient${refused.length === 1 ? '' : 's'} ${refused.join(', ')}${replies.length > 0 ? ` (${replies.join('; ')})` : ''}; `
    + 'the other recipients got the mail; check these addresses in the email target\'s to:';
}

/** Codes a TLS handshake fails with when the server's certificate is not trusted for this host. */
const CERT_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE']);

function classify(err: NodemailerError, smtp: SmtpConfig): Failure {
  const code = err.code ?? '';
  const sysCode = err.originalCode ?? code;
  const reply = err.response !== undefined ? `the server answered ${err.command !== undefined ? `${err.command} ` : ''}with ${oneLine(err.response)}` : undefined;

  if (code === 'ETLS' && err.command === 'STARTTLS' && reply !== undefined) {
    // A server that cannot upgrade now will not next second either: a configuration mismatch.
    return { transient: false, why: `STARTTLS failed: ${reply}; nothing was sent in clear`,
      hint: 'the server offers no STARTTLS; set smtp.security: tls (TLS from the first byte, usually port 465) or none (never encrypted), or enable STARTTLS on the server' };
  }
  const tlsFailure = err.responseCode === undefined; // a reply that mentions certificates is no handshake failure
  if (tlsFailure && (CERT_CODES.has(sysCode) || /certificate/i.test(err.message))) {
    return { transient: false, why: `the server's certificate is not trusted: ${oneLine(err.message)}`,
      hint: smtp.caFile !== undefined ? `check that smtp.ca_file ${smtp.caFile} holds the CA that signed it, and that the certificate names ${smtp.host}`
        : `set smtp.ca_file to the CA that signed it (the system CAs are used otherwise), and check that the certificate names ${smtp.host}` };
  }
  if (tlsFailure && (/wrong version number|packet length too long|unknown protocol/i.test(err.message) || sysCode === 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    // OpenSSL's text is a multi-line dump; the phrase in it is what an operator can search for
    const phrase = /wrong version number|packet length too long|unknown protocol/i.exec(err.message)?.[0] ?? 'no TLS';
    return { transient: false, why: `the TLS handshake got no TLS answer (${phrase})`,
      hint: 'the port does not speak TLS from the first byte; for a server that starts in clear (ports 587, 25) set smtp.security: starttls' };
  }
  if (code === 'EAUTH') {
    const transient = err.responseCode !== undefined && err.responseCode >= 400 && err.responseCode < 500;
    return { transient, why: `authentication as ${smtp.user ?? '(no user)'} failed: ${reply ?? oneLine(err.message)}`,
      hint: transient ? 'the server could not check the credentials just now' : 'check smtp.user / smtp.password_file' };
  }
  if (err.responseCode !== undefined) {
    const transient = !(err.permanent ?? err.responseCode >= 500);
    return { transient, why: reply ?? oneLine(err.message), hint: replyHint(err, transient) };
  }
  if (code === 'EDNS') {
    return { transient: true, why: `cannot resolve ${smtp.host}: ${oneLine(err.message)}`, hint: 'check smtp.host and the DNS settings of this machine' };
  }
  if (code === 'ETIMEDOUT') {
    const which = err.timeoutType === 'GREETING_TIMEOUT' ? 'no greeting' : err.timeoutType === 'CONNECT_TIMEOUT' ? 'no connection' : 'no answer';
    // The idle and the greeting timer both run from the connect, so which fires says little:
    // a port that waits for TLS from the first byte looks the same as a server that hangs.
    return { transient: true, why: `${which} within ${smtp.timeoutMs} ms`,
      hint: `check that the server is up and reachable (smtp.host, smtp.port, firewalls), or raise smtp.timeout_ms${smtp.security !== 'tls'
        ? '; a port that expects TLS from the first byte (usually 465) never greets a client in clear: then set smtp.security: tls' : ''}` };
  }
  if (code === 'ECONNECTION' || code === 'ESOCKET') {
    const what = sysCode === 'ECONNREFUSED' ? 'connection refused' : sysCode === 'ECONNRESET' ? 'connection reset' : oneLine(err.message);
    return { transient: true, why: what, hint: 'check that the mail server is running and listening on smtp.host:smtp.port' };
  }
  // Unknown: retrying blindly could send the mail twice, so report it as it is.
  return { transient: false, why: oneLine(err.message), hint: 'check the smtp: section' };
}

/** A reason is one line in a log; OpenSSL and multi-line SMTP replies are not. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** What to do about an SMTP reply, by the command it answered and its code. */
function replyHint(err: NodemailerError, transient: boolean): string {
  if (transient) return 'the server deferred the mail; if this persists, look at the mail server\'s log';
  if (err.responseCode === 530) return 'the server wants authentication first: set smtp.user and smtp.password_file';
  if (err.code === 'EENVELOPE' && err.command === 'RCPT TO') {
    const who = err.rejected?.join(', ');
    return `the server refused every recipient${who ? ` (${who})` : ''}; check the addresses in the email target's to:`;
  }
  if (err.command === 'MAIL FROM') return 'the server refused the sender: check smtp.from (servers often let a user send only as its own address)';
  return 'the server refused the mail; its reply says why';
}
