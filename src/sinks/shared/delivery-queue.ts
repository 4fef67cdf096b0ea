/**
 * The one delivery helper every sink uses: a bounded queue in front of a `write(batch)` function,
 * batching, retry with backoff, drop counting and a deadline-bound shutdown. A sink only says how
 * to write one batch; everything about when, how often and what is lost lives here.
 *
 * Guarantees: a record leaves the queue only when `write` resolved for a batch holding it
 * (sent), when `write` threw a `PermanentDeliveryError` for it, or at the shutdown deadline
 * (both dropped). A transient failure resends the same batch, so delivery is at-least-once: a
 * peer may see a batch twice when a write failed after part of it got through. One write is in
 * flight at a time, so records reach the peer in the order they were pushed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../telemetry/logger.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './backoff.js';
import { describeError, isPermanentDeliveryError } from './delivery-errors.js';

export interface QueueOptions {
  /** Records held at most (the batch in flight included); more are dropped and counted. */
  readonly maxQueued: number;
  /** Records per `write` at most. */
  readonly maxBatch: number;
  /** How long a record may wait for a batch to fill before it is written anyway. */
  readonly flushIntervalMs: number;
  readonly retry: RetryPolicy;
}

export const defaultQueueOptions: QueueOptions = {
  maxQueued: 10_000,
  maxBatch: 500,
  flushIntervalMs: 200,
  retry: defaultRetryPolicy,
};

export interface DeliveryQueueOptions<R> extends Partial<QueueOptions> {
  /** The `sink` label: `type:destination`. */
  readonly name: string;
  /** Writes one batch; resolves once it is delivered. The signal aborts at the shutdown deadline. */
  write(batch: readonly R[], signal: AbortSignal): Promise<void>;
  /** Releases files and sockets, once, after the last write. */
  close?(): Promise<void> | void;
  /** Counters under the `sink` label `name`; the queue depth is read at scrape time. */
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

export interface DeliveryStats {
  /** Accepted and not yet sent or dropped. */
  readonly queued: number;
  readonly accepted: number;
  readonly sent: number;
  readonly dropped: { readonly overflow: number; readonly permanent: number; readonly shutdown: number };
  readonly errors: number;
  readonly retries: number;
  /** Consecutive failed writes now (0 when the last write succeeded). */
  readonly failing: number;
  readonly lastError?: string;
}

export interface DeliveryQueue<R> {
  /** Takes what fits and returns how many records it accepted; the rest are dropped and counted. */
  push(records: readonly R[]): number;
  /**
   * Writes what is queued now without waiting for the interval or a backoff. True once all of
   * it is sent (or dropped as permanent); false when a write failed (the records stay queued).
   */
  flush(): Promise<boolean>;
  /** Stops taking records, delivers what it can until the deadline, drops the rest. Idempotent. */
  shutdown(deadlineMs?: number): Promise<void>;
  stats(): DeliveryStats;
}

type DropReason = keyof DeliveryStats['dropped'];

export function createDeliveryQueue<R>(options: DeliveryQueueOptions<R>): DeliveryQueue<R> {
  const maxQueued = options.maxQueued ?? defaultQueueOptions.maxQueued;
  const maxBatch = options.maxBatch ?? defaultQueueOptions.maxBatch;
  const flushIntervalMs = options.flushIntervalMs ?? defaultQueueOptions.flushIntervalMs;
  const retry = options.retry ?? defaultQueueOptions.retry;
  const { logger, name } = options;

  // Records live in [head, buffer.length); advancing `head` keeps removal O(1).
  let buffer: R[] = [];
  let head = 0;
  let inflight: Promise<boolean> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let timerIsRetry = false;
  let closing = false;
  let shutdownPromise: Promise<void> | undefined;
  const abort = new AbortController();
  const counts = { accepted: 0, sent: 0, errors: 0, retries: 0, failing: 0 };
  const dropped = { overflow: 0, permanent: 0, shutdown: 0 };
  // Records sent or dropped as permanent so far: `flush()` waits for this to pass a mark.
  let removed = 0;
  let lastError: string | undefined;

  const depth = () => buffer.length - head;
  const metrics = options.metrics?.sinks.bind(name, depth);

  function drop(count: number, reason: DropReason): void {
    if (count === 0) return;
    dropped[reason] += count;
    metrics?.dropped.inc(count);
  }

  function remove(count: number): void {
    head += count;
    removed += count;
    if (head === buffer.length) {
      buffer = [];
      head = 0;
    } else if (head > 4096 && head * 2 > buffer.length) {
      buffer = buffer.slice(head);
      head = 0;
    }
  }

  function clearTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerIsRetry = false;
  }

