/**
 * The ClickHouse store's write path: a bounded queue cut into batches, each inserted as RowBinary,
 * retried with backoff while ClickHouse is away, stored at least once and never twice.
 *
 * Deduplication per batch: where the server has `insert_deduplication_token` (and the table a
 * deduplication window) a retry carries the batch's token and the server drops what it already has.
 * Where it does not (Debian's 18.16), every row carries its batch id, and before retrying a batch
 * whose last attempt may have reached the server the writer asks which of its rows are stored and
 * sends only the others. Rows beyond the queue's bound are dropped and counted, never held.
 */
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { type ClickHouseClient, ClickHouseError } from '@clickhouse/client';
import type { WorkloadRef } from '../../model/proxy-identity.js';
import type { Logger } from '../../telemetry/logger.js';
import type { EntryRow } from '../types.js';
import type { ServerFeatures } from './features.js';
import { createRowBinaryWriter, safe } from './row-binary.js';
import { entryColumnList, type Schema } from './schema.js';
import { int } from './sql.js';

export interface WriterOptions {
  readonly client: ClickHouseClient;
  readonly schema: Schema;
  readonly features: ServerFeatures;
  /** This writer's tag: the high bits of every id it hands out, so ids of several writers never collide. */
  readonly tag: number;
  readonly logger?: Logger;
  readonly batchRows?: number;
  readonly batchDelayMs?: number;
  readonly highWaterRows?: number;
  readonly lowWaterRows?: number;
  /** Rows queued beyond this are dropped (and counted) instead of held while ClickHouse is away. */
  readonly maxQueuedRows?: number;
  readonly maxInFlight?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** A batch the server refuses this many times is given up (counted as failed); an unreachable server is retried without end. */
  readonly maxRejections?: number;
  /** How often `workloads.last_ts` is brought forward (default 5 s): "the latest N" starts looking there. */
  readonly newestTsEveryMs?: number;
  /** Called after new workloads (or changed labels) were stored. */
  readonly onWorkloads?: () => void;
  /** Called with each batch's rows once they are stored (the count of entries follows it). */
  readonly onWritten?: (rows: number) => void;
}

export interface WriterStats {
  readonly pending: number;
  readonly written: number;
  readonly failed: number;
  readonly dropped: number;
  readonly retries: number;
}

interface Batch {
  readonly seq: number;
  readonly rows: readonly EntryRow[];
  readonly firstId: number;
  /** The `ts` given to rows whose own is not a number, fixed for every attempt. */
  readonly fallbackTs: number;
  /** Settles when the batch is stored or given up. */
  readonly done: Promise<void>;
  settle(): void;
  /** Resolves with the first error an attempt met (the batch is still retried). */
  readonly troubled: Promise<Error>;
  trouble(err: Error): void;
  failed: boolean;
}

