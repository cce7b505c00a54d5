import { readFileSync } from 'node:fs';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Gateway } from '../gateway';
import type { RunningInput } from '../inputs/types';

/**
 * The gateway's Prometheus metrics (prom-client). Nothing is counted twice: every value is read
 * from the gateway's own counters when Prometheus scrapes (collect callbacks), so /metrics, the
 * ledger and `siemgate buffer status` always agree. Names follow Prometheus conventions: the
 * `siemgate_` prefix, `_total` for counters, seconds and bytes as base units.
 */
export function createMetrics(gw: Gateway): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'siemgate_' });
  const counter = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, v: number) => void) => void) => {
    const c: Counter = new Counter({
      name, help, labelNames, registers: [register],
      collect() { c.reset(); fill((labels, v) => { if (v > 0) c.inc(labels, v); else c.inc(labels, 0); }); },
    });
    return c;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, v: number) => void) => void) => {
    const g: Gauge = new Gauge({
      name, help, labelNames, registers: [register],
      collect() { g.reset(); fill((labels, v) => g.set(labels, v)); },
    });
    return g;
  };

  // inputs
  counter('siemgate_input_received_total', 'Messages received, per input (accepted or rejected).', ['input'], (set) => {
    const s = gw.ingest.stats();
    for (const i of gw.inputs) set({ input: i.name }, s.receivedByInput[i.name] ?? 0);
  });
  counter('siemgate_input_rejected_total', 'Messages refused at the input, per input and reason.', ['input', 'reason'], (set) => {
    for (const [input, byReason] of Object.entries(gw.ingest.stats().rejected)) {
      for (const [reason, n] of Object.entries(byReason)) set({ input, reason }, n ?? 0);
    }
  });
  counter('siemgate_input_truncated_total', 'Messages kept but cut at max_message_bytes, per input.', ['input'], (set) => {
    for (const [input, n] of Object.entries(gw.ingest.stats().truncatedByInput)) set({ input }, n);
  });
  counter('siemgate_input_bytes_total', 'Payload bytes read, per input.', ['input'], (set) => {
    for (const i of gw.inputs) set({ input: i.name }, i.counters.bytes);
  });
  gauge('siemgate_input_connections', 'Open connections, per stream input.', ['input'], (set) => {
    for (const i of gw.inputs) set({ input: i.name }, i.connections());
  });
  counter('siemgate_input_tls_handshake_failures_total', 'Failed TLS handshakes, per input.', ['input'], (set) => {
    for (const i of gw.inputs) if (i.kind.tls) set({ input: i.name }, i.counters.tlsHandshakeFailures);
  });
  counter('siemgate_input_http_auth_failures_total', 'HTTP requests refused for their token, per input.', ['input'], (set) => {
    for (const i of gw.inputs) if (i.kind.type === 'http') set({ input: i.name }, i.counters.httpAuthFailures);
  });
  counter('siemgate_input_connections_refused_total', 'Connections refused because max_connections were open, per stream input.', ['input'], (set) => {
    for (const i of gw.inputs) if (isStream(i)) set({ input: i.name }, i.counters.connectionsRefused);
  });
  counter('siemgate_input_idle_timeouts_total', 'Connections closed after idle_timeout_ms without data, per stream input.', ['input'], (set) => {
    for (const i of gw.inputs) if (isStream(i)) set({ input: i.name }, i.counters.idleTimeouts);
  });
  counter('siemgate_input_http_requests_total', 'HTTP requests, per input.', ['input'], (set) => {
    for (const i of gw.inputs) if (i.kind.type === 'http') set({ input: i.name }, i.counters.httpRequests);
  });
  counter('siemgate_input_http_refused_requests_total', 'HTTP requests refused whole, per input and answer: 400 (bad body, gzip or event), 413 (over max_body_bytes), 415 (a Content-Encoding other than gzip), 503 (the journal or pipeline is full; sent again by the client).', ['input', 'status'], (set) => {
    for (const i of gw.inputs) {
      const c = i.counters;
      if (i.kind.type !== 'http') continue;
      set({ input: i.name, status: '400' }, c.httpBadRequests);
      set({ input: i.name, status: '413' }, c.httpTooLarge);
      set({ input: i.name, status: '415' }, c.httpUnsupported);
      set({ input: i.name, status: '503' }, c.httpBusy);
    }
  });
  counter('siemgate_udp_kernel_receive_errors_total', 'Datagrams the kernel dropped for want of receive buffer (Linux /proc/net/snmp Udp RcvbufErrors, all sockets of this host).', [], (set) => {
    const v = udpRcvbufErrors();
    if (v !== undefined) set({}, v);
  });

  // destinations
  const perDest = (name: string, help: string, pick: (s: ReturnType<Gateway['delivery']['statuses']>[number]) => number, kind: 'counter' | 'gauge') =>
    (kind === 'counter' ? counter : gauge)(name, help, ['destination'], (set) => {
      for (const s of gw.delivery.statuses()) set({ destination: s.name }, pick(s));
    });
  perDest('siemgate_destination_delivered_total', 'Events the destination acknowledged.', (s) => s.ledger.delivered, 'counter');
  perDest('siemgate_destination_dead_lettered_total', 'Events the destination refused for good (in the dead-letter file).', (s) => s.ledger.deadLettered, 'counter');
  perDest('siemgate_destination_dropped_total', 'Events skipped because the journal was full (when_full: drop_oldest).', (s) => s.ledger.dropped, 'counter');
  perDest('siemgate_destination_filtered_total', 'Events the destination\'s where: left out.', (s) => s.ledger.filtered, 'counter');
  perDest('siemgate_destination_retries_total', 'Events sent again after an attempt that failed or was refused as busy (one per event per retry; requests are in siemgate_destination_request_duration_seconds_count).', (s) => s.retries, 'counter');
  perDest('siemgate_destination_pending_events', 'Events journaled and not yet delivered.', (s) => s.ledger.pending, 'gauge');
  perDest('siemgate_destination_pending_bytes', 'Journal bytes not yet delivered.', (s) => s.pendingBytes, 'gauge');
  perDest('siemgate_destination_oldest_pending_age_seconds', 'Age of the oldest event not yet delivered.', (s) => s.oldestPendingAgeMs / 1000, 'gauge');
  gauge('siemgate_destination_state', '1 for the destination\'s current state (up, degraded, down).', ['destination', 'state'], (set) => {
    for (const s of gw.delivery.statuses()) for (const st of ['up', 'degraded', 'down']) set({ destination: s.name, state: st }, s.state === st ? 1 : 0);
  });

  // request durations: the dispatchers keep the bucket counts; exposed as a Prometheus histogram
  register.registerMetric({
    name: 'siemgate_destination_request_duration_seconds',
    help: 'How long each destination took to answer a request (sent to answered or failed).',
    type: 'histogram',
    get: async () => {
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      for (const s of gw.delivery.statuses()) {
        const h = s.requestSeconds;
        let cumulative = 0;
        h.bounds.forEach((le, i) => {
          cumulative += h.counts[i];
          values.push({ metricName: 'siemgate_destination_request_duration_seconds_bucket', labels: { destination: s.name, le }, value: cumulative });
        });
        values.push({ metricName: 'siemgate_destination_request_duration_seconds_bucket', labels: { destination: s.name, le: '+Inf' }, value: h.count });
        values.push({ metricName: 'siemgate_destination_request_duration_seconds_sum', labels: { destination: s.name }, value: h.sum });
        values.push({ metricName: 'siemgate_destination_request_duration_seconds_count', labels: { destination: s.name }, value: h.count });
      }
      return { name: 'siemgate_destination_request_duration_seconds', help: 'How long each destination took to answer a request (sent to answered or failed).', type: 'histogram', values, aggregator: 'sum' };
    },
    reset: () => undefined,
  } as unknown as Parameters<Registry['registerMetric']>[0]);

  // journal and ledger
  gauge('siemgate_journal_bytes', 'Bytes on disk in the journal.', [], (set) => set({}, gw.journal.bytes()));
  gauge('siemgate_journal_segments', 'Journal segment files.', [], (set) => set({}, gw.journal.segments().length));
  counter('siemgate_events_received_total', 'Events received by all inputs (the ledger).', [], (set) => set({}, gw.ledger().received));
  counter('siemgate_events_journaled_total', 'Events written to the journal (the ledger).', [], (set) => set({}, gw.ledger().journaled));
  gauge('siemgate_ledger_unaccounted_events', 'received − journaled − rejected − in flight (0 when nothing is lost); per destination, journaled − delivered − pending − dead-lettered − dropped − filtered.', ['scope'], (set) => {
    const l = gw.ledger();
    set({ scope: 'inputs' }, l.unaccounted);
    for (const [d, v] of Object.entries(l.destinations)) set({ scope: d }, v.unaccounted);
  });
  // alerts and reports
  gauge('siemgate_alert_firing', 'Alerts firing now, per rule (1 per key the rule fires for, e.g. per silent source).', ['rule', 'type'], (set) => {
    const firing = new Map<string, { type: string; n: number }>();
    for (const a of gw.alerts()) {
      const f = firing.get(a.rule) ?? { type: a.type, n: 0 };
      if (a.state === 'firing') f.n++;
      firing.set(a.rule, f);
    }
    for (const [rule, f] of firing) set({ rule, type: f.type }, f.n);
  });
  gauge('siemgate_report_last_run_timestamp_seconds', 'When each scheduled report last ran (Unix time), and whether every delivery of it succeeded (ok label).', ['report', 'ok'], (set) => {
    for (const r of gw.nextReports()) if (r.last_run !== undefined) set({ report: r.name, ok: r.last_run.failed.length === 0 ? 'true' : 'false' }, Date.parse(r.last_run.at) / 1000);
  });
  return register;
}

/** A syslog stream input (TCP or TLS): the one kind with connection limits and idle timeouts. */
function isStream(i: RunningInput): boolean {
  return i.kind.type === 'syslog_tcp' || i.kind.type === 'syslog_tls';
}

function udpRcvbufErrors(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    if (lines.length < 2) return undefined;
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    const i = names.indexOf('RcvbufErrors');
    return i < 0 ? undefined : Number(values[i]);
  } catch {
    return undefined; // not Linux
  }
}
