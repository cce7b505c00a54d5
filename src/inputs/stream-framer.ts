import type { Framing, OversizeAction } from '../config/types';
import { FLAG_TRUNCATED, type IngestSink, type Peer } from './types';

/**
 * Splits one TCP/TLS byte stream into syslog messages (RFC 6587) and hands each to the sink.
 *
 * - `lf`: non-transparent framing. A message ends at LF or NUL; a CR before the LF is dropped.
 * - `octet`: octet counting, `MSG-LEN SP MSG`, MSG-LEN = NONZERO-DIGIT *DIGIT.
 * - `auto`: decided per message at each frame start, as rsyslog's imtcp does
 *   (runtime/tcps_sess.c, processDataRcvd, state eAtStrtFram): a digit starts an octet count,
 *   anything else starts a line. We take 1-9 (RFC 6587's NONZERO-DIGIT) where rsyslog takes 0-9.
 *
 * Recovery (a bad frame never costs the messages after it):
 * - digits not followed by SP (or a count above maxFrameBytes): the bytes read so far become the
 *   start of an LF-terminated line, so `2024-01-01T... host app: x\n` is still one message.
 *   (rsyslog falls back to LF only for a count of 0 or above its maxFrameSize; for a non-SP
 *   delimiter it logs and still trusts the count, which swallows the following messages.)
 * - `octet` mode, a byte other than 1-9 at a frame start: the rest of that line is dropped,
 *   counted once as `bad_frame`, and reading resumes after the next LF.
 * - separators between octet frames (LF, CR, NUL; also SP in `octet` mode) are skipped; in
 *   `auto`/`lf` mode a LF/CR right after an octet frame or a NUL trailer is part of that trailer.
 *
 * Zero copy: a message lying inside one chunk is handed over as (chunk, start, end). A message
 * split across chunks is kept as a list of slices and joined once when it completes, so each
 * byte is copied at most once. Never more than maxMessageBytes + 1 bytes are held: an oversize
 * message is truncated (FLAG_TRUNCATED, the rest skipped without buffering) or rejected.
 */
export interface FramerOptions {
  framing: Framing;
  maxMessageBytes: number;
  oversize: OversizeAction;
  /** Octet counts above this are not trusted as counts (read as a line instead). */
  maxFrameBytes?: number;
}

/** rsyslog's default maxFrameSize; counts above it are read as lines. */
export const DEFAULT_MAX_FRAME_BYTES = 200_000;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
const D0 = 0x30;
const D1 = 0x31;
const D9 = 0x39;
/** Longest octet count we read; 10 digits already exceed any sane frame. */
const MAX_COUNT_DIGITS = 10;

type State =
  | 'start' // at a frame start
  | 'count' // reading MSG-LEN digits
  | 'body' // reading MSG-LEN bytes
  | 'line' // reading up to LF/NUL
  | 'skip_line' // dropping up to LF/NUL (oversize line, bad frame)
  | 'skip_octets'; // dropping the rest of an oversize octet frame

export class StreamFramer {
  private state: State = 'start';
  /** Frames finished so far (kept, truncated or refused): a connection tells a slow frame from a stream of them by it. */
  framesEnded = 0;
  private readonly isOctetOnly: boolean;
  private readonly isLfOnly: boolean;
  private readonly max: number;
  private readonly maxFrame: number;
  private readonly truncate: boolean;
  /** Slices of earlier chunks that belong to the unfinished frame (digits, line or body). */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private count = 0;
  private countDigits = 0;
  /** Bytes still to read (body) or to drop (skip_octets). */
  private remaining = 0;
  /** In `body`: the frame is longer than max; after `remaining` bytes, skip `skipAfter`. */
  private skipAfter = 0;
  /** The previous frame ended by octet count or a NUL trailer: LF/CR/NUL that follow are dropped. */
  private afterTrailer = false;

  constructor(
    opts: FramerOptions,
    private readonly sink: IngestSink,
    private readonly peer: Peer,
  ) {
    this.isOctetOnly = opts.framing === 'octet';
    this.isLfOnly = opts.framing === 'lf';
    this.max = opts.maxMessageBytes;
    this.maxFrame = Math.max(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, opts.maxMessageBytes);
    this.truncate = opts.oversize === 'truncate';
  }

  /** True while a frame is unfinished (what `end` would reject as partial_frame). */
  hasPartial(): boolean {
    return this.state === 'count' || this.state === 'body' || this.state === 'line';
  }

