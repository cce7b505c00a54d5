/**
 * Graceful stop (README: "SIGTERM stops accepting, writes out everything received, and exits 0"):
 * bursts over several TCP connections that stay open (the clients never close them), SIGTERM the
 * moment the last byte went to the kernel; every message must be in the file exactly once and the
 * exit code 0; also a signal the moment the gateway is ready, and a TLS peer that never handshakes.
 */
import { connect, type Socket } from 'node:net';
import { freePort, killAllGateways, startGateway, type RunningGateway } from '../helpers/gateway';
import { describeNeeding, cleanUp, sleep } from '../helpers/procs';
import { OPENSSL } from '../helpers/clients';
import { makeTestPki } from '../helpers/certs';
import { checkExactlyOnce, groupByMarker, markers } from '../helpers/expect-docs';

jest.setTimeout(60000);

const CONFIG = (tcp: number, extra = '') => `
inputs:
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:${tcp}" }
${extra}
destinations:
  - { name: out, type: file, path: "@OUT@" }
`;

async function open(port: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  s.on('error', () => { /* the gateway closes on us at SIGTERM */ });
  await new Promise<void>((ok, fail) => { s.once('connect', ok); s.once('error', fail); });
  return s;
}

/** Writes all of buf and resolves when the kernel has it (the write callback). */
function write(s: Socket, buf: Buffer): Promise<void> {
  return new Promise((ok, fail) => s.write(buf, (err) => (err ? fail(err) : ok())));
}

describe('graceful stop on SIGTERM', () => {
  let gw: RunningGateway | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await killAllGateways();
    await cleanUp();
  });

  /** n connections to port, each sent `per` messages (even ones octet-counted, odd ones LF framed). */
  async function burst(port: number, conns: number, per: number, pad: number): Promise<{ socks: Socket[]; prefixes: string[]; sent: Promise<void> }> {
    const socks = await Promise.all(Array.from({ length: conns }, () => open(port)));
    sockets.push(...socks);
    const prefixes = socks.map((_, c) => `it-stop-${per}-c${c}`);
    const sent = Promise.all(socks.map((s, c) => {
      const frames = markers(prefixes[c], per).map((m, i) => {
        const msg = `<134>1 2026-11-23T10:00:00.000Z host app ${c} - - ${m} payload ${'x'.repeat(pad + (i % 50))}`;
        return c % 2 === 0 ? `${Buffer.byteLength(msg)} ${msg}` : `${msg}\n`;
      });
      return write(s, Buffer.from(frames.join('')));
    })).then(() => undefined);
    return { socks, prefixes, sent };
  }

  test('4 connections x 1000 messages (LF and octet-counted) still open at SIGTERM: exit 0 within the grace, all 4000 once', async () => {
    const tcp = await freePort();
    gw = await startGateway(CONFIG(tcp));
    const { prefixes, sent } = await burst(tcp, 4, 1000, 0);
    await sent;
    await gw.waitForDocs(4000, 15000); // received; the next test signals mid-burst
    const t0 = Date.now();
    expect(await gw.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    const docs = gw.docs();
    for (const p of prefixes) checkExactlyOnce(groupByMarker(docs, p), p, markers(p, 1000), () => gw!.stderr());
    expect(docs.length).toBe(4000);
    expect(gw.stderr()).toMatch(/stopped: received 4000, journaled 4000, rejected at input 0; balanced; out: delivered 4000, pending 0, dead-lettered 0, dropped 0/);
  });

  // Bytes a client wrote before SIGTERM are received: the gateway keeps reading each connection
  // until the peer's FIN (or the grace period), then flushes. 4 x 5000 messages (~5 MB a connection).
  test('4 x 5000 messages, SIGTERM right after the last write: all 20000 in the file', async () => {
    const tcp = await freePort();
    gw = await startGateway(CONFIG(tcp));
    const { prefixes, sent } = await burst(tcp, 4, 5000, 900);
    await sent;
    expect(await gw.stop()).toBe(0);
    const docs = gw.docs();
    for (const p of prefixes) checkExactlyOnce(groupByMarker(docs, p), p, markers(p, 5000), () => gw!.stderr());
  });

  test('a connection that stays open with an unfinished LF line: SIGTERM still exits 0 within the 2 s grace', async () => {
    const tcp = await freePort();
    gw = await startGateway(CONFIG(tcp));
    const s = await open(tcp);
    sockets.push(s);
    await write(s, Buffer.from('<13>1 - h a - - - it-stop-whole-0 complete\n<13>1 - h a - - - it-stop-partial-0 never finished'));
    await gw.waitForDocs(1);
    const t0 = Date.now();
    expect(await gw.stop(10000)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(groupByMarker(gw.docs(), 'it-stop-whole').size).toBe(1);
    // the gateway sends its FIN and the client answers with its own: the line it ended the stream
    // after is complete by its word, and kept (as rsyslog does), not refused as partial_frame
    expect(groupByMarker(gw.docs(), 'it-stop-partial').size).toBe(1);
    expect(gw.stderr()).not.toMatch(/partial_frame/);
  });

  // A supervisor may signal as soon as it sees "siemgate ready": the handlers are in place before it.
  test('SIGTERM right after "siemgate ready" is handled (exit 0), 20 times in a row', async () => {
    for (let i = 0; i < 20; i++) {
      const tcp = await freePort();
      const g = await startGateway(CONFIG(tcp));
      const code = await g.stop(10000);
      expect([i, code]).toEqual([i, 0]);
    }
  });

  describeNeeding(OPENSSL, 'openssl', 'with a TLS input', () => {
    // A connection that never finishes its TLS handshake (a plain TCP client, a scanner, winston-syslog's
    // tls4 transport after it reconnected) must not hold the shutdown beyond the grace period.
    test('SIGTERM with a TCP connection that never starts TLS exits 0 within 3.5 s', async () => {
      const pki = await makeTestPki();
      const [tcp, tls] = [await freePort(), await freePort()];
      gw = await startGateway(CONFIG(tcp, `  - name: tls
    type: syslog_tls
    address: "127.0.0.1:${tls}"
    tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}" }`));
      sockets.push(await open(tls));
      await sleep(200);
      expect(await gw.stop(3500)).toBe(0);
    });
  });
});
