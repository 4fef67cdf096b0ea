/**
 * Prometheus metrics of one meshlog process, on a registry of its own (tests run several).
 *
 * Counters that the ingest path touches are pre-bound to their label values once, and are
 * incremented per batch, never per entry. Every label value known in advance (reasons, kinds,
 * outcomes) is exported at 0 from the start, so `rate()` and alerts see a series before the first
 * event. Node's and the process's own metrics keep their standard names (`process_*`,
 * `nodejs_*`), so stock dashboards work. docs/operations/monitoring.md lists every metric and
 * where it is observed.
 */
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { buildInfo } from './build-info.js';

/** One registry's metrics as `getMetricsAsJSON()` gives them (what crosses from a worker thread). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Why an ALS stream was refused or ended in error. */
export type AlsErrorReason = 'malformed' | 'missing_identifier' | 'oversized' | 'too_many_streams' | 'not_stored' | 'internal';

/** Why an accepted entry was lost (`meshlog_entries_dropped_total{reason}`). */
export const dropReasons = ['malformed', 'routing_error', 'format_error', 'internal'] as const;

/** Which read of the store a query served (`meshlog_query_duration_seconds{query}`). */
export type QueryName = 'gloo' | 'logs' | 'follow_backfill' | 'request';

/** Seconds: from a millisecond up to the half minute a stuck writer or a huge scan may take. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

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
  const perProcess = options.defaultMetrics ?? true;
  if (perProcess) collectDefaultMetrics({ register: registry });
  /** Other registries' metrics (worker threads'), summed into this one's exposition. */
  const sources: Array<() => Promise<MetricsJson[]>> = [];
  const registers = [registry];

  // Once per process, like the default metrics: summed over worker threads it would say 1 + workers.
  if (perProcess) {
    const build = buildInfo();
    new Gauge({
      name: 'meshlog_build_info',
      help: 'Always 1; the labels say which meshlog and which Node.js this process runs.',
      labelNames: ['version', 'node_version'],
      registers,
    })
      .labels(build.version, build.node)
      .set(1);
  }

  const commitSeconds = new Histogram({
    name: 'meshlog_ingest_commit_seconds',
    help: 'Seconds from the arrival of an ALS message to the commit of its collected entries in the store.',
    buckets: latencyBuckets,
    registers,
  });
  const querySeconds = new Histogram({
    name: 'meshlog_query_duration_seconds',
    help: 'Seconds a read of the store took, by query: gloo (/v0), logs, follow_backfill, request (one request id).',
    labelNames: ['query'],
    buckets: latencyBuckets,
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'meshlog_http_request_duration_seconds',
    help: 'Seconds from an HTTP request to its response headers, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'code'],
    buckets: latencyBuckets,
    registers,
  });

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

  // Known label values start at 0 (`labels()` alone exports nothing until the first `inc`).
  for (const child of Object.values(alsErrorChildren)) child.inc(0);
  for (const reason of dropReasons) dropped.labels(reason).inc(0);
  const streamsV2 = streams.labels('v2');
  const streamsV3 = streams.labels('v3');
  const bound = {
    receivedHttp: received.labels('http'),
    receivedTcp: received.labels('tcp'),
    collectedHttp: collected.labels('http'),
    collectedTcp: collected.labels('tcp'),
  };
  for (const child of [streamsV2, streamsV3, ...Object.values(bound)]) child.inc(0);
  for (const query of ['gloo', 'logs', 'follow_backfill', 'request'] satisfies QueryName[]) querySeconds.zero({ query });

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
      streamsV2,
      streamsV3,
      messages,
      errors: alsErrorChildren,
    },
    entries: {
      ...bound,
      notSelected,
      dropped,
      repairedUtf8: repaired.labels('invalid_utf8'),
      clampedFuture: repaired.labels('future_start'),
      /** What has arrived and what was kept, for the "none selected" hint of `meshlog logs`. */
      async totals(): Promise<{ received: number; collected: number; notSelected: number }> {
        // Summed with the sources: ingest workers count what they collect in registries of their own.
        const all = [await registry.getMetricsAsJSON(), ...(await Promise.all(sources.map((read) => read()))).flat()].flat();
        const sum = (name: string) => all.filter((m) => m.name === name).reduce((total, m) => total + m.values.reduce((t, v) => t + v.value, 0), 0);
        return {
          received: sum('meshlog_entries_received_total'),
          collected: sum('meshlog_entries_collected_total'),
          notSelected: sum('meshlog_entries_not_selected_total'),
        };
      },
    },
    /** Observe with the seconds from `AlsBatch.receivedAt` to the commit of the batch's rows. */
    ingestCommitSeconds: commitSeconds,
    /** Starts timing a store read; call the result when the answer is in. */
    timeQuery(query: QueryName): () => void {
      const end = querySeconds.startTimer({ query });
      return () => {
        end();
      };
    },
    httpRequestSeconds: httpSeconds,
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
    /** A counter (name ending in `_total`) that follows a running total kept elsewhere, read at scrape time. */
    counter(name: string, help: string, read: () => number): void {
      let last = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = read();
          // A total that went down (its owner restarted) starts the counter again from there.
          if (now >= last) this.inc(now - last);
          last = now;
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