  /** Feed one chunk. The chunk may be reused by the caller once this returns. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let pos = 0;
    let segStart = 0; // where the current frame's bytes begin in this chunk
    let lfAt = -1; // cached next LF at or after pos (n = none)
    let nulAt = -1;
    while (pos < n) {
      switch (this.state) {
        case 'start': {
          const c = chunk[pos];
          if (this.afterTrailer && (c === LF || c === CR || c === NUL)) { pos++; continue; }
          this.afterTrailer = false;
          if (c >= D1 && c <= D9 && !this.isLfOnly) {
            this.state = 'count';
            this.count = 0;
            this.countDigits = 0;
            segStart = pos;
            continue;
          }
          if (this.isOctetOnly) {
            if (c === LF || c === CR || c === NUL || c === SP) { pos++; continue; }
            this.sink.reject(this.peer, 'bad_frame', 1,
              `octet-counted frame expected, got byte 0x${c.toString(16).padStart(2, '0')}; skipped to the next LF`);
            this.state = 'skip_line';
            continue;
          }
          this.state = 'line';
          segStart = pos;
          continue;
        }
        case 'count': {
          let c = chunk[pos];
          while (c >= D0 && c <= D9 && this.countDigits < MAX_COUNT_DIGITS) {
            this.count = this.count * 10 + (c - D0);
            this.countDigits++;
            if (++pos === n) break;
            c = chunk[pos];
          }
          if (pos === n) break; // the chunk ended inside the digits
          // framing: octet trusts any count (one above max_message_bytes is truncated or refused,
          // and its bytes skipped exactly, so the frames after it are kept); auto reads a count
          // above maxFrame as the start of a line, as rsyslog does
          if (c === SP && (this.count <= this.maxFrame || this.isOctetOnly)) {
            pos++;
            this.dropPending();
            this.startBody();
            segStart = pos;
            continue;
          }
          // Not a count after all (a line that starts with digits, sent to an octet port too):
          // what was read so far starts a line; c is read as part of it.
          this.state = 'line';
          continue;
        }
        case 'body': {
          const avail = n - pos;
          if (avail < this.remaining) {
            this.keep(chunk, pos, n);
            this.remaining -= avail;
            pos = n;
            break;
          }
          const end = pos + this.remaining;
          const flags = this.skipAfter > 0 ? FLAG_TRUNCATED : 0;
          // rsyslog's omfwd and syslog-ng's syslog() count their template's final LF inside the
          // frame; like rsyslog's receiver (dropTrailingLFOnReception), one trailing LF (CRLF) is
          // not part of the message, so the same message reads the same over UDP, LF and octet framing.
          let last = end;
          if (chunk[last - 1] === 10) {
            last--;
            if (last > pos) {
              if (chunk[last - 1] === 13) last--;
            } else if (this.pendingLen > 0 && this.lastPendingByte() === 13) {
              this.trimPendingByte();
            }
          }
          this.emit(chunk, pos, last, flags);
          pos = end;
          if (this.skipAfter > 0) {
            this.state = 'skip_octets';
            this.remaining = this.skipAfter;
            this.skipAfter = 0;
          } else {
            this.state = 'start';
            this.framesEnded++;
            this.afterTrailer = true;
          }
          continue;
        }
        case 'skip_octets': {
          const take = Math.min(this.remaining, n - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) { this.state = 'start'; this.framesEnded++; this.afterTrailer = true; }
          continue;
        }
        case 'line':
        case 'skip_line': {
          if (lfAt < pos) { lfAt = chunk.indexOf(LF, pos); if (lfAt < 0) lfAt = n; }
          if (nulAt < pos) { nulAt = chunk.indexOf(NUL, pos); if (nulAt < 0) nulAt = n; }
          const term = lfAt < nulAt ? lfAt : nulAt;
          if (this.state === 'skip_line') {
            if (term === n) { pos = n; break; }
            pos = term + 1;
            this.state = 'start';
            this.framesEnded++;
            this.afterTrailer = chunk[term] === NUL;
            continue;
          }
          const lineStart = segStart > pos ? pos : segStart;
          const total = this.pendingLen + (term - lineStart);
          if (term === n) {
            if (total > this.max + 1) { // +1: room for the CR of a CRLF
              this.oversizeLine(chunk, lineStart, n);
              this.state = 'skip_line';
            } else {
              this.keep(chunk, lineStart, n);
            }
            pos = n;
            break;
          }
          let end = term;
          const isLf = chunk[term] === LF;
          pos = term + 1;
          this.state = 'start';
          this.framesEnded++;
          this.afterTrailer = !isLf;
          if (isLf && total > 0) {
            const last = end > lineStart ? chunk[end - 1] : this.pending[this.pending.length - 1][this.pending[this.pending.length - 1].length - 1];
            if (last === CR) {
              if (end > lineStart) end--;
              else this.trimPendingByte();
            }
          }
          const len = this.pendingLen + (end - lineStart);
          if (len > this.max) this.oversizeLine(chunk, lineStart, end);
          else if (len === 0) this.sink.reject(this.peer, 'empty', 1);
          else this.emit(chunk, lineStart, end, 0);
          continue;
        }
      }
    }
    // Keep the digits of a count that the chunk cut in two.
    if (this.state === 'count') this.keep(chunk, segStart > n ? n : segStart, n);
  }

  /**
   * The stream ended (peer closed, idle timeout, shutdown). A line the peer ended the stream after
   * (`peerClosed`: its FIN) is a message, as rsyslog and syslog-ng take it (`printf msg | nc`);
   * any other unfinished frame (an octet-counted one short of its count, a line cut by the idle
   * timeout or a shutdown) is rejected as `partial_frame` with a preview of its bytes in the detail
   * (logged by the sink, not kept).
   */
  end(peerClosed = false): void {
    const line = this.state === 'line' || (this.state === 'count' && !this.isOctetOnly);
    if (peerClosed && line && this.pendingLen > 0) {
      let len = this.pendingLen;
      const joined = Buffer.concat(this.pending, len);
      if (joined[len - 1] === CR) len--;
      this.dropPending();
      if (len > 0) this.sink.message(this.peer, joined, 0, len, 0);
    } else if (this.hasPartial()) {
      const kind = this.state === 'line' ? 'LF-terminated' : 'octet-counted';
      const held = this.pendingLen;
      const preview = Buffer.concat(this.pending, Math.min(held, 200)).toString('latin1');
      this.sink.reject(this.peer, 'partial_frame', 1,
        `${kind} frame unfinished at end of stream (${held} bytes held): ${JSON.stringify(preview)}`);
    }
    this.dropPending();
    this.state = 'start';
    this.afterTrailer = false;
  }

