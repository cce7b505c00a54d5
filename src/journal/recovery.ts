import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { scanRecords, type ScanStop } from './record';

/** What start-up found at the end of the newest segment. */
export interface TailScan {
  /** Good records in the segment. */
  records: number;
  /** Byte length kept. */
  bytes: number;
  /** Bytes cut after the last good record (0 when the tail was clean). */
  cutBytes: number;
  stop: ScanStop;
}

const CHUNK = 4 << 20;

/**
 * Scan a segment from its start, and cut it at the first record that is short or damaged. Only
 * the newest segment can have a torn tail (the others were complete before it was opened), so
 * only it is scanned at start-up; damage further back is found, and counted, by the readers.
 */
export function recoverSegment(path: string): TailScan {
  return scanSegment(path, true);
}

/** Count the good records of a segment; with `cut`, truncate it after the last one. */
export function scanSegment(path: string, cut: boolean): TailScan {
  const fd = openSync(path, cut ? 'r+' : 'r');
  try {
    const size = fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
    let fileOff = 0; // file offset of buf[0]
    let have = 0; // bytes of buf filled
    let records = 0;
    let stop: ScanStop = 'end';
    while (fileOff + have < size || have > 0) {
      if (fileOff + have < size) {
        if (have === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
        }
        have += readSync(fd, buf, have, Math.min(buf.length - have, size - fileOff - have), fileOff + have);
      }
      const r = scanRecords(buf, 0, have);
      records += r.records;
      const atEof = fileOff + have >= size;
      if (r.stop === 'end' || (r.stop === 'partial' && !atEof)) {
        // keep the unfinished record for the next read
        buf.copy(buf, 0, r.end, have);
        fileOff += r.end;
        have -= r.end;
        if (r.stop === 'end' && atEof) break;
        continue;
      }
      stop = r.stop;
      fileOff += r.end;
      break;
    }
    const keep = stop === 'end' ? size : fileOff;
    if (cut && keep < size) ftruncateSync(fd, keep);
    return { records, bytes: keep, cutBytes: size - keep, stop };
  } finally {
    closeSync(fd);
  }
}
