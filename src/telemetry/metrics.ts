/**
 * Prometheus metrics of one meshlog process, on a registry of its own (tests run several).
 *
 * Counters that the ingest path touches are pre-bound to their label values once, and are
 * incremented per batch, never per entry.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Why an ALS stream was refused or ended in error. */
export type AlsErrorReason = 'malformed' | 'missing_identifier' | 'oversized' | 'too_many_streams' | 'internal';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshlog_' });
  const registers = [registry];

  const streams = new Counter({
    name: 'meshlog_als_streams_total',
    help: 'ALS streams opened, by API version.',
    labelNames: ['api_version'],
    registers,
  });
  const messages = new Counter({ name: 'meshlog_als_messages_total', help: 'ALS messages received.', registers });
  const alsErrors = new Counter({
    name: 'meshlog_als_errors_total',
    help: 'ALS streams ended with an error, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const received = new Counter({
    name: 'meshlog_entries_received_total',
    help: 'Access log entries received from Envoy, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const collected = new Counter({
    name: 'meshlog_entries_collected_total',
    help: 'Entries collected into the store because an AccessLogRecord selected them, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const notSelected = new Counter({
    name: 'meshlog_entries_not_selected_total',
    help: 'Entries received that no AccessLogRecord selected (not an error).',
    registers,
  });
  const dropped = new Counter({
    name: 'meshlog_entries_dropped_total',
    help: 'Entries accepted but lost, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const watchDropped = new Counter({
    name: 'meshlog_watch_dropped_total',
    help: 'Entries not delivered to a watcher that could not keep up.',
    registers,
  });

  const alsErrorChildren = {
    malformed: alsErrors.labels('malformed'),
    missing_identifier: alsErrors.labels('missing_identifier'),
    oversized: alsErrors.labels('oversized'),
    too_many_streams: alsErrors.labels('too_many_streams'),
    internal: alsErrors.labels('internal'),
  } satisfies Record<AlsErrorReason, Counter.Internal>;

  return {
    registry,
    als: {
      streamsV2: streams.labels('v2'),
      streamsV3: streams.labels('v3'),
      messages,
      errors: alsErrorChildren,
    },
    entries: {
      receivedHttp: received.labels('http'),
      receivedTcp: received.labels('tcp'),
      collectedHttp: collected.labels('http'),
      collectedTcp: collected.labels('tcp'),
      notSelected,
      dropped,
    },
    watchDropped,
    /** A gauge whose value is read from `read()` at scrape time. */
    gauge(name: string, help: string, read: () => number): void {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
