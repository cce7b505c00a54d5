import { join } from 'node:path';
import { describeTarget, openConnector } from '../../connectors';
import type { Config } from '../config/types';
import { loadCursors, newCursor, removeCursor, saveCursor, saveCursorAsync, type CursorState } from '../journal/cursors';
import type { Journal } from '../journal/journal';
import { log } from '../observe/log';
import type { Connector } from './connector';
import { openDeadLetters } from './dead-letters';
import { startDispatcher, type DestinationStatus, type Dispatcher } from './dispatcher';
import { compileWhere } from './where';

/** Every destination's dispatcher over one journal, and the journal's retention. */
export interface Delivery {
  statuses(): DestinationStatus[];
  stop(graceMs: number): Promise<void>;
}

export async function startDelivery(cfg: Config, journal: Journal): Promise<Delivery> {
  const cursors = loadCursors(journal.dir);
  const connectors: Connector[] = [];
  try {
    for (const d of cfg.destinations) connectors.push(await openConnector(d));
  } catch (err) {
    await Promise.allSettled(connectors.map((c) => c.close()));
    throw err;
  }

  // A destination no longer configured releases its place: the journal is no longer kept for it.
  const configured = new Set(cfg.destinations.map((d) => d.name));
  for (const name of cursors.keys()) {
    if (configured.has(name)) continue;
    removeCursor(journal.dir, name);
    cursors.delete(name);
    log.info(`destination ${name} is no longer configured: its journal cursor is removed and the segments it held are released`);
  }

  const savedSeq = new Map<string, number>();
  async function save(c: CursorState): Promise<void> {
    await saveCursorAsync(journal.dir, c);
    savedSeq.set(c.destination, c.position.seq);
    const min = Math.min(...savedSeq.values());
    journal.release(min);
    // everything read: a full current segment is rolled so that it can go too
    if (min === journal.head()) void journal.rollIfFull().then(() => journal.release(min));
  }

  const dispatchers: Dispatcher[] = [];
  cfg.destinations.forEach((d, i) => {
    let cursor = cursors.get(d.name);
    const end = journal.end();
    if (cursor === undefined) {
      // New destinations start at the head: they get what arrives from now on, not the backlog.
      cursor = newCursor(d.name, end);
      log.info(`destination ${d.name} is new: it starts at the journal head (event ${end.seq}); events journaled before it was added are not sent to it`);
      saveCursor(journal.dir, cursor);
    } else if (cursor.position.seq > end.seq) {
      log.warn(`destination ${d.name}: its cursor (event ${cursor.position.seq}) is past the journal's end (${end.seq}) after recovery cut the tail; it resumes at the end`);
      cursor = { ...cursor, position: end };
    }
    savedSeq.set(d.name, cursor.position.seq);
    dispatchers.push(startDispatcher({
      name: d.name, dataDir: cfg.dataDir, connector: connectors[i], journal, cursor,
      saveCursor: save, deadLetters: openDeadLetters(cfg.dataDir, d.name),
      batch: d.batch, retry: d.retry, concurrency: d.concurrency, where: compileWhere(d.where),
    }));
    log.info(`destination ${d.name} (${d.type}) sending to ${describeTarget(d)} from event ${cursor.position.seq}`);
  });
  journal.release(Math.min(...savedSeq.values()));

  return {
    statuses: () => dispatchers.map((d) => d.status()),
    async stop(graceMs) {
      await Promise.all(dispatchers.map((d) => d.stop(graceMs)));
    },
  };
}

export function journalDir(dataDir: string): string {
  return join(dataDir, 'journal');
}
