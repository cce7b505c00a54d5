/**
 * src/observe/email.ts against a real SMTP server (aiosmtpd, test/helpers/smtp-server.ts): what
 * arrives is parsed by a real MIME parser, and each failure an operator can meet (bad password,
 * no STARTTLS, untrusted certificate, nothing listening, refused recipients, a busy server) gives
 * the reason and the number of attempts the module promises.
 */
import { freePort } from '../helpers/gateway';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { cleanUp } from '../helpers/procs';
import { startSmtpServer, type SmtpEvent, type TestSmtpServer } from '../helpers/smtp-server';
import { sendMail, type MailMessage } from '../../src/observe/email';
import type { SmtpConfig } from '../../src/config/types';

jest.setTimeout(60000);

let pki: TestPki;
beforeAll(async () => { pki = await makeTestPki(); });
afterAll(cleanUp);

const FROM = 'siemgate gateway <gw@example.test>';

function smtpFor(server: { port: number }, over: Partial<SmtpConfig> = {}): SmtpConfig {
  return { host: '127.0.0.1', port: server.port, security: 'none', from: FROM, timeoutMs: 5000, ...over };
}

const count = (events: SmtpEvent[], kind: SmtpEvent['event']) => events.filter((e) => e.event === kind).length;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}

const report: MailMessage = {
  subject: 'siemgate health report: übersicht — 99.5 %',
  text: '# Health report\n\n- events: **1234** received, 0 lost\n- Grüße aus dem Gateway ✓\n',
  html: '<!doctype html><html><body><h1>Health report</h1><p>events: <b>1234</b> received — Grüße ✓</p></body></html>',
  attachments: [{ filename: 'health-2024-05-01.json', content: '{"events":{"received":1234,"lost":0},"note":"ü"}', contentType: 'application/json' }],
};

