/**
 * One shard as a `LogWriter` in the thread that produces its rows (an ingest worker): rows are
 * packed into chunks as they come (`chunk-builder.ts`), and committed synchronously by count or
 * after a short delay.
 *
 * A commit that fails (a full disk) keeps its batch and retries with backoff: nothing accepted is
 * dropped unless the kept rows pass `maxRetainedRows`, and `flush()` rejects while rows are not
 * stored, so that a stream is not acknowledged for entries that are not on disk. Writing resumes
 * by itself when the disk has room again.
 */
import type { LogWriter, StoreStats } from '../types.js';
import { startCheckpointer } from './checkpointer.js';
import { BatchBuilder, type ChunkBatch, createArena } from './chunk-batch.js';
import { openShardWriter, type Retention, type ShardWriter } from './shard-writer.js';

export interface ShardStoreOptions {
  readonly dataDir: string;
  readonly shard: number;
  readonly retention?: Retention;
  readonly batchRows?: number;
  readonly batchDelayMs?: number;
  readonly retentionIntervalMs?: number;
  /** `write` returns false above this many uncommitted rows. */
  readonly highWaterRows?: number;
  /** Rows kept for a retry while commits fail; past it the oldest are dropped and counted. */
  readonly maxRetainedRows?: number;
  readonly onError?: (error: string) => void;
  /** Checkpoint from a thread of its own (`checkpointer.ts`) rather than inside the writer's commits. */
  readonly checkpointer?: boolean;
}

/** The writer's own checkpoint mark while a checkpointer runs: a backstop (256 MiB of log). */
const backstopPages = 8192;

export function createShardStore(options: ShardStoreOptions): LogWriter & { readonly writer: ShardWriter } {
  const writer = openShardWriter(options.dataDir, options.shard, (problem) => options.onError?.(problem), options.checkpointer ? backstopPages : undefined);
  const checkpointer = options.checkpointer ? startCheckpointer(writer.file) : undefined;
  const batchRows = options.batchRows ?? 2_000;
  const batchDelayMs = options.batchDelayMs ?? 25;
  const highWater = options.highWaterRows ?? 20_000;
  const maxRetained = options.maxRetainedRows ?? 200_000;
  /** Rows not yet committed, packed as they come. */
  const buffer = new BatchBuilder();
  /** Marks that go with the rows in `buffer`. */
  let marks = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  /** Packed batches whose commit failed, oldest first, with the error. */
  const retained: ChunkBatch[] = [];
  /**
   * Where a batch is packed while nothing is retained. It is reused only once every batch packed in
   * it is committed: while commits fail, new batches get blobs of their own.
   */
  const arena = createArena();
  // `write(rows, onSettled)` callbacks: those of the buffer, then per retained batch until it commits or is dropped.
  let bufferCallbacks: Array<() => void> = [];
  const batchCallbacks = new Map<ChunkBatch, Array<() => void>>();
  const settle = (batch: ChunkBatch) => {
    const callbacks = batchCallbacks.get(batch);
    if (!callbacks) return;
    batchCallbacks.delete(batch);
    for (const callback of callbacks) callback();
  };
  let retainedRows = 0;
  let failure: string | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = 100;
  let overHighWater = false;
  const drainListeners: Array<() => void> = [];
  const stats = { written: 0, failed: 0, deletedByRetention: 0, bytesOnDisk: writer.bytesOnDisk() };
  let closed = false;
  let retentionTimer: NodeJS.Timeout | undefined;

  const pending = () => buffer.count + retainedRows;

  const maybeDrained = () => {
    if (overHighWater && pending() < highWater / 2) {
      overHighWater = false;
      for (const listener of drainListeners) listener();
    }
  };

  /** Commits what is retained, then the buffer; stops at the first failure and keeps the rest. */
  function commit(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer.count > 0 || marks.size > 0) {
      const useArena = retained.length === 0;
      if (useArena) arena.reset();
      const packed = buffer.finish(useArena ? arena.allocate : undefined);
      const batch = marks.size > 0 ? { ...packed, marks: [...marks] } : packed;
      retained.push(batch);
      retainedRows += batch.count;
      marks = new Map();
      if (bufferCallbacks.length > 0) {
        batchCallbacks.set(batch, bufferCallbacks);
        bufferCallbacks = [];
      }
    }
    while (retained.length > 0) {
      const batch = retained[0]!;
      try {
        writer.write(batch);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (failure !== message) options.onError?.(message);
        failure = message;
        dropOverflow();
        scheduleRetry();
        return;
      }
      retained.shift();
      retainedRows -= batch.count;
      stats.written += batch.count;
      settle(batch);
    }
    if (failure !== null) {
      failure = null;
      retryMs = 100;
    }
    maybeDrained();
  }

  function dropOverflow(): void {
    while (retainedRows > maxRetained && retained.length > 1) {
      const dropped = retained.shift()!;
      retainedRows -= dropped.count;
      stats.failed += dropped.count;
      settle(dropped);
    }
  }

  function scheduleRetry(): void {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      commit();
    }, retryMs);
    retryTimer.unref?.();
    retryMs = Math.min(5_000, retryMs * 2);
  }

  function retention(): void {
    if (!options.retention || closed) return;
    try {
      const step = writer.applyRetention(options.retention);
      stats.deletedByRetention += step.deleted;
      if (step.more) setImmediate(retention);
    } catch (err) {
      options.onError?.(`retention: ${err instanceof Error ? err.message : String(err)}`);
    }
    stats.bytesOnDisk = writer.bytesOnDisk();
  }
  if (options.retention) {
    retentionTimer = setInterval(retention, options.retentionIntervalMs ?? 10_000);
    retentionTimer.unref?.();
  }

  return {
    writer,
    problem: () => (failure === null ? null : `the store cannot write (${failure}); ${retainedRows} entries are kept and retried`),
    write(rows, onSettled) {
      if (closed) {
        stats.failed += rows.length;
        onSettled?.();
        return false;
      }
      for (const row of rows) buffer.add(row);
      if (onSettled) bufferCallbacks.push(onSettled);
      if (buffer.count >= batchRows) commit();
      else timer ??= setTimeout(commit, batchDelayMs);
      if (pending() > highWater) overHighWater = true;
      return !overHighWater;
    },
    mark(key, value) {
      if (closed) return;
      marks.set(key, Math.max(value, marks.get(key) ?? value));
      timer ??= setTimeout(commit, batchDelayMs);
    },
    onDrain(listener) {
      drainListeners.push(listener);
    },
    async flush() {
      commit();
      if (failure !== null) throw new Error(`the store cannot write: ${failure}`);
    },
    stats(): StoreStats {
      return {
        entries: writer.entries(),
        bytesOnDisk: stats.bytesOnDisk,
        pending: pending(),
        written: stats.written,
        failed: stats.failed,
        deletedByRetention: stats.deletedByRetention,
      };
    },
    async close() {
      if (closed) return;
      commit();
      closed = true;
      if (retentionTimer) clearInterval(retentionTimer);
      if (retryTimer) clearTimeout(retryTimer);
      // What could not be committed by now is lost: count it.
      stats.failed += retainedRows;
      for (const batch of retained) settle(batch);
      retained.length = 0;
      retainedRows = 0;
      await checkpointer?.stop();
      writer.close();
    },
  };
}
