import { createSocket } from 'dgram';
import { startInput } from '../../../src/inputs';
import { datagramEnd } from '../../../src/inputs/udp-input';
import { FLAG_TRUNCATED, type RunningInput } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';
import { udpConfig } from './input-fixtures';

function send(port: number, host: string, payloads: Array<string | Buffer>): Promise<void> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    let left = payloads.length;
    for (const p of payloads) {
      s.send(typeof p === 'string' ? Buffer.from(p) : p, port, host, (err) => {
        if (err) { s.close(); reject(err); return; }
        if (--left === 0) { s.close(); resolve(); }
      });
    }
  });
}

async function hasIpv6Loopback(): Promise<boolean> {
  const s = createSocket('udp6');
  return new Promise((resolve) => {
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(0, '::1', () => { s.close(); resolve(true); });
  });
}

describe('udp input', () => {
  let input: RunningInput | undefined;
  afterEach(async () => { await input?.close(); input = undefined; });

  test('datagram trailers: LF, NUL, CRLF are trimmed', () => {
    const end = (s: string): string => s.slice(0, datagramEnd(Buffer.from(s)));
    expect(end('<13>a\n')).toBe('<13>a');
    expect(end('<13>a\r\n')).toBe('<13>a');
    expect(end('<13>a\0')).toBe('<13>a');
    expect(end('<13>a\n\0')).toBe('<13>a');
    expect(end('<13>a\r')).toBe('<13>a\r');
    expect(end('\n')).toBe('');
  });

  test('IPv4: one datagram is one message, with the peer; empty ones are counted', async () => {
    const sink = new RecordingSink();
    input = await startInput(udpConfig({ receiveBufferBytes: 262144 }), sink);
    await send(input.address.port, '127.0.0.1', ['<13>one\n', '<13>two\r\n', 'three\0', '\n', 'a\nb']);
    await sink.waitFor(() => sink.messages.length === 4 && sink.rejects.length === 1, 3000, 'datagrams');
    expect(sink.texts().sort()).toEqual(['<13>one', '<13>two', 'a\nb', 'three']);
    expect(sink.rejected('empty')).toBe(1);
    expect(sink.messages[0].peer).toMatchObject({ input: 'udp-test', transport: 'udp', ip: '127.0.0.1' });
    expect(input.counters.udpDatagrams).toBe(5);
  });

  test('a datagram over max_message_bytes is truncated and flagged', async () => {
    const sink = new RecordingSink();
    input = await startInput(udpConfig({ maxMessageBytes: 10 }), sink);
    await send(input.address.port, '127.0.0.1', ['<13>0123456789abcdef\n']);
    await sink.waitFor(() => sink.messages.length === 1);
    expect(sink.messages[0]).toMatchObject({ text: '<13>012345', flags: FLAG_TRUNCATED });
  });

  test('datagrams are still handed over while the sink is paused', async () => {
    const sink = new RecordingSink();
    sink.setPaused(true);
    input = await startInput(udpConfig(), sink);
    await send(input.address.port, '127.0.0.1', ['<13>while paused']);
    await sink.waitFor(() => sink.messages.length === 1);
  });

  test('IPv6 on [::1]', async () => {
    if (!(await hasIpv6Loopback())) {
      console.warn('skipping the IPv6 UDP test: this machine has no ::1');
      return;
    }
    const sink = new RecordingSink();
    input = await startInput(udpConfig({ address: '[::1]:0' }), sink);
    expect(input.address.host).toBe('::1');
    await send(input.address.port, '::1', ['<13>over v6\n']);
    await sink.waitFor(() => sink.messages.length === 1);
    expect(sink.messages[0].peer.ip).toBe('::1');
  });

  test('binding a taken port throws SG_INPUT_BIND naming the address', async () => {
    const sink = new RecordingSink();
    input = await startInput(udpConfig(), sink);
    const address = `127.0.0.1:${input.address.port}`;
    await expect(startInput(udpConfig({ address }), sink)).rejects.toMatchObject({
      code: 'SG_INPUT_BIND', message: expect.stringContaining(address),
    });
    await expect(startInput(udpConfig({ address: 'nonsense' }), sink)).rejects.toMatchObject({ code: 'SG_INPUT_BIND' });
  });
});
