import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Segment files are named after the ordinal of their first event, zero-padded so that names sort
 * in journal order: the event count of a sealed segment is the next one's first ordinal minus its
 * own, known without reading it.
 */
export interface SegmentInfo {
  first: number;
  path: string;
  bytes: number;
}

const SUFFIX = '.seg';

export function segmentName(first: number): string {
  return `${String(first).padStart(16, '0')}${SUFFIX}`;
}

/** Segment files in `dir`, oldest first (their sizes are filled in by the caller). */
export function listSegments(dir: string): SegmentInfo[] {
  const out: SegmentInfo[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(SUFFIX)) continue;
    const first = Number(name.slice(0, -SUFFIX.length));
    if (!Number.isSafeInteger(first)) continue;
    out.push({ first, path: join(dir, name), bytes: 0 });
  }
  return out.sort((a, b) => a.first - b.first);
}
