/**
 * Prometheus metrics of one meshlog process, on a registry of its own (tests run several).
 *
 * Counters that the ingest path touches are pre-bound to their label values once, and are
 * incremented per batch, never per entry.
 */
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry's metrics as `getMetricsAsJSON()` gives them (what crosses from a worker thread). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Why an ALS stream was refused or ended in error. */
export type AlsErrorReason = 'malformed' | 'missing_identifier' | 'oversized' | 'too_many_streams' | 'not_stored' | 'internal';

/** One sink's counters, pre-bound to its `sink` label (`type:destination`). */
export interface SinkMetrics {
  readonly queued: Counter.Internal;
  readonly sent: Counter.Internal;
  readonly dropped: Counter.Internal;
  readonly errors: Counter.Internal;
  readonly retries: Counter.Internal;
  /** Stops reporting the sink's queue depth (the sink has shut down). */
  release(): void;
}

export interface MetricsOptions {
  /** Process and Node.js metrics: once per process (not in worker threads, which share the process). */
  readonly defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'meshlog_' });
  /** Other registries' metrics (worker threads'), summed into this one's exposition. */
  const sources: Array<() => Promise<MetricsJson[]>> = [];
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
  const repaired = new Counter({
    name: 'meshlog_entries_repaired_total',
    help: 'Entries kept after a repair, by reason: invalid_utf8 (bad bytes replaced), future_start (start time after receipt, clamped).',
    labelNames: ['reason'],
    registers,
  });
  const watchDropped = new Counter({
    name: 'meshlog_watch_dropped_total',
    help: 'Entries not delivered to a watcher that could not keep up.',
    registers,
  });

  const sinkRecords = new Counter({
    name: 'meshlog_sink_records_total',
    help: 'Formatted records handed to a sink, by outcome: queued (accepted), sent, dropped.',
    labelNames: ['sink', 'outcome'],
    registers,
  });
  // Errors are counted by sink type, not by destination: a peer's address in a label would let
  // whoever can write a policy probe the network through /metrics (which needs no token).
  const sinkErrors = new Counter({
    name: 'meshlog_sink_errors_total',
    help: 'Failed batch writes of sinks of a type (each retry that fails counts again).',
    labelNames: ['type'],
    registers,
  });
  const sinkRetries = new Counter({
    name: 'meshlog_sink_retries_total',
    help: 'Batch writes sinks of a type attempted again after a failure.',
    labelNames: ['type'],
    registers,
  });
  // Depth is read from each sink at scrape time, so the hot path never touches the gauge.
  const sinkDepthReaders = new Map<string, () => number>();
  new Gauge({
    name: 'meshlog_sink_queue_depth',
    help: 'Records a sink has accepted and not yet written or dropped.',
    labelNames: ['sink'],
    registers,
    collect() {
      this.reset();
      for (const [sink, read] of sinkDepthReaders) this.labels(sink).set(read());
    },
  });

  const alsErrorChildren = {
    malformed: alsErrors.labels('malformed'),
    missing_identifier: alsErrors.labels('missing_identifier'),
    oversized: alsErrors.labels('oversized'),
    too_many_streams: alsErrors.labels('too_many_streams'),
    not_stored: alsErrors.labels('not_stored'),
    internal: alsErrors.labels('internal'),
  } satisfies Record<AlsErrorReason, Counter.Internal>;

  return {
    registry,
    /** Adds registries whose metrics the exposition sums with these (each ingest worker's). */
    addSource(read: () => Promise<MetricsJson[]>): void {
      sources.push(read);
    },
    /** The Prometheus text exposition: this registry's metrics, summed with every source's. */
    async exposition(): Promise<{ contentType: string; text: string }> {
      if (sources.length === 0) return { contentType: registry.contentType, text: await registry.metrics() };
      const parts = [await registry.getMetricsAsJSON(), ...(await Promise.all(sources.map((read) => read()))).flat()];
      const aggregated = AggregatorRegistry.aggregate(parts);
      return { contentType: registry.contentType, text: await aggregated.metrics() };
    },
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
      repairedUtf8: repaired.labels('invalid_utf8'),
      clampedFuture: repaired.labels('future_start'),
    },
    watchDropped,
    sinks: {
      /** Binds the counters to one sink and reports `depth()` as its queue depth until released. */
      bind(sink: string, depth: () => number): SinkMetrics {
        sinkDepthReaders.set(sink, depth);
        return {
          queued: sinkRecords.labels(sink, 'queued'),
          sent: sinkRecords.labels(sink, 'sent'),
          dropped: sinkRecords.labels(sink, 'dropped'),
          errors: sinkErrors.labels(sinkType(sink)),
          retries: sinkRetries.labels(sinkType(sink)),
          release() {
            if (sinkDepthReaders.get(sink) === depth) sinkDepthReaders.delete(sink);
          },
        };
      },
    },
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

/** `tcp` of `tcp:10.0.0.5:5140`: a sink's name is `type:destination`. */
function sinkType(sink: string): string {
  const colon = sink.indexOf(':');
  return colon < 0 ? sink : sink.slice(0, colon);
}
