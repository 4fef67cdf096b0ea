/**
 * The delivery queue in-process, against scripted writers: batching, bounds, retries, permanent
 * errors, flush, and shutdown with and without a peer that answers.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../telemetry/metrics.js';
import { until } from '../testing/until.js';
import { backoffDelay } from './backoff.js';
import { PermanentDeliveryError } from './delivery-errors.js';
import { createDeliveryQueue, type DeliveryQueueOptions } from './delivery-queue.js';

const fastRetry = { initialMs: 5, maxMs: 20, multiplier: 2, jitter: 0 };

/** A value of a metric with the given labels, from the registry's text exposition. */
async function metricValue(metrics: Metrics, name: string, labels: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

function recorder(options: Partial<DeliveryQueueOptions<number>> = {}) {
  const batches: number[][] = [];
  const queue = createDeliveryQueue<number>({
    name: 'test:queue',
    maxQueued: 100,
    maxBatch: 10,
    flushIntervalMs: 10,
    retry: fastRetry,
    async write(batch) {
      batches.push([...batch]);
    },
    ...options,
  });
  return { queue, batches };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, and jitter only shortens it', () => {
    const policy = { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0 };
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const jittered = { ...policy, jitter: 0.5 };
    expect(backoffDelay(jittered, 2, () => 0)).toBe(200);
    expect(backoffDelay(jittered, 2, () => 0.999999)).toBe(100);
  });
});