/** Errors that mean the request never reached the server: nothing of the batch can be stored. */
const notDelivered = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function createWriter(options: WriterOptions) {
  const { client, schema, features, logger } = options;
  const batchRows = options.batchRows ?? 20_000;
  const batchDelayMs = options.batchDelayMs ?? 250;
  const highWater = options.highWaterRows ?? 200_000;
  const lowWater = options.lowWaterRows ?? Math.floor(highWater / 2);
  const maxQueued = Math.max(options.maxQueuedRows ?? 1_000_000, highWater);
  const maxInFlight = options.maxInFlight ?? 2;
  const retryInitialMs = options.retryInitialMs ?? 100;
  const newestTsEveryMs = options.newestTsEveryMs ?? 5_000;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  const maxRejections = options.maxRejections ?? 5;
  const useToken = features.deduplicationToken && (features.nonReplicatedDeduplication || schema.onCluster !== '');
  const encoder = createRowBinaryWriter();
  const insertQuery = `INSERT INTO ${schema.entries} (${entryColumnList}) FORMAT RowBinary`;
  const workloadSeen = new Map<string, { labels: string; at: number; lastTs: number }>();
  /** When `workloads.last_ts` was last brought forward: where "the latest N" starts looking, so kept within seconds. */
  let lastTsWritten = 0;

  let buffer: EntryRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  const waiting: Batch[] = [];
  const inFlight = new Set<Batch>();
  let queued = 0;
  // Random starts: a writer restarted with the same tag does not hand out the ids and batch ids of its last run.
  let seq = randomInt(0, 2 ** 31);
  let nextId = randomInt(0, 2 ** 31);
  let overHighWater = false;
  let giveUp = false;
  let lastDropLog = 0;
  const drainListeners: Array<() => void> = [];
  const stats = { written: 0, failed: 0, dropped: 0, retries: 0 };
  const sleeping = new Set<() => void>();
  /** The last insert error, until an insert succeeds. */
  let failing: string | null = null;

  function cut() {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (buffer.length > 0) {
      const rows = buffer.length <= batchRows ? buffer : buffer.slice(0, batchRows);
      buffer = rows === buffer ? [] : buffer.slice(batchRows);
      let settle!: () => void;
      const done = new Promise<void>((resolve) => (settle = resolve));
      let trouble!: (err: Error) => void;
      const troubled = new Promise<Error>((resolve) => (trouble = resolve));
      // Ids are the tag in the high bits and a sequence below: unique across writers, safe as JS numbers.
      if (nextId + rows.length >= 2 ** 32) nextId = 0;
      if (seq + 1 >= 2 ** 32) seq = 0;
      const batch: Batch = {
        seq: ++seq,
        rows,
        firstId: options.tag * 2 ** 32 + nextId,
        fallbackTs: Date.now() * 1000,
        done,
        settle,
        troubled,
        trouble,
        failed: false,
      };
      nextId += rows.length;
      waiting.push(batch);
    }
    pump();
  }

  function pump() {
    while (inFlight.size < maxInFlight && waiting.length > 0) {
      const batch = waiting.shift()!;
      inFlight.add(batch);
      void send(batch).finally(() => {
        inFlight.delete(batch);
        queued -= batch.rows.length;
        batch.settle();
        maybeDrained();
        pump();
      });
    }
  }

  function maybeDrained() {
    if (overHighWater && queued < lowWater) {
      overHighWater = false;
      for (const listener of drainListeners) listener();
    }
  }

  async function send(batch: Batch): Promise<void> {
    let indexes: number[] | undefined;
    let uncertain = false;
    let rejections = 0;
    for (let attempt = 0; ; attempt++) {
      if (giveUp) {
        stats.failed += indexes?.length ?? batch.rows.length;
        batch.failed = true;
        return;
      }
      try {
        if (uncertain && !useToken) indexes = await missingRows(batch);
        if (indexes?.length === 0) break;
        await upsertWorkloads(batch);
        await insert(batch, indexes);
        break;
      } catch (err) {
        const code = (err as { code?: string }).code;
        const rejected = isServerError(err);
        // A stale keep-alive socket or a moment's hiccup is retried quietly; a flush hears of it from the third failure on.
        if (attempt >= 2) batch.trouble(new Error(`ClickHouse did not store ${batch.rows.length} entries (retrying): ${errorText(err)}`));
        if (rejected && ++rejections >= maxRejections) {
          stats.failed += indexes?.length ?? batch.rows.length;
          batch.failed = true;
          logger?.error({ err, rows: batch.rows.length, attempts: attempt + 1 }, 'ClickHouse refused a batch of entries; they are not stored.');
          return;
        }
        uncertain ||= !(code !== undefined && notDelivered.has(code));
        failing = errorText(err);
        stats.retries++;
        if (attempt === 0 || attempt % 20 === 0)
          logger?.warn({ err: errorText(err), rows: batch.rows.length, attempt }, 'Cannot insert into ClickHouse; retrying with backoff.');
        await sleep(Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempt, 20)) * (0.8 + Math.random() * 0.4));
      }
    }
    failing = null;
    // Every row of the batch is stored now, by this attempt or by one whose answer was lost.
    stats.written += batch.rows.length;
    options.onWritten?.(batch.rows.length);
  }

  async function insert(batch: Batch, indexes: number[] | undefined): Promise<void> {
    const stamp = { batch: batch.seq + options.tag * 2 ** 32, writtenUs: Date.now() * 1000, firstId: batch.firstId, fallbackTs: batch.fallbackTs };
    const rows = indexes ? indexes.map((i) => batch.rows[i]!) : batch.rows;
    const ids = indexes ? indexes.map((i) => batch.firstId + i) : undefined;
    // The encoder's buffer is reused; the request keeps its own copy while it is in flight.
    const body = Buffer.from(encoder.encode(rows, { ...stamp, ids }));
    const result = await client.exec({
      query: insertQuery,
      values: Readable.from([body]),
      ...(useToken ? { clickhouse_settings: { insert_deduplication_token: `meshlog-${stamp.batch}` } } : {}),
    });
    result.stream.resume();
  }

  /** Indexes of the batch's rows that are not stored (after an attempt that may have reached the server). */
  async function missingRows(batch: Batch): Promise<number[]> {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const row of batch.rows) {
      const ts = safe(row.ts, batch.fallbackTs);
      if (ts < min) min = ts;
      if (ts > max) max = ts;
    }
    const batchId = batch.seq + options.tag * 2 ** 32;
    const result = await client.query({
      query: `SELECT DISTINCT id FROM ${schema.entries} WHERE ts >= ${int(min)} AND ts <= ${int(max)} AND batch = ${int(batchId)}`,
      format: 'JSONEachRow',
    });
    const stored = new Set((await result.json<{ id: string | number }>()).map((r) => Number(r.id) - batch.firstId));
    const missing: number[] = [];
    for (let i = 0; i < batch.rows.length; i++) if (!stored.has(i)) missing.push(i);
    return missing;
  }

  /**
   * New workloads, changed labels, a last-seen time kept to the minute, and the newest entry's `ts`
   * kept to `newestTsEveryMs` (every workload whose newest entry moved on, in one insert).
   */
  async function upsertWorkloads(batch: Batch): Promise<void> {
    const now = Date.now();
    const refreshTs = now - lastTsWritten >= newestTsEveryMs;
    const fresh = new Map<string, { ref: WorkloadRef; labels: string; lastTs: number }>();
    // Rows of one workload share its ref object: one pass finds each ref's newest entry and labels.
    const newest = new Map<WorkloadRef, { ts: number; labels: EntryRow['labels'] }>();
    for (const row of batch.rows) {
      const ts = safe(row.ts, batch.fallbackTs);
      const known = newest.get(row.workload);
      if (!known) newest.set(row.workload, { ts, labels: row.labels });
      else if (ts > known.ts) known.ts = ts;
    }
    for (const [ref, { ts, labels: labelMap }] of newest) {
      const key = `${ref.clusterName}\n${ref.namespace}\n${ref.name}`;
      const seen = workloadSeen.get(key);
      const labels = JSON.stringify(labelMap ?? {});
      const prior = fresh.get(key);
      if (prior) {
        prior.lastTs = Math.max(prior.lastTs, ts);
        continue;
      }
      if (seen && seen.labels === labels && now - seen.at < 60_000 && !(refreshTs && ts > seen.lastTs)) continue;
      fresh.set(key, { ref, labels, lastTs: Math.max(ts, seen?.lastTs ?? 0) });
    }
    if (fresh.size === 0) return;
    await client.insert({
      table: schema.workloads,
      format: 'JSONEachRow',
      values: [...fresh.values()].map((w) => ({
        cluster: w.ref.clusterName,
        namespace: w.ref.namespace,
        name: w.ref.name,
        labels: w.labels,
        first_seen: now,
        last_seen: now,
        last_ts: w.lastTs,
      })),
    });
    for (const [key, w] of fresh) workloadSeen.set(key, { labels: w.labels, at: now, lastTs: w.lastTs });
    if (refreshTs) lastTsWritten = now;
    options.onWorkloads?.();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleeping.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleeping.add(wake);
    });
  }

  return {
    write(rows: readonly EntryRow[]): boolean {
      if (queued + rows.length > maxQueued) {
        stats.dropped += rows.length;
        stats.failed += rows.length;
        if (Date.now() - lastDropLog > 10_000) {
          lastDropLog = Date.now();
          logger?.error({ queued, dropped: stats.dropped }, 'The ClickHouse write queue is full; entries are dropped until ClickHouse catches up.');
        }
        return false;
      }
      for (const row of rows) buffer.push(row);
      queued += rows.length;
      if (buffer.length >= batchRows) cut();
      else timer ??= setTimeout(cut, batchDelayMs);
      if (queued > highWater) overHighWater = true;
      return !overHighWater;
    },
    onDrain(listener: () => void): void {
      drainListeners.push(listener);
    },
    /**
     * Resolves when every row written before the call is stored. Rejects as soon as one of their
     * batches meets an error (it is still retried) or is given up: a caller that acknowledges
     * input must not do so then.
     */
    async flush(): Promise<void> {
      cut();
      await Promise.all(
        [...inFlight, ...waiting].map((b) =>
          Promise.race([
            b.done.then(() => {
              if (b.failed) throw new Error(`ClickHouse did not store ${b.rows.length} entries; they are given up.`);
            }),
            b.troubled.then((err) => {
              throw err;
            }),
          ]),
        ),
      );
    },
    /** Resolves when every row written before the call is stored or given up. */
    async drain(): Promise<void> {
      cut();
      await Promise.all([...inFlight, ...waiting].map((b) => b.done));
    },
    /** Stops retrying: what is still queued is counted as failed. */
    abandon(): void {
      giveUp = true;
      for (const wake of [...sleeping]) wake();
    },
    /** Why writing is failing now (a batch being retried), or null. */
    problem(): string | null {
      return failing === null ? null : `ClickHouse cannot store entries (${failing}); ${queued} entries are kept and retried`;
    },
    stats(): WriterStats {
      return { pending: queued, ...stats };
    },
  };
}

export type Writer = ReturnType<typeof createWriter>;

/** ClickHouse answered with an exception (as opposed to not answering). chdb's errors come from another copy of the class. */
function isServerError(err: unknown): boolean {
  return err instanceof ClickHouseError || (err instanceof Error && err.constructor.name === 'ClickHouseError');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
