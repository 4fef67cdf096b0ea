/**
 * The contract every sink keeps, as a vitest suite a sink's test runs against a real destination
 * on this machine: pushed records arrive; records wait while the destination is down and arrive
 * once it is back; `shutdown()` flushes, holds its deadline and is idempotent; a push after it is
 * dropped and counted; and `stats()` and the `meshlog_sink_*` metrics account for every record.
 * What a sink does beyond that (rotation, reconnects, OTLP status codes) its own tests cover.
 *
 * The test gives a `makeSink` that opens a destination (up, or down until `recover()`), creates
 * the sink against it with the queue options the contract asks for, and reads back which records
 * arrived. Records are named by number so that every sink can say which ones it got.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../telemetry/metrics.js';
import type { DeliveryStats, QueueOptions } from '../shared/delivery-queue.js';
import type { Sink } from '../types.js';
import { until } from './until.js';

export interface ContractSetup {
  /** The sink's metrics: pass them to `create()` as `deps.metrics`. */
  readonly metrics: Metrics;
  /** Open the destination unavailable (nothing listening, no directory) until `recover()`. */
  readonly down: boolean;
  /** Queue options the case needs (fast retries, a long flush interval, a small queue): pass them to `create()`. */
  readonly options: Partial<QueueOptions>;
}

export interface ContractSubject<R> {
  readonly sink: Sink<R>;
  /** Record number `id`, as the sink takes it. */
  record(id: number): R;
  /** The numbers of the records the destination holds, in arrival order (a resent batch may repeat some). */
  delivered(): Promise<number[]>;
  /** Makes a destination opened down available. */
  recover(): Promise<void>;
  /** Releases the destination; called after the sink's shutdown. */
  close(): Promise<void>;
}

export type MakeSink<R> = (setup: ContractSetup) => Promise<ContractSubject<R>>;

/** Retries every few milliseconds, so that a recovered destination is used at once. */
const fast: Partial<QueueOptions> = { flushIntervalMs: 5, retry: { initialMs: 10, maxMs: 50, multiplier: 2, jitter: 0 } };
/** Nothing leaves before a flush or shutdown asks for it. */
const held: Partial<QueueOptions> = { ...fast, flushIntervalMs: 60_000 };

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** The numbers once each, in the order they first arrived. */
const distinct = (delivered: readonly number[]) => [...new Set(delivered)];

const droppedTotal = (stats: DeliveryStats) => stats.dropped.overflow + stats.dropped.permanent + stats.dropped.shutdown;

/** Sum of a counter's samples whose labels include `labels`. */
async function counter(metrics: Metrics, name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const samples = metric?.values.filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value)) ?? [];
  return samples.reduce((sum, v) => sum + v.value, 0);
}