describe('sendMail', () => {
  let server: TestSmtpServer;
  afterEach(async () => { await server?.stop(); });

  test('security none: the text, the HTML alternative and a JSON attachment arrive as a MIME parser reads them', async () => {
    server = await startSmtpServer({ maxSeconds: 60 });
    const why = await sendMail(smtpFor(server), { type: 'email', to: ['soc@example.test', 'Ops Team <ops@example.test>'] }, report);
    expect(why).toBeUndefined();
    const [mail] = await server.waitForMessages(1);
    expect(mail.defects).toEqual([]);
    expect(mail.tls).toBe(false);
    expect(mail.mailFrom).toBe('gw@example.test');
    expect(mail.rcptTos).toEqual(['soc@example.test', 'ops@example.test']);
    expect(mail.subject).toBe(report.subject);
    expect(mail.addresses.from).toEqual([{ name: 'siemgate gateway', address: 'gw@example.test' }]);
    expect(mail.addresses.to).toEqual([{ name: '', address: 'soc@example.test' }, { name: 'Ops Team', address: 'ops@example.test' }]);
    expect(mail.header('X-Mailer')).toBe('siemgate');
    expect(mail.header('Message-ID')).toMatch(/^<[0-9a-f-]{36}@example\.test>$/);
    const date = Date.parse(mail.header('Date') ?? '');
    expect(Math.abs(Date.now() - date)).toBeLessThan(60_000);

    // multipart/mixed { multipart/alternative { text/plain, text/html }, application/json }
    expect(mail.parts[0].contentType).toBe('multipart/mixed');
    const text = mail.part('text/plain');
    const html = mail.part('text/html');
    expect(text?.text).toBe(report.text);
    expect(text?.charset).toBe('utf-8');
    expect(html?.text).toBe(report.html);
    const alternative = mail.parts.find((p) => p.contentType === 'multipart/alternative');
    expect(alternative).toBeDefined();
    expect(text?.path.slice(0, -1)).toEqual(alternative?.path);
    expect(html?.path.slice(0, -1)).toEqual(alternative?.path);

    expect(mail.attachments).toHaveLength(1);
    const [att] = mail.attachments;
    expect(att.filename).toBe('health-2024-05-01.json');
    expect(att.contentType).toBe('application/json');
    expect(JSON.parse(att.bytes.toString('utf8'))).toEqual({ events: { received: 1234, lost: 0 }, note: 'ü' });

    // the target's own subject wins over the one the report or alert gives
    expect(await sendMail(smtpFor(server), { type: 'email', to: ['soc@example.test'], subject: 'Nightly SIEM report' },
      { subject: 'ignored', text: 'only text' })).toBeUndefined();
    const second = (await server.waitForMessages(2))[1];
    expect(second.subject).toBe('Nightly SIEM report');
    // a single-part body keeps the line end its last line has on the wire
    expect(second.part('text/plain')?.text).toBe('only text\n');
    expect(second.part('text/html')).toBeUndefined();
    expect(second.attachments).toHaveLength(0);
    expect(second.header('Message-ID')).not.toBe(mail.header('Message-ID'));
  });

  test('starttls + auth with the test CA in caFile: delivered over TLS; a wrong password gives 535 and the hint, after one attempt', async () => {
    server = await startSmtpServer({ starttls: pki, auth: { user: 'reporter', password: 's3cret' }, maxSeconds: 60 });
    const good = smtpFor(server, { security: 'starttls', user: 'reporter', password: 's3cret', caFile: pki.caCert });
    expect(await sendMail(good, { type: 'email', to: ['soc@example.test'] }, report)).toBeUndefined();
    const [mail] = await server.waitForMessages(1);
    expect(mail.tls).toBe(true);
    expect(mail.authenticatedAs).toBe('reporter');
    expect(mail.subject).toBe(report.subject);

    const before = server.events();
    const { value: why, ms } = await timed(() => sendMail({ ...good, password: 'wrong' }, { type: 'email', to: ['soc@example.test'] }, report));
    expect(why).toContain('smtp 127.0.0.1:' + server.port);
    expect(why).toContain('535');
    expect(why).toContain('check smtp.user / smtp.password_file');
    const after = server.events().slice(before.length);
    expect(count(after, 'connect')).toBe(1);
    expect(after.filter((e) => e.event === 'auth').map((e) => [e.login, e.ok, e.tls])).toEqual([['reporter', false, true]]);
    expect(count(after, 'mail')).toBe(0);
    expect(ms).toBeLessThan(1000); // the first backoff alone would be 1 s
    expect(server.messages()).toHaveLength(1);
  });

  test('starttls against a server whose certificate the system CAs do not trust: refused before AUTH, with the smtp.ca_file hint', async () => {
    server = await startSmtpServer({ starttls: pki, auth: { user: 'reporter', password: 's3cret' }, maxSeconds: 60 });
    const why = await sendMail(smtpFor(server, { security: 'starttls', user: 'reporter', password: 's3cret' }),
      { type: 'email', to: ['soc@example.test'] }, report);
    expect(why).toContain(`smtp 127.0.0.1:${server.port}`);
    expect(why).toMatch(/certificate/i);
    expect(why).toContain('smtp.ca_file');
    const events = server.events();
    expect(count(events, 'connect')).toBe(1);
    expect(count(events, 'auth')).toBe(0); // the password never went to an unverified server
    expect(server.messages()).toHaveLength(0);
  });

  test('starttls required but the server offers none: the reason says so and nothing is sent in clear', async () => {
    server = await startSmtpServer({ maxSeconds: 60 });
    const { value: why, ms } = await timed(() => sendMail(smtpFor(server, { security: 'starttls', caFile: pki.caCert }),
      { type: 'email', to: ['soc@example.test'] }, report));
    expect(why).toContain(`smtp 127.0.0.1:${server.port}`);
    expect(why).toContain('the server offers no STARTTLS; set smtp.security: tls');
    expect(why).toContain('454'); // aiosmtpd's answer to STARTTLS without a certificate
    const events = server.events();
    expect(events.length).toBeGreaterThan(0); // it did talk to this server
    expect(count(events, 'connect')).toBe(1);
    expect(count(events, 'mail')).toBe(0);
    expect(server.messages()).toHaveLength(0);
    expect(ms).toBeLessThan(1000);
  });

  test('security tls (TLS from the first byte) with auth: delivered', async () => {
    server = await startSmtpServer({ tls: pki, auth: { user: 'reporter', password: 's3cret' }, maxSeconds: 60 });
    const why = await sendMail(smtpFor(server, { security: 'tls', user: 'reporter', password: 's3cret', caFile: pki.caCert }),
      { type: 'email', to: ['soc@example.test'] }, report);
    expect(why).toBeUndefined();
    const [mail] = await server.waitForMessages(1);
    expect(mail.tls).toBe(true);
    expect(mail.authenticatedAs).toBe('reporter');
    expect(mail.attachments[0]?.filename).toBe('health-2024-05-01.json');
    // every step of the session was inside TLS, the greeting included
    expect(server.events().every((e) => e.tls)).toBe(true);
  });

  test('nothing listening: the reason names 127.0.0.1:PORT and the 3 attempts, after the 1 s + 2 s backoff', async () => {
    const port = await freePort();
    const { value: why, ms } = await timed(() => sendMail(smtpFor({ port }), { type: 'email', to: ['soc@example.test'] }, report));
    expect(why).toContain(`smtp 127.0.0.1:${port}`);
    expect(why).toContain('connection refused');
    expect(why).toContain('3 attempts');
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(10_000);
  });

  test('some recipients refused: the reason names them, the others get the mail, and it is not sent twice', async () => {
    server = await startSmtpServer({ rejectRcpt: ['gone@example.test'], maxSeconds: 60 });
    const why = await sendMail(smtpFor(server), { type: 'email', to: ['soc@example.test', 'gone@example.test'] }, report);
    expect(why).toContain(`smtp 127.0.0.1:${server.port}`);
    expect(why).toContain('gone@example.test');
    expect(why).toContain('550');
    expect(why).not.toContain('soc@example.test');
    const [mail] = await server.waitForMessages(1);
    expect(mail.rcptTos).toEqual(['soc@example.test']);

    // all refused: permanent, one connection, nothing stored
    const before = server.events().length;
    const none = await sendMail(smtpFor(server), { type: 'email', to: ['gone@example.test'] }, report);
    expect(none).toContain('550');
    expect(none).toContain('gone@example.test');
    expect(count(server.events().slice(before), 'connect')).toBe(1);
    expect(server.messages()).toHaveLength(1);
  });

  test('a 4xx reply is transient: tried again after 1 s and delivered once', async () => {
    server = await startSmtpServer({ tempfailMail: 1, maxSeconds: 60 });
    const { value: why, ms } = await timed(() => sendMail(smtpFor(server), { type: 'email', to: ['soc@example.test'] }, report));
    expect(why).toBeUndefined();
    const events = server.events();
    expect(count(events, 'connect')).toBe(2);
    expect(count(events, 'mail')).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(950);
    const mails = await server.waitForMessages(1);
    expect(mails).toHaveLength(1);
  });
});
