import { readFileSync } from 'fs';
import { connect as tlsConnect, type ConnectionOptions } from 'tls';
import type { ClientAuth } from '../../../src/config/types';
import { startInput } from '../../../src/inputs';
import type { RunningInput } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';
import { handshakeReason } from '../../../src/inputs/tls-material';
import { closed, makeTlsMaterial, tcpConnect, tlsConfig, type TlsMaterial } from './input-fixtures';

let m: TlsMaterial;
beforeAll(() => { m = makeTlsMaterial(); });
afterAll(() => m?.cleanup());

/** Connects, sends `payload` once the handshake is done, ends; resolves when the socket is gone. */
function sendOver(port: number, payload: string, opts: ConnectionOptions = {}): Promise<{ handshook: boolean }> {
  return new Promise((resolve) => {
    let handshook = false;
    const s = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(m.caCert), servername: 'localhost', ...opts }, () => {
      handshook = true;
      s.end(payload);
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve({ handshook }));
  });
}

/** An RFC 5425 frame. */
const oc = (msg: string): string => `${Buffer.byteLength(msg)} ${msg}`;

const client = (): ConnectionOptions => ({ cert: readFileSync(m.clientCert), key: readFileSync(m.clientKey) });
const rogue = (): ConnectionOptions => ({ cert: readFileSync(m.rogueCert), key: readFileSync(m.rogueKey) });

describe('tls input', () => {
  let input: RunningInput | undefined;
  afterEach(async () => { await input?.close(); input = undefined; });

  const start = async (clientAuth: ClientAuth, sink: RecordingSink, over: { handshakeTimeoutMs?: number; maxConnections?: number } = {}): Promise<RunningInput> => {
    input = await startInput(tlsConfig({
      certFile: m.serverCert, keyFile: m.serverKey, caFile: m.caCert, clientAuth, minVersion: 'TLSv1.2', handshakeTimeoutMs: over.handshakeTimeoutMs ?? 10_000,
    }, { framing: 'octet', ...(over.maxConnections !== undefined ? { maxConnections: over.maxConnections } : {}) }), sink);
    return input;
  };

  test('client_auth none: RFC 5425 octet-counted messages over TLS', async () => {
    const sink = new RecordingSink();
    const inp = await start('none', sink);
    await sendOver(inp.address.port, oc('<13>hello') + oc('<13>world!'));
    await sink.waitFor(() => sink.messages.length === 2);
    expect(sink.texts()).toEqual(['<13>hello', '<13>world!']);
    expect(sink.messages[0].peer.transport).toBe('tls');
    expect(inp.counters.tlsHandshakeFailures).toBe(0);
  });

  test('client_auth required: no certificate or a rogue one fails (counted); a CA-issued one works', async () => {
    const sink = new RecordingSink();
    const inp = await start('required', sink);
    await sendOver(inp.address.port, oc('<13>no1'));
    await sendOver(inp.address.port, oc('<13>no2'), rogue());
    await sink.waitFor(() => inp.counters.tlsHandshakeFailures === 2, 3000, 'two handshake failures');
    await sendOver(inp.address.port, oc('<13>yes!'), client());
    await sink.waitFor(() => sink.messages.length === 1);
    expect(sink.texts()).toEqual(['<13>yes!']);
  });

  test('client_auth optional: no certificate and a valid one are accepted, an invalid one is refused', async () => {
    const sink = new RecordingSink();
    const inp = await start('optional', sink);
    await sendOver(inp.address.port, oc('<13>nocert'));
    await sendOver(inp.address.port, oc('<13>valid'), client());
    await sink.waitFor(() => sink.messages.length === 2);
    await sendOver(inp.address.port, oc('<13>rogue'), rogue());
    await sink.waitFor(() => inp.counters.tlsHandshakeFailures === 1, 3000, 'rogue refused');
    expect(sink.texts().sort()).toEqual(['<13>nocert', '<13>valid']);
  });

  test('a bad handshake is counted and the server keeps serving', async () => {
    const sink = new RecordingSink();
    const inp = await start('none', sink);
    const plain = await tcpConnect(inp.address.port);
    plain.write('<13>this is not TLS\n');
    await closed(plain);
    await sink.waitFor(() => inp.counters.tlsHandshakeFailures === 1, 3000, 'handshake failure');
    await sendOver(inp.address.port, oc('<13>after'));
    await sink.waitFor(() => sink.messages.length === 1);
    expect(sink.texts()).toEqual(['<13>after']);
  });

  test('connections that never start a handshake are closed at handshake_timeout_ms and counted; they do not hold max_connections', async () => {
    const sink = new RecordingSink();
    const inp = await start('none', sink, { handshakeTimeoutMs: 300, maxConnections: 2 });
    const idle = [await tcpConnect(inp.address.port), await tcpConnect(inp.address.port)];
    await Promise.all(idle.map((s) => closed(s))); // the server closes them
    expect(inp.counters.tlsHandshakeFailures).toBe(2);
    await sendOver(inp.address.port, oc('<13>after the idle ones'));
    await sink.waitFor(() => sink.messages.length === 1);
    expect(sink.texts()).toEqual(['<13>after the idle ones']);
  });

  test('a failed handshake\'s reason says what it usually means: plain text to the TLS port, a silent client; one line', () => {
    const err = (code: string, message: string) => Object.assign(new Error(message), { code });
    const plain = handshakeReason(err('ERR_SSL_WRONG_VERSION_NUMBER', '80DCEB94477F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n'));
    expect(plain).toMatch(/^the client did not speak TLS \(plain syslog or HTTP sent to a TLS port\?/);
    expect(plain).not.toContain('\n');
    expect(handshakeReason(err('ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout'))).toMatch(/^no TLS handshake within tls\.handshake_timeout_ms/);
    expect(handshakeReason(err('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'bad certificate\n'))).toBe('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: bad certificate');
  });

  test('unreadable TLS material throws SG_INPUT_TLS_MATERIAL naming the file', async () => {
    const sink = new RecordingSink();
    const missing = `${m.dir}/missing.key`;
    await expect(startInput(tlsConfig({
      certFile: m.serverCert, keyFile: missing, clientAuth: 'none', minVersion: 'TLSv1.2', handshakeTimeoutMs: 10_000,
    }), sink)).rejects.toMatchObject({ code: 'SG_INPUT_TLS_MATERIAL', message: expect.stringContaining(missing) });
  });
});