export function describeSinkContract<R>(name: string, makeSink: MakeSink<R>): void {
  describe(`${name} sink contract`, () => {
    const open: ContractSubject<R>[] = [];

    afterEach(async () => {
      for (const subject of open.splice(0)) {
        await subject.sink.shutdown(500);
        await subject.close();
      }
    });

    async function subject(down: boolean, options: Partial<QueueOptions>, metrics: Metrics = createMetrics()): Promise<ContractSubject<R>> {
      const made = await makeSink({ metrics, down, options });
      open.push(made);
      return made;
    }

    const push = (s: ContractSubject<R>, numbers: readonly number[]) => s.sink.push(numbers.map((id) => s.record(id)));

    /** Waits for the destination to hold as many records as expected (a sent batch may still be on the wire), then compares. */
    async function expectArrived(s: ContractSubject<R>, expected: readonly number[]): Promise<void> {
      await until(async () => distinct(await s.delivered()).length >= expected.length);
      expect(distinct(await s.delivered())).toEqual(expected);
    }

    it('delivers pushed records to the destination, in the order they were pushed', async () => {
      const s = await subject(false, fast);
      expect(push(s, ids(0, 4))).toBe(4);
      expect(push(s, ids(4, 6))).toBe(6);
      await expectArrived(s, ids(0, 10));
      await until(() => s.sink.stats().sent === 10);
      expect(s.sink.stats()).toMatchObject({ queued: 0, accepted: 10, sent: 10, dropped: { overflow: 0, permanent: 0, shutdown: 0 }, failing: 0 });
    });

    it('keeps records while the destination is down, retries, and delivers them once it is back', async () => {
      const s = await subject(true, fast);
      push(s, ids(0, 5));
      await until(() => s.sink.stats().retries >= 1 && s.sink.stats().errors >= 2);
      expect(s.sink.stats()).toMatchObject({ queued: 5, sent: 0 });
      expect(s.sink.stats().failing).toBeGreaterThan(0);
      expect(s.sink.stats().lastError).toBeTruthy();
      await s.recover();
      await until(() => s.sink.stats().sent === 5);
      await expectArrived(s, ids(0, 5));
      expect(s.sink.stats()).toMatchObject({ queued: 0, failing: 0, dropped: { overflow: 0, permanent: 0, shutdown: 0 } });
    });

    it('flushes what is queued on shutdown, and a second shutdown is the same one', async () => {
      const s = await subject(false, held);
      push(s, ids(0, 7));
      expect(s.sink.stats().queued).toBe(7);
      const first = s.sink.shutdown(5_000);
      const second = s.sink.shutdown(5_000);
      await Promise.all([first, second]);
      await s.sink.shutdown(5_000);
      await expectArrived(s, ids(0, 7));
      expect(s.sink.stats()).toMatchObject({ queued: 0, sent: 7, dropped: { shutdown: 0 } });
    });

    it('gives up at the shutdown deadline while the destination stays down, and counts what it kept as dropped', async () => {
      const s = await subject(true, fast);
      push(s, ids(0, 3));
      await s.sink.shutdown(100);
      expect(s.sink.stats()).toMatchObject({ queued: 0, sent: 0, dropped: { shutdown: 3 } });
      expect(await s.delivered()).toEqual([]);
    });

    it('refuses records pushed after shutdown and counts them as dropped', async () => {
      const s = await subject(false, fast);
      push(s, ids(0, 2));
      await s.sink.shutdown(5_000);
      expect(push(s, ids(2, 3))).toBe(0);
      expect(s.sink.stats()).toMatchObject({ accepted: 2, sent: 2, dropped: { shutdown: 3 } });
      await expectArrived(s, ids(0, 2));
    });

    it('accounts for every record in stats() and in its metrics: accepted, sent, dropped, errors, retries', async () => {
      const metrics = createMetrics();
      const s = await subject(true, { ...fast, maxQueued: 4 }, metrics);
      // Six records into room for four: two overflow.
      expect(push(s, ids(0, 6))).toBe(4);
      await until(() => s.sink.stats().errors >= 2);
      await s.recover();
      await until(() => s.sink.stats().sent === 4);
      push(s, ids(6, 2));
      await until(() => s.sink.stats().sent === 6);
      await s.sink.shutdown(5_000);
      push(s, ids(8, 1));

      const stats = s.sink.stats();
      // Nine pushed: six accepted and sent, two over the bound, one after shutdown.
      expect(stats).toMatchObject({ accepted: 6, sent: 6, queued: 0, dropped: { overflow: 2, permanent: 0, shutdown: 1 } });
      expect(stats.accepted + stats.dropped.overflow + stats.dropped.shutdown).toBe(9);
      await expectArrived(s, [...ids(0, 4), ...ids(6, 2)]);

      const sink = s.sink.name;
      expect(await counter(metrics, 'meshlog_sink_records_total', { sink, outcome: 'queued' })).toBe(stats.accepted);
      expect(await counter(metrics, 'meshlog_sink_records_total', { sink, outcome: 'sent' })).toBe(stats.sent);
      expect(await counter(metrics, 'meshlog_sink_records_total', { sink, outcome: 'dropped' })).toBe(droppedTotal(stats));
      // Errors carry the sink's type, never its destination (a peer address in a label is a probe).
      expect(await counter(metrics, 'meshlog_sink_errors_total', { type: s.sink.type })).toBe(stats.errors);
      expect(await counter(metrics, 'meshlog_sink_retries_total', { type: s.sink.type })).toBe(stats.retries);
      expect((await metrics.registry.getSingleMetricAsString('meshlog_sink_errors_total')).includes(s.sink.destination)).toBe(false);
      expect(stats.errors).toBeGreaterThanOrEqual(2);
    });
  });
}