  private startBody(): void {
    if (this.count > this.max) {
      if (this.truncate) {
        this.state = 'body';
        this.remaining = this.max;
        this.skipAfter = this.count - this.max;
      } else {
        this.sink.reject(this.peer, 'oversize', 1,
          `octet-counted frame of ${this.count} bytes exceeds max_message_bytes ${this.max}`);
        this.state = 'skip_octets';
        this.remaining = this.count;
      }
    } else {
      this.state = 'body';
      this.remaining = this.count;
      this.skipAfter = 0;
    }
  }

  /** A line longer than max: hand over its first max bytes (truncate) or reject it. */
  private oversizeLine(chunk: Buffer, start: number, end: number): void {
    if (this.truncate) {
      const fromChunk = Math.max(0, Math.min(end, start + this.max - this.pendingLen));
      if (this.pendingLen >= this.max) {
        const joined = Buffer.concat(this.pending, this.max);
        this.dropPending();
        this.sink.message(this.peer, joined, 0, this.max, FLAG_TRUNCATED);
      } else {
        this.emit(chunk, start, fromChunk, FLAG_TRUNCATED);
      }
    } else {
      this.dropPending();
      this.sink.reject(this.peer, 'oversize', 1, `line longer than max_message_bytes ${this.max}`);
    }
  }

  /** Hand over pending + chunk[start, end) and clear pending. */
  private emit(chunk: Buffer, start: number, end: number, flags: number): void {
    if (this.pendingLen === 0) {
      this.sink.message(this.peer, chunk, start, end, flags);
      return;
    }
    this.pending.push(chunk.subarray(start, end));
    const len = this.pendingLen + (end - start);
    const joined = Buffer.concat(this.pending, len);
    this.dropPending();
    this.sink.message(this.peer, joined, 0, len, flags);
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.pending.push(chunk.subarray(start, end));
    this.pendingLen += end - start;
  }

  private lastPendingByte(): number {
    const last = this.pending[this.pending.length - 1];
    return last[last.length - 1];
  }

  private trimPendingByte(): void {
    const lastIdx = this.pending.length - 1;
    const last = this.pending[lastIdx];
    if (last.length === 1) this.pending.pop();
    else this.pending[lastIdx] = last.subarray(0, last.length - 1);
    this.pendingLen--;
  }

  private dropPending(): void {
    if (this.pendingLen === 0 && this.pending.length === 0) return;
    this.pending = [];
    this.pendingLen = 0;
  }
}