describe('createDeliveryQueue', () => {
  it('writes full batches at once and a partial one after the interval, in order', async () => {
    const { queue, batches } = recorder({ flushIntervalMs: 50 });
    expect(queue.push(Array.from({ length: 25 }, (_, i) => i))).toBe(25);
    await until(() => batches.flat().length === 25);
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(batches.every((b) => b.length <= 10)).toBe(true);

    const started = Date.now();
    queue.push([100]);
    await until(() => batches.flat().includes(100));
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(queue.stats()).toMatchObject({ queued: 0, accepted: 26, sent: 26, errors: 0 });
  });

  it('accepts what fits and counts the overflow as dropped, in stats and metrics', async () => {
    const metrics = createMetrics();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = createDeliveryQueue<number>({
      name: 'tcp:127.0.0.1:9',
      maxQueued: 5,
      maxBatch: 2,
      flushIntervalMs: 1,
      retry: fastRetry,
      metrics,
      write: () => gate,
    });
    expect(queue.push([1, 2, 3, 4, 5, 6, 7, 8])).toBe(5);
    expect(queue.stats()).toMatchObject({ queued: 5, accepted: 5, dropped: { overflow: 3, permanent: 0, shutdown: 0 } });
    expect(await metricValue(metrics, 'meshlog_sink_queue_depth', 'sink="tcp:127.0.0.1:9"')).toBe(5);
    release();
    expect(await queue.flush()).toBe(true);
    expect(await metricValue(metrics, 'meshlog_sink_records_total', 'sink="tcp:127.0.0.1:9",outcome="queued"')).toBe(5);
    expect(await metricValue(metrics, 'meshlog_sink_records_total', 'sink="tcp:127.0.0.1:9",outcome="sent"')).toBe(5);
    expect(await metricValue(metrics, 'meshlog_sink_records_total', 'sink="tcp:127.0.0.1:9",outcome="dropped"')).toBe(3);
    expect(await metricValue(metrics, 'meshlog_sink_queue_depth', 'sink="tcp:127.0.0.1:9"')).toBe(0);
    await queue.shutdown(100);
    // A shut-down sink no longer reports a depth.
    expect(await metricValue(metrics, 'meshlog_sink_queue_depth', 'sink="tcp:127.0.0.1:9"')).toBeUndefined();
  });

  it('retries a failed batch with backoff until it goes through, losing nothing', async () => {
    const metrics = createMetrics();
    let failures = 3;
    const attempts: number[][] = [];
    const queue = createDeliveryQueue<number>({
      name: 'file:/x',
      maxQueued: 100,
      maxBatch: 10,
      flushIntervalMs: 1,
      retry: fastRetry,
      metrics,
      async write(batch) {
        attempts.push([...batch]);
        if (failures-- > 0) throw Object.assign(new Error('no such directory'), { code: 'ENOENT' });
      },
    });
    queue.push([1, 2, 3]);
    await until(() => queue.stats().sent === 3);
    expect(attempts).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(queue.stats()).toMatchObject({ errors: 3, retries: 3, failing: 0, lastError: 'ENOENT: no such directory' });
    expect(await metricValue(metrics, 'meshlog_sink_errors_total', 'type="file"')).toBe(3);
    expect(await metricValue(metrics, 'meshlog_sink_retries_total', 'type="file"')).toBe(3);
  });

  it('drops a batch the peer refuses for good and goes on with the next', async () => {
    const sent: number[] = [];
    const { queue } = recorder({
      maxBatch: 2,
      async write(batch) {
        if (batch.includes(3)) throw new PermanentDeliveryError('INVALID_ARGUMENT');
        sent.push(...batch);
      },
    });
    queue.push([1, 2, 3, 4, 5, 6]);
    expect(await queue.flush()).toBe(true);
    expect(sent).toEqual([1, 2, 5, 6]);
    expect(queue.stats()).toMatchObject({ sent: 4, dropped: { permanent: 2 }, errors: 1, retries: 0 });
  });

  it('flush reports a failed write and keeps the records queued', async () => {
    let up = false;
    const { queue } = recorder({
      flushIntervalMs: 60_000,
      retry: { ...fastRetry, initialMs: 60_000, maxMs: 60_000 },
      async write() {
        if (!up) throw new Error('ECONNREFUSED');
      },
    });
    queue.push([1, 2]);
    expect(await queue.flush()).toBe(false);
    expect(queue.stats().queued).toBe(2);
    up = true;
    // flush does not wait for the minute-long backoff.
    expect(await queue.flush()).toBe(true);
    expect(queue.stats()).toMatchObject({ queued: 0, sent: 2 });
  });

  it('shutdown flushes what is queued, is idempotent, and refuses later records', async () => {
    const { queue, batches } = recorder({ flushIntervalMs: 60_000 });
    queue.push([1, 2, 3]);
    const first = queue.shutdown(1_000);
    expect(queue.shutdown(1_000)).toBe(first);
    await first;
    expect(batches.flat()).toEqual([1, 2, 3]);
    expect(queue.push([4])).toBe(0);
    expect(queue.stats().dropped.shutdown).toBe(1);
  });

  it('shutdown keeps its deadline against a peer that never answers, and aborts the write', async () => {
    let aborted = false;
    let closed = 0;
    const queue = createDeliveryQueue<number>({
      name: 'otlp:hang',
      maxBatch: 2,
      flushIntervalMs: 1,
      retry: fastRetry,
      write: (_batch, signal) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
      close: () => {
        closed++;
      },
    });
    queue.push([1, 2, 3, 4, 5]);
    const started = Date.now();
    await queue.shutdown(150);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1_000);
    expect(aborted).toBe(true);
    expect(closed).toBe(1);
    expect(queue.stats()).toMatchObject({ queued: 0, sent: 0, dropped: { shutdown: 5 } });
  });

  it('shutdown retries a failing peer until the deadline and delivers if it comes back', async () => {
    let up = false;
    setTimeout(() => (up = true), 60);
    const { queue, batches } = recorder({
      async write(batch) {
        if (!up) throw new Error('ECONNREFUSED');
        batches.push([...batch]);
      },
    });
    queue.push([7, 8]);
    await queue.shutdown(2_000);
    expect(batches.flat()).toEqual([7, 8]);
    expect(queue.stats().dropped.shutdown).toBe(0);
  });
});
