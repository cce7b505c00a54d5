import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { E } from './errors';

/**
 * One gateway per data_dir: two writers on one journal would interleave records. The lock is a
 * pid file created exclusively; one left by a process that no longer runs is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'gateway.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => { try { unlinkSync(path); } catch { /* gone already */ } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = runningPid(dataDir);
      if (pid !== undefined && pid !== process.pid) throw E.DATA_DIR_LOCKED(dataDir, pid);
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw E.DATA_DIR_LOCKED(dataDir, -1);
}

/** The pid of the gateway running on this data_dir, if one is. */
export function runningPid(dataDir: string): number | undefined {
  const path = join(dataDir, 'gateway.pid');
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
