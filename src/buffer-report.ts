import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Config } from './config/types';
import { journalDir } from './delivery/engine';
import { deadLetterPath, readDeadLetters, replayFiles } from './delivery/dead-letters';
import { readStatusFile } from './delivery/status-file';
import { runningPid } from './data-dir-lock';
import { loadCursors } from './journal/cursors';
import { scanSegment } from './journal/recovery';
import { listSegments } from './journal/segments';
import { RECORD_HEADER_BYTES } from './journal/record';

/**
 * `siemgate buffer status`, read from the files of a data_dir: the journal's segments and the
 * destinations' cursors (both always current on disk), plus the state the running gateway wrote
 * last. It reads, never writes, so it is safe beside a running gateway.
 */
export interface BufferStatus {
  dataDir: string;
  running: boolean;
  pid?: number;
  journal: { segments: number; bytes: number; head: number };
  destinations: Array<{
    name: string;
    backlogEvents: number;
    backlogBytes: number;
    oldestPendingAgeMs: number;
    state: string;
    reason?: string;
    delivered: number;
    deadLettered: number;
    dropped: number;
    deadLetterFile: string;
    deadLettersOnDisk: number;
    replaysWaiting: number;
  }>;
}

export function bufferStatus(cfg: Config): BufferStatus {
  const dir = journalDir(cfg.dataDir);
  const pid = runningPid(cfg.dataDir);
  const segs = existsSync(dir) ? listSegments(dir) : [];
  let bytes = 0;
  for (const s of segs) {
    s.bytes = statSync(s.path).size;
    bytes += s.bytes;
  }
  const last = segs[segs.length - 1];
  const head = last ? last.first + scanSegment(last.path, false).records : 0;
  const cursors = existsSync(dir) ? loadCursors(dir) : new Map();
  const live = pid !== undefined ? readStatusFile(cfg.dataDir) : undefined;
  const names = new Set([...cfg.destinations.map((d) => d.name), ...cursors.keys()]);
  const destinations: BufferStatus['destinations'] = [];
  for (const name of names) {
    const c = cursors.get(name);
    const pos = c?.position ?? { segment: last?.first ?? 0, offset: last?.bytes ?? 0, seq: head };
    let backlogBytes = 0;
    for (const s of segs) {
      if (s.first < pos.segment) continue;
      backlogBytes += s.first === pos.segment ? Math.max(0, s.bytes - pos.offset) : s.bytes;
    }
    const st = live?.destinations.find((d) => d.name === name);
    const dlq = deadLetterPath(cfg.dataDir, name);
    destinations.push({
      name,
      backlogEvents: Math.max(0, head - pos.seq),
      backlogBytes,
      oldestPendingAgeMs: head > pos.seq ? ageAt(segs.find((s) => s.first === pos.segment)?.path, pos.offset) : 0,
      state: pid === undefined ? 'stopped' : (st?.state ?? 'starting'),
      reason: st?.reason,
      delivered: c?.delivered ?? 0,
      deadLettered: c?.deadLettered ?? 0,
      dropped: c?.dropped ?? 0,
      deadLetterFile: dlq,
      deadLettersOnDisk: readDeadLetters(dlq).lines.length,
      replaysWaiting: replayFiles(cfg.dataDir, name).length,
    });
  }
  return { dataDir: cfg.dataDir, running: pid !== undefined, pid, journal: { segments: segs.length, bytes, head }, destinations };
}

/** Age of the event whose record starts at `offset` (its receivedAt is at a fixed place in the body). */
function ageAt(path: string | undefined, offset: number): number {
  if (path === undefined) return 0;
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(RECORD_HEADER_BYTES + 12);
    if (readSync(fd, b, 0, b.length, offset) < b.length) return 0;
    return Math.max(0, Date.now() - b.readDoubleLE(RECORD_HEADER_BYTES + 4));
  } finally {
    closeSync(fd);
  }
}

export function renderBufferStatus(s: BufferStatus): string {
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const age = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60000).toFixed(1)} min`);
  const lines = [
    `data_dir ${s.dataDir}: gateway ${s.running ? `running (pid ${s.pid})` : 'not running'}`,
    `journal: ${s.journal.segments} segment(s), ${mb(s.journal.bytes)}, ${s.journal.head} events journaled in all`,
    '',
    'destination        state       backlog events  backlog bytes  oldest pending  delivered    dead letters  dropped',
  ];
  for (const d of s.destinations) {
    lines.push(`${d.name.padEnd(18)} ${d.state.padEnd(11)} ${String(d.backlogEvents).padStart(14)}  ${mb(d.backlogBytes).padStart(13)}  ${age(d.oldestPendingAgeMs).padStart(14)}  ${String(d.delivered).padStart(9)}  ${String(d.deadLettered).padStart(12)}  ${String(d.dropped).padStart(7)}`);
    if (d.reason) lines.push(`  ${d.state === 'up' ? 'note' : 'why'}: ${d.reason}`);
    if (d.deadLettersOnDisk > 0) lines.push(`  ${d.deadLettersOnDisk} dead letter(s) in ${d.deadLetterFile}: siemgate buffer dlq list ${d.name}`);
    if (d.replaysWaiting > 0) lines.push(`  ${d.replaysWaiting} replay file(s) waiting to be sent`);
  }
  return lines.join('\n') + '\n';
}
