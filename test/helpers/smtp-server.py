#!/usr/bin/python3
"""
A real SMTP server for the tests: Debian's aiosmtpd on 127.0.0.1, driven by test/helpers/smtp-server.ts.

Each accepted message is stored in --dir as NNNN.eml (the bytes as received) and NNNN.json (the
envelope and the message as Python's email package parses it), the JSON written last and renamed
into place, so a reader that sees NNNN.json sees the whole message. Every connection, STARTTLS,
AUTH attempt and MAIL command is appended to --dir/events.jsonl, so a test can count attempts and
tell whether anything was sent before TLS.

Prints one JSON line {"port": N} on stdout once it listens (port 0 = any free one, no race with
other tests picking ports), exits on SIGTERM/SIGINT, and by itself after --max-seconds.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomic(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def parse(raw):
    """The message as a MIME parser sees it: headers, and each part with its decoded content."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    headers = {}
    addresses = {}
    for name, value in msg.items():
        headers.setdefault(name.lower(), []).append(str(value))
        if hasattr(value, 'addresses'):
            addresses.setdefault(name.lower(), []).extend(
                {'name': a.display_name, 'address': a.addr_spec} for a in value.addresses)
    parts = []
    for path, part in walk(msg, []):
        if part.is_multipart():
            parts.append({'path': path, 'content_type': part.get_content_type(), 'multipart': True})
            continue
        body = part.get_payload(decode=True) or b''
        charset = part.get_content_charset() or 'utf-8'
        try:
            # line ends as the message was written (SMTP carries CRLF), as a mail reader shows it
            text = body.decode(charset).replace('\r\n', '\n') if part.get_content_maintype() == 'text' else body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            text = None
        parts.append({
            'path': path,
            'content_type': part.get_content_type(),
            'multipart': False,
            'charset': part.get_content_charset(),
            'filename': part.get_filename(),
            'disposition': part.get_content_disposition(),
            'transfer_encoding': part.get('Content-Transfer-Encoding'),
            'text': text,
            'base64': base64.b64encode(body).decode('ascii'),
        })
    return {'headers': headers, 'addresses': addresses, 'parts': parts, 'defects': [str(d) for d in msg.defects]}


def walk(part, path):
    """Depth first, with each part's position (e.g. [0, 1]: the second child of the first child)."""
    yield path, part
    if part.is_multipart():
        for i, child in enumerate(part.iter_parts()):
            yield from walk(child, path + [i])


class Recorder:
    """The aiosmtpd handler: logs the session's steps and stores what it accepts."""

    def __init__(self, args):
        self.args = args
        self.count = 0
        self.tempfail_left = args.tempfail_mail
        self.events = open(os.path.join(args.dir, 'events.jsonl'), 'a', buffering=1)

    def event(self, kind, server, session, **fields):
        self.events.write(json.dumps({'event': kind, 'peer': list(session.peer or []), 'tls': is_tls(server), **fields}) + '\n')

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.event('ehlo', server, session, hostname=hostname)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.event('mail', server, session, mail_from=address, authenticated=bool(session.authenticated))
        if self.tempfail_left > 0:
            # a server that is busy for a moment: the client is expected to come back
            self.tempfail_left -= 1
            return '451 4.3.0 try again later (test server told to defer)'
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return '250 OK'

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.args.reject_rcpt:
            self.event('rcpt_refused', server, session, rcpt=address)
            return f'550 5.1.1 <{address}>: recipient refused (test server told to refuse it)'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.args.dir, f'{self.count:04d}')
        raw = envelope.original_content or envelope.content
        write_atomic(base + '.eml', raw)
        record = {
            'seq': self.count,
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'tls': is_tls(server),
            'authenticated_as': session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            'eml': base + '.eml',
            **parse(raw),
        }
        write_atomic(base + '.json', json.dumps(record).encode())
        self.event('stored', server, session, seq=self.count)
        return '250 Message accepted for delivery'

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode(errors='replace') if isinstance(auth_data, LoginPassword) else None
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode(errors='replace') == self.args.auth_user
              and auth_data.password.decode(errors='replace') == self.args.auth_password)
        self.event('auth', server, session, mechanism=mechanism, login=login, ok=ok)
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd then answers 535 itself; its default (handled=True) sends no
        # reply at all and leaves the client waiting until its timeout
        return AuthResult(success=False, handled=False)


def is_tls(server):
    # session.ssl is only set after STARTTLS; with implicit TLS the transport itself is the TLS one
    return server.transport is not None and server.transport.get_extra_info('ssl_object') is not None


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class LoggingSMTP(SMTP):
    """aiosmtpd's SMTP that also logs each TCP connection (the unit of a client's attempt)."""

    def __init__(self, recorder, *a, **kw):
        super().__init__(*a, **kw)
        self.recorder = recorder

    def connection_made(self, transport):
        first = self.transport is None  # STARTTLS calls this again on the same protocol
        super().connection_made(transport)
        if first:
            self.recorder.event('connect', self, self.session)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--cert')
    ap.add_argument('--key')
    ap.add_argument('--starttls', action='store_true', help='offer STARTTLS with --cert/--key and refuse mail before it')
    ap.add_argument('--tls', action='store_true', help='implicit TLS (TLS from the first byte, as on port 465)')
    ap.add_argument('--auth-user')
    ap.add_argument('--auth-password')
    ap.add_argument('--reject-rcpt', action='append', default=[], type=str.lower)
    ap.add_argument('--tempfail-mail', type=int, default=0, help='answer the first N MAIL commands with 451')
    ap.add_argument('--max-seconds', type=float, default=120)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    recorder = Recorder(args)
    auth = args.auth_user is not None
    smtp_kw = dict(
        hostname='siemgate-test-smtp',  # without it aiosmtpd calls socket.getfqdn(), which can hang on DNS
        decode_data=False,
        auth_required=auth,
        # aiosmtpd counts only STARTTLS as TLS here: with implicit TLS it would refuse every AUTH
        # with 538, so that check is off there (the connection is TLS from the first byte anyway)
        auth_require_tls=args.starttls,
        authenticator=recorder.authenticator,
    )
    if args.starttls:
        smtp_kw.update(tls_context=tls_context(args.cert, args.key), require_starttls=True)
    if auth and not args.starttls:
        # AUTH without STARTTLS: implicit TLS, or a test of AUTH in clear; aiosmtpd's warning is noise here
        warnings.simplefilter('ignore')

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: LoggingSMTP(recorder, recorder, **smtp_kw),
        host='127.0.0.1', port=args.port,
        ssl=tls_context(args.cert, args.key) if args.tls else None,
    )
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({'port': port}), flush=True)

    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    try:
        await asyncio.wait_for(done.wait(), args.max_seconds)
    except asyncio.TimeoutError:
        print(f'smtp-server: stopping after --max-seconds {args.max_seconds}', file=sys.stderr, flush=True)
    server.close()
    recorder.events.close()


if __name__ == '__main__':
    asyncio.run(main())
