import type { Socket } from 'net';
import { startInput } from '../../../src/inputs';
import type { RunningInput } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';
import { closed, sleep, tcpConfig, tcpConnect } from './input-fixtures';

describe('tcp input', () => {
  let input: RunningInput | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await input?.close();
    input = undefined;
  });
  const open = async (): Promise<Socket> => {
    const s = await tcpConnect(input!.address.port);
    sockets.push(s);
    return s;
  };

  test.each([
    ['lf', '<13>one\n<13>two\r\n<13>three\0', ['<13>one', '<13>two', '<13>three']],
    ['octet', '7 <13>one 7 <13>two\n9 <13>three', ['<13>one', '<13>two', '<13>three']],
    ['auto', '7 <13>one<13>two\n9 <13>three', ['<13>one', '<13>two', '<13>three']],
  ] as const)('framing %s: messages with the peer of their connection', async (framing, wire, expected) => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ framing }), sink);
    const s = await open();
    const localPort = s.localPort;
    // Written one byte at a time: framing must not depend on how TCP cuts the stream.
    for (const ch of wire) { s.write(ch); await sleep(0); }
    s.end();
    await closed(s);
    await sink.waitFor(() => input!.connections() === 0, 3000, 'connection close');
    expect(sink.texts()).toEqual(expected);
    expect(sink.rejects).toEqual([]);
    expect(sink.messages[0].peer).toMatchObject({ input: 'tcp-test', transport: 'tcp', ip: '127.0.0.1', port: localPort });
    expect(input.counters).toMatchObject({ connectionsOpened: 1, connectionsClosed: 1, bytes: Buffer.byteLength(wire) });
  });

  test('a peer that ends the stream after a line without its LF: the line is a message, as rsyslog and syslog-ng take it', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ framing: 'lf' }), sink);
    const s = await open();
    s.end('<13>whole\n<13>last, no LF\r');
    await closed(s);
    await sink.waitFor(() => sink.messages.length === 2);
    expect(sink.texts()).toEqual(['<13>whole', '<13>last, no LF']);
    expect(sink.rejects).toEqual([]);
  });

  test('a peer that closes inside an octet-counted frame costs that frame only (partial_frame)', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ framing: 'octet' }), sink);
    const s = await open();
    s.end('9 <13>whole20 <13>half');
    await closed(s);
    await sink.waitFor(() => sink.rejects.length === 1);
    expect(sink.texts()).toEqual(['<13>whole']);
    expect(sink.rejected('partial_frame')).toBe(1);
  });

  test('max_connections: extra connections are refused and counted, the others keep working', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ maxConnections: 2 }), sink);
    const a = await open();
    const b = await open();
    await sink.waitFor(() => input!.connections() === 2, 3000, 'two connections');
    const c = await open();
    await closed(c);
    expect(input.counters.connectionsRefused).toBe(1);
    a.write('<13>from a\n');
    b.write('<13>from b\n');
    await sink.waitFor(() => sink.messages.length === 2);
    expect(sink.texts().sort()).toEqual(['<13>from a', '<13>from b']);
  });

  /** What an idle (or slow) connection ends with: counted, its finished message kept, the unfinished one rejected. */
  async function expectClosedAsIdle(sink: RecordingSink, running: RunningInput): Promise<void> {
    await sink.waitFor(() => sink.rejects.length === 1);
    expect(running.counters.idleTimeouts).toBe(1);
    expect(sink.texts()).toEqual(['<13>done']);
    expect(sink.rejected('partial_frame')).toBe(1);
  }

  test('one message trickled a byte at a time (slowloris) is cut after idle_timeout_ms, though each byte resets the idle timer', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ framing: 'lf', idleTimeoutMs: 300 }), sink);
    const s = await open();
    s.on('error', () => undefined);
    s.write('<13>done\n');
    const drip = setInterval(() => { if (!s.destroyed) s.write('x'); }, 50);
    try {
      await closed(s);
    } finally {
      clearInterval(drip);
    }
    await expectClosedAsIdle(sink, input);
  });

  test('a busy stream whose chunks always end mid-message runs past idle_timeout_ms: each message is timed, not the connection', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ framing: 'lf', idleTimeoutMs: 300 }), sink);
    const s = await open();
    const msgs = Array.from({ length: 60 }, (_, i) => `<13>busy ${String(i).padStart(2, '0')}\n`);
    // every 25 ms a chunk holding the end of one message and the start of the next: no chunk ends on
    // a message boundary, for 60 x 25 ms = 1.5 s, five times the idle timeout
    const chunks = [msgs[0].slice(0, 7), ...msgs.slice(0, -1).map((m, i) => m.slice(7) + msgs[i + 1].slice(0, 7)), msgs[59].slice(7)];
    let k = 0;
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        s.write(chunks[k++]);
        if (k === chunks.length) { clearInterval(t); resolve(); }
      }, 25);
    });
    await sink.waitFor(() => sink.messages.length === 60, 3000, 'all 60 messages');
    expect(input.counters.idleTimeouts).toBe(0);
    expect(sink.rejects).toEqual([]);
    s.end();
  });

  test('idle timeout closes the connection, counts it, and rejects the unfinished frame', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ idleTimeoutMs: 150 }), sink);
    const s = await open();
    s.write('<13>done\n<13>never finish');
    await closed(s);
    await expectClosedAsIdle(sink, input);
  });

  test('backpressure: while the sink is paused sockets are not read; onResume resumes them', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig({ idleTimeoutMs: 100 }), sink);
    const s = await open();
    sink.setPaused(true);
    s.write('<13>first\n');
    await sink.waitFor(() => sink.messages.length === 1);
    s.write('<13>second\n');
    await sleep(300); // longer than the idle timeout: a paused connection is not idle
    expect(sink.texts()).toEqual(['<13>first']);
    expect(input.counters.idleTimeouts).toBe(0);
    expect(input.connections()).toBe(1);
    sink.setPaused(false);
    await sink.waitFor(() => sink.messages.length === 2, 3000, 'resumed read');
    expect(sink.texts()).toEqual(['<13>first', '<13>second']);
  });

  test('close(): stops listening, ends connections (a peer that answers with its FIN has its last line taken), resolves', async () => {
    const sink = new RecordingSink();
    input = await startInput(tcpConfig(), sink);
    const s = await open();
    s.write('<13>complete\n<13>partial');
    await sink.waitFor(() => sink.messages.length === 1);
    const port = input.address.port;
    const done = closed(s);
    await input.close();
    input = undefined;
    await done;
    expect(sink.texts()).toEqual(['<13>complete', '<13>partial']);
    expect(sink.rejected('partial_frame')).toBe(0);
    await expect(tcpConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
