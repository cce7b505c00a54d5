import type { IngestSink, Peer, RejectReason, SenderMeta } from '../../src/inputs/types';

export interface RecordedMessage {
  text: string;
  peer: Peer;
  flags: number;
  meta?: SenderMeta;
}

export interface RecordedReject {
  peer: Peer;
  reason: RejectReason;
  count: number;
  detail?: string;
}

/**
 * An IngestSink that records what inputs hand it (copying, as the real sink does) and can be
 * switched into the paused state. `waitFor` polls until a condition holds (bounded).
 */
export class RecordingSink implements IngestSink {
  readonly messages: RecordedMessage[] = [];
  readonly rejects: RecordedReject[] = [];
  flushes = 0;
  private paused = false;
  private readonly resumeListeners: Array<() => void> = [];

  message(peer: Peer, buf: Buffer, start: number, end: number, flags: number, meta?: SenderMeta): void {
    this.messages.push({ text: buf.toString('utf8', start, end), peer, flags, meta });
  }

  reject(peer: Peer, reason: RejectReason, count: number, detail?: string): void {
    this.rejects.push({ peer, reason, count, detail });
  }

  isPaused(): boolean {
    return this.paused;
  }

  onResume(listener: () => void): void {
    this.resumeListeners.push(listener);
  }

  async flush(): Promise<void> {
    this.flushes++;
  }

  setPaused(paused: boolean): void {
    const wasPaused = this.paused;
    this.paused = paused;
    if (wasPaused && !paused) for (const l of this.resumeListeners) l();
  }

  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  rejected(reason: RejectReason): number {
    return this.rejects.filter((r) => r.reason === reason).reduce((n, r) => n + r.count, 0);
  }

  clear(): void {
    this.messages.length = 0;
    this.rejects.length = 0;
  }

  /** Resolves once `cond()` is true; fails after `timeoutMs`. */
  async waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
