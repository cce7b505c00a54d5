import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createHttpClient } from '../../../connectors/shared/http-client';
import { makeTestPki, type TestPki } from '../../helpers/certs';

// The client every connector sends with: it must trust the configured CA and present the client
// certificate when the service asks for one (issue 5: "client certificates where the service allows them").
describe('shared HTTP client over TLS', () => {
  let pki: TestPki;
  let server: Server;
  let url: string;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    server = createServer({
      cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ca: readFileSync(pki.caCert),
      requestCert: true, rejectUnauthorized: true,
    }, (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      seen.push(peer.subject?.CN);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 60000);
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('presents cert_file/key_file to a server that requires a client certificate', async () => {
    const client = createHttpClient({ https: true, timeoutMs: 5000, tls: { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey, insecureSkipVerify: false } });
    const res = await client.post(url, 'x');
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toBe('siemgate-test-client');
  });

  test('without a client certificate the handshake is refused, and the error says so', async () => {
    const client = createHttpClient({ https: true, timeoutMs: 5000, tls: { caFile: pki.caCert, insecureSkipVerify: false } });
    await expect(client.post(url, 'x')).rejects.toThrow(/certificate|handshake|socket hang up|ECONNRESET/i);
  });

  test('a server certificate from an untrusted CA is refused unless ca_file trusts it', async () => {
    const client = createHttpClient({ https: true, timeoutMs: 5000, tls: { certFile: pki.clientCert, keyFile: pki.clientKey, insecureSkipVerify: false } });
    await expect(client.post(url, 'x')).rejects.toThrow(/self.signed|unable to verify|issuer/i);
  });
});