  /** Arranges the next write: now for a full batch, after the interval otherwise; never during a backoff. */
  function schedule(): void {
    if (closing || inflight !== null || depth() === 0) return;
    if (timer !== null && (timerIsRetry || depth() < maxBatch)) return;
    clearTimer();
    if (depth() >= maxBatch) {
      timer = setTimeout(() => void runDrain(), 0);
    } else {
      timer = setTimeout(() => void runDrain(), flushIntervalMs);
    }
    timer.unref();
  }

  function scheduleRetry(): void {
    clearTimer();
    const delay = backoffDelay(retry, counts.failing);
    timerIsRetry = true;
    timer = setTimeout(() => {
      timer = null;
      timerIsRetry = false;
      counts.retries++;
      metrics?.retries.inc();
      void runDrain();
    }, delay);
    timer.unref();
  }

  /** Writes batches until the queue is empty or a write fails transiently. Never rejects. */
  async function drain(): Promise<boolean> {
    while (depth() > 0) {
      const count = Math.min(maxBatch, depth());
      const batch = buffer.slice(head, head + count);
      try {
        await options.write(batch, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return false;
        counts.errors++;
        metrics?.errors.inc();
        lastError = describeError(error);
        if (isPermanentDeliveryError(error)) {
          logger?.warn({ sink: name, records: count, error: lastError }, 'A sink peer refused a batch for good; its records are dropped.');
          drop(count, 'permanent');
          remove(count);
          continue;
        }
        if (counts.failing++ === 0) {
          logger?.warn({ sink: name, error: lastError }, 'A sink write failed; retrying with backoff.');
        }
        return false;
      }
      // The shutdown deadline may have passed (and emptied the queue) while the write ran.
      if (abort.signal.aborted) return false;
      if (counts.failing > 0) {
        logger?.info({ sink: name, failures: counts.failing }, 'A sink recovered; writes succeed again.');
        counts.failing = 0;
      }
      counts.sent += count;
      metrics?.sent.inc(count);
      remove(count);
    }
    return true;
  }

  function runDrain(): Promise<boolean> {
    if (inflight !== null) return inflight;
    clearTimer();
    inflight = drain().then((ok) => {
      inflight = null;
      if (!ok && !closing) scheduleRetry();
      return ok;
    });
    return inflight;
  }

  async function deliverUntilAborted(): Promise<void> {
    while (depth() > 0 && !abort.signal.aborted) {
      if (await runDrain()) continue;
      await sleep(backoffDelay(retry, counts.failing), undefined, { signal: abort.signal }).catch(() => undefined);
    }
  }

  const queue: DeliveryQueue<R> = {
    push(records) {
      if (closing) {
        drop(records.length, 'shutdown');
        return 0;
      }
      const accepted = Math.min(records.length, maxQueued - depth());
      for (let i = 0; i < accepted; i++) buffer.push(records[i]!);
      counts.accepted += accepted;
      if (accepted > 0) metrics?.queued.inc(accepted);
      drop(records.length - accepted, 'overflow');
      schedule();
      return accepted;
    },

    async flush() {
      const mark = removed + depth();
      while (removed < mark) {
        if (abort.signal.aborted) return false;
        if (inflight !== null) await inflight;
        if (removed >= mark) break;
        if (!(await runDrain())) return false;
      }
      return true;
    },

    shutdown(deadlineMs = 5_000) {
      shutdownPromise ??= (async () => {
        closing = true;
        clearTimer();
        let deadline: NodeJS.Timeout | undefined;
        const expired = new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, Math.max(0, deadlineMs));
        });
        await Promise.race([deliverUntilAborted(), expired]);
        clearTimeout(deadline);
        // A write still in flight is abandoned: its records count as dropped though the peer may
        // have them. Nothing waits for it, so the deadline holds whatever the peer does.
        abort.abort();
        drop(depth(), 'shutdown');
        buffer = [];
        head = 0;
        metrics?.release();
        try {
          await options.close?.();
        } catch (error) {
          logger?.warn({ sink: name, error: describeError(error) }, 'A sink failed to close cleanly.');
        }
      })();
      return shutdownPromise;
    },

    stats() {
      return {
        queued: depth(),
        accepted: counts.accepted,
        sent: counts.sent,
        dropped: { ...dropped },
        errors: counts.errors,
        retries: counts.retries,
        failing: counts.failing,
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
  };
  return queue;
}
