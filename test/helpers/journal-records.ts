import { decodeEvent, recordBound, writeEventRecord, type JournalEvent, type RecordFields } from '../../src/journal/event-record';
import { scanRecords } from '../../src/journal/record';

/** Framed records for docs (as the parse workers build them), one buffer: what journal.append takes. */
export function recordsOf(docs: string[], keys: (i: number) => RecordFields['keys'] = () => ({ input: 'test' }), receivedAt = Date.now()): Buffer {
  let size = 0;
  const fields = docs.map((d, i): RecordFields => ({ receivedAt, format: 'rfc5424', truncated: false, keys: keys(i) }));
  docs.forEach((d, i) => { size += recordBound(fields[i], d); });
  const out = Buffer.alloc(size);
  let off = 0;
  docs.forEach((d, i) => { off = writeEventRecord(out, off, fields[i], d); });
  return out.subarray(0, off);
}

/** The events in a buffer of framed records. */
export function eventsOf(buf: Uint8Array): JournalEvent[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: JournalEvent[] = [];
  scanRecords(b, 0, b.length, (s, e) => out.push(decodeEvent(b, s, e, out.length)));
  return out;
}
