import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-file';

/**
 * The input side of the conservation ledger, kept across restarts:
 *   received = journaled + rejected_at_input + in_flight + lost_in_crash + cut_at_recovery
 * journaled is the journal's own count (its head), so it is right even after a crash; the rest is
 * saved every second and at stop. After an unclean stop the last save is reconciled with the
 * journal: events it had in flight that never reached the journal are `lost_in_crash` (the
 * window the fsync policy and the inputs' acknowledgements allow), records the recovery cut are
 * `cut_at_recovery`.
 */
export interface InputLedger {
  received: number;
  rejected: Record<string, Record<string, number>>;
  journaled: number;
  lostInCrash: number;
  cutAtRecovery: number;
  uncleanStops: number;
}

interface Saved extends InputLedger {
  inFlight: number;
  clean: boolean;
  savedAt: string;
}

export function ledgerPath(journalDir: string): string {
  return join(journalDir, 'ledger.json');
}

/** The ledger carried over from earlier runs, reconciled with the journal's head after recovery. */
/**
 * The ledger as the gateway last saved it, read as it stands (no recovery arithmetic: that needs
 * the journal's head, which only the gateway opening the journal knows). undefined: none yet.
 */
export function readSavedLedger(journalDir: string): InputLedger | undefined {
  try {
    const s = JSON.parse(readFileSync(ledgerPath(journalDir), 'utf8')) as Partial<Saved>;
    return {
      received: Number(s.received ?? 0), rejected: s.rejected ?? {}, journaled: Number(s.journaled ?? 0),
      lostInCrash: Number(s.lostInCrash ?? 0), cutAtRecovery: Number(s.cutAtRecovery ?? 0), uncleanStops: Number(s.uncleanStops ?? 0),
    };
  } catch {
    return undefined;
  }
}

export function loadLedger(journalDir: string, head: number): { base: InputLedger; note?: string } {
  const path = ledgerPath(journalDir);
  const empty: InputLedger = { received: head, rejected: {}, journaled: head, lostInCrash: 0, cutAtRecovery: 0, uncleanStops: 0 };
  if (!existsSync(path)) return { base: empty, note: head > 0 ? `no ledger found; starting it from the journal (${head} events)` : undefined };
  let s: Saved;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as Saved;
  } catch (err) {
    return { base: empty, note: `${path} cannot be read (${(err as Error).message}); the ledger restarts from the journal` };
  }
  const base: InputLedger = {
    received: s.received, rejected: s.rejected ?? {}, journaled: head,
    lostInCrash: s.lostInCrash ?? 0, cutAtRecovery: s.cutAtRecovery ?? 0, uncleanStops: s.uncleanStops ?? 0,
  };
  if (s.clean && s.journaled === head) return { base };
  base.uncleanStops++;
  const after = head - s.journaled; // journaled after the last save (negative: records were cut)
  if (after >= 0) {
    // what was in flight at the save either reached the journal after it, or was lost
    const lost = Math.max(0, s.inFlight - after);
    base.received = s.received + Math.max(0, after - s.inFlight);
    base.lostInCrash += lost;
  } else {
    base.cutAtRecovery += -after;
    base.lostInCrash += s.inFlight;
  }
  return {
    base,
    note: `the previous run did not stop cleanly: ${Math.max(0, after)} events reached the journal after the last ledger save, ` +
      `${base.lostInCrash - (s.lostInCrash ?? 0)} received events never did (lost in the crash window), ${Math.max(0, -after)} were cut by recovery`,
  };
}

export function saveLedger(journalDir: string, l: InputLedger, inFlight: number, clean: boolean): void {
  writeFileAtomic(ledgerPath(journalDir), ledgerText(l, inFlight, clean));
}

/** The periodic save, off the main thread (the final one at stop is saveLedger). */
export function saveLedgerAsync(journalDir: string, l: InputLedger, inFlight: number): Promise<void> {
  return writeFileAtomicAsync(ledgerPath(journalDir), ledgerText(l, inFlight, false));
}

function ledgerText(l: InputLedger, inFlight: number, clean: boolean): string {
  const s: Saved = { ...l, inFlight, clean, savedAt: new Date().toISOString() };
  return JSON.stringify(s);
}
