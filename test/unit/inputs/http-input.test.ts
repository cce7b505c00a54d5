import { readFileSync } from 'fs';
import { request as httpsRequest } from 'https';
import { connect } from 'net';
import { startInput } from '../../../src/inputs';
import { RecordingSink } from '../../helpers/recording-sink';
import { httpConfig, makeTlsMaterial, type TlsMaterial } from './input-fixtures';

describe('http input: server', () => {
  test('Expect: 100-continue with a too-large Content-Length is answered 413 before the body is sent', async () => {
    const sink = new RecordingSink();
    const input = await startInput(httpConfig({ maxBodyBytes: 100 }), sink);
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const s = connect(input.address.port, '127.0.0.1', () => {
          s.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good-token\r\n'
            + 'Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
        });
        let got = '';
        s.on('data', (c) => { got += c.toString(); });
        s.on('close', () => resolve(got));
        s.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).not.toContain('100 Continue');
      expect(answer).toContain('SG_HTTP_BODY_TOO_LARGE');
    } finally {
      await input.close();
    }
  });

  test('close() stops listening and resolves with keep-alive clients connected', async () => {
    const sink = new RecordingSink();
    const input = await startInput(httpConfig({ auth: 'none', tokens: [] }), sink);
    const s = connect(input.address.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write('GET /services/collector/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => s.once('data', r));
    await input.close();
    s.destroy();
    expect(input.counters.httpRequests).toBe(1);
  });

  test('bind failure throws SG_INPUT_BIND', async () => {
    const sink = new RecordingSink();
    const a = await startInput(httpConfig(), sink);
    try {
      await expect(startInput(httpConfig({ address: `127.0.0.1:${a.address.port}` }), sink))
        .rejects.toMatchObject({ code: 'SG_INPUT_BIND', message: expect.stringContaining('EADDRINUSE') });
    } finally {
      await a.close();
    }
  });

  describe('https', () => {
    let m: TlsMaterial;
    beforeAll(() => { m = makeTlsMaterial(); });
    afterAll(() => m.cleanup());

    test('serves the same endpoints over TLS', async () => {
      const sink = new RecordingSink();
      const input = await startInput(httpConfig({
        tls: { certFile: m.serverCert, keyFile: m.serverKey, clientAuth: 'none', minVersion: 'TLSv1.2', handshakeTimeoutMs: 10_000 },
      }), sink);
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpsRequest({
            host: '127.0.0.1', port: input.address.port, method: 'POST', path: '/v1/events', servername: 'localhost',
            ca: readFileSync(m.caCert), headers: { Authorization: 'Bearer good-token' }, agent: false,
          }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
          req.on('error', reject);
          req.end('{"over":"tls"}');
        });
        expect(status).toBe(200);
        expect(sink.texts()).toEqual(['{"over":"tls"}']);
      } finally {
        await input.close();
      }
    });
  });
});
