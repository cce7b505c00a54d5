import type { WhereConfig } from '../config/types';
import type { JournalEvent } from '../journal/event-record';

/**
 * A destination's `where`, compiled once: a plain predicate over the record's keys (no document
 * parsing on the send path). Every key given must match one of its values.
 */
export function compileWhere(w: WhereConfig | undefined): ((ev: JournalEvent) => boolean) | undefined {
  if (w === undefined) return undefined;
  const tests: Array<(ev: JournalEvent) => boolean> = [];
  for (const [key, values] of Object.entries(w) as Array<[keyof WhereConfig, string[] | undefined]>) {
    if (values === undefined) continue;
    const set = new Set(values);
    if (key === 'format') tests.push((ev) => set.has(ev.format));
    else tests.push((ev) => { const v = ev.keys[key]; return v !== undefined && set.has(v); });
  }
  return (ev) => {
    for (const t of tests) if (!t(ev)) return false;
    return true;
  };
}
