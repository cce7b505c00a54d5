import type { DestinationLedger } from '../delivery/dispatcher';
import type { InputLedger } from '../journal/ledger';
import type { IngestStats } from '../pipeline/ingest';

/**
 * The conservation ledger at one instant: where every event the gateway ever received is.
 * Input side: received = journaled + rejected + in_flight + lost_in_crash + cut_at_recovery.
 * Each destination: journaled = delivered + filtered + dead_lettered + dropped + pending.
 * Each term is counted where it happens (inputs, pipeline, journal writer, dispatchers), so a
 * balance is a check, not a definition.
 */
export interface Ledger {
  received: number;
  journaled: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  inFlight: number;
  lostInCrash: number;
  cutAtRecovery: number;
  uncleanStops: number;
  /** received minus every other term: 0 when nothing is unaccounted for. */
  unaccounted: number;
  destinations: Record<string, DestinationLedger & { unaccounted: number }>;
}

export function mergeRejected(base: Record<string, Record<string, number>>,
  live: IngestStats['rejected']): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const src of [base, live]) {
    for (const [input, byReason] of Object.entries(src)) {
      const o = (out[input] ??= {});
      for (const [reason, n] of Object.entries(byReason)) o[reason] = (o[reason] ?? 0) + (n ?? 0);
    }
  }
  return out;
}

export function computeLedger(base: InputLedger, s: IngestStats, journaled: number, queuedInJournal: number,
  destinations: Array<{ name: string; ledger: DestinationLedger }>): Ledger {
  const rejectedAll = mergeRejected(base.rejected, s.rejected);
  const byReason: Record<string, number> = {};
  let rejected = 0;
  for (const r of Object.values(rejectedAll)) {
    for (const [reason, n] of Object.entries(r)) {
      byReason[reason] = (byReason[reason] ?? 0) + n;
      rejected += n;
    }
  }
  const received = base.received + s.received;
  const inFlight = s.inFlight + queuedInJournal;
  const dest: Ledger['destinations'] = {};
  for (const d of destinations) {
    const l = d.ledger;
    dest[d.name] = { ...l, unaccounted: l.journaled - l.delivered - l.filtered - l.deadLettered - l.dropped - l.pending };
  }
  return {
    received, journaled, rejected, rejectedByReason: byReason, inFlight,
    lostInCrash: base.lostInCrash, cutAtRecovery: base.cutAtRecovery, uncleanStops: base.uncleanStops,
    unaccounted: received - journaled - rejected - inFlight - base.lostInCrash - base.cutAtRecovery,
    destinations: dest,
  };
}
