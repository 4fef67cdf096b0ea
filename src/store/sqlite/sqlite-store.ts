/**
 * The embedded store as one `LogStore`: SQLite in a data directory, one shard written by a worker
 * thread, every shard of the directory read here.
 *
 * Rows are gathered into batches (by count or after a short delay), packed into chunks here and
 * posted to the worker. A batch stays in memory until the worker confirms its commit; if the worker
 * dies, it is restarted and every unconfirmed batch is sent again, so a crash of the writer loses
 * nothing accepted. (`meshlog serve` writes shards from its ingest workers instead, and reads them
 * with the same reader.)
 */
import { mkdirSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../../util/worker-thread.js';
import type { EntryRow, LogStore, StoreStats } from '../types.js';
import { type ChunkBatch, packBatch } from './chunk-batch.js';
import { openStoreReader } from './reader.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export interface SqliteStoreOptions {
  readonly dataDir: string;
  /** Which shard file this store writes (default 0, `meshlog.db`); it reads them all. */
  readonly shard?: number;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  /** `write` returns false above this many uncommitted rows. */
  readonly highWaterRows?: number;
  /** `onDrain` listeners fire when uncommitted rows fall below this. */
  readonly lowWaterRows?: number;
  readonly batchRows?: number;
  readonly batchDelayMs?: number;
  readonly retentionIntervalMs?: number;
  readonly logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

function createWriterWorker(): Worker {
  return startWorkerThread(import.meta.url, 'writer-worker');
}

export async function createSqliteStore(options: SqliteStoreOptions): Promise<LogStore> {
  mkdirSync(options.dataDir, { recursive: true });
  const highWater = options.highWaterRows ?? 20_000;
  const lowWater = options.lowWaterRows ?? Math.floor(highWater / 2);
  const batchRows = options.batchRows ?? 2_000;
  const batchDelayMs = options.batchDelayMs ?? 50;
  const logger = options.logger;

  let buffer: EntryRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  const inFlight = new Map<number, ChunkBatch>();
  let inFlightRows = 0;
  // `write(rows, onSettled)` callbacks: those of the buffer, then per batch until it settles.
  let bufferCallbacks: Array<() => void> = [];
  const batchCallbacks = new Map<number, Array<() => void>>();
  const flushWaiters = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  /** The last commit error since a flush resolved: the next flush rejects with it. */
  let failedSinceFlush: string | null = null;
  /** The last commit error, until a later batch commits. */
  let problem: string | null = null;
  let flushId = 0;
  const drainListeners: Array<() => void> = [];
  let overHighWater = false;
  const stats = { entries: 0, bytesOnDisk: 0, written: 0, failed: 0, deletedByRetention: 0, workerRestarts: 0 };
  let closing: Promise<void> | undefined;
  let closed = false;

  let worker: Worker | undefined;
  worker = await startWorker();
  const reader = openStoreReader(options.dataDir);

  function startWorker(): Promise<Worker> {
    const w = createWriterWorker();
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') {
          stats.entries = message.entries;
          w.off('message', onMessage);
          w.on('message', handle);
          resolve(w);
        } else if (message.type === 'fatal') {
          reject(new Error(`Cannot open the store in ${options.dataDir}: ${message.error}`));
        }
      };
      w.on('message', onMessage);
      w.once('error', (err) => reject(new Error(`Cannot start the store writer: ${err.message}`)));
      w.once('exit', (code) => {
        reject(new Error(`The store writer exited with code ${code} before it was ready.`));
        onExit(w, code);
      });
      post(w, {
        type: 'open',
        dataDir: options.dataDir,
        shard: options.shard ?? 0,
        maxAgeMs: options.retention?.maxAgeMs,
        maxBytes: options.retention?.maxBytes,
        retentionIntervalMs: options.retentionIntervalMs ?? 10_000,
      });
    });
  }

  function post(w: Worker, message: ToWorker) {
    w.postMessage(message);
  }

  function handle(message: FromWorker) {
    switch (message.type) {
      case 'written':
        problem = null;
        settle(message.seq);
        stats.written += message.count;
        stats.entries = message.entries;
        break;
      case 'failed':
        settle(message.seq);
        stats.failed += message.count;
        failedSinceFlush = message.error;
        problem = message.error;
        logger?.error({ rows: message.count, error: message.error }, 'The store could not write a batch of entries.');
        break;
      case 'flushed': {
        const waiter = flushWaiters.get(message.id);
        flushWaiters.delete(message.id);
        if (failedSinceFlush !== null) {
          waiter?.reject(new Error(`the store could not write some entries: ${failedSinceFlush}`));
          failedSinceFlush = null;
        } else waiter?.resolve();
        break;
      }
      case 'stats':
        stats.entries = message.entries;
        stats.bytesOnDisk = message.bytesOnDisk;
        stats.deletedByRetention = message.deleted;
        break;
      case 'fatal':
        logger?.error({ error: message.error }, 'The store writer failed.');
        break;
      case 'problem':
        logger?.error({ error: message.error }, 'The store found a damaged file.');
        break;
      default:
        break;
    }
  }

  function settle(batchSeq: number) {
    const callbacks = batchCallbacks.get(batchSeq);
    batchCallbacks.delete(batchSeq);
    for (const callback of callbacks ?? []) callback();
    const batch = inFlight.get(batchSeq);
    if (!batch) return;
    inFlight.delete(batchSeq);
    inFlightRows -= batch.count;
    maybeDrained();
  }

  /** An unexpected exit: start a new writer and send it every unconfirmed batch again. */
  function onExit(w: Worker, code: number) {
    if (closed || w !== worker) return;
    stats.workerRestarts++;
    logger?.warn({ code, unconfirmedRows: inFlightRows }, 'The store writer stopped; restarting it and resending unconfirmed entries.');
    startWorker().then(
      (fresh) => {
        worker = fresh;
        for (const [batchSeq, batch] of [...inFlight].sort((a, b) => a[0] - b[0])) post(fresh, { type: 'write', seq: batchSeq, batch });
        for (const id of flushWaiters.keys()) post(fresh, { type: 'flush', id });
      },
      (err: unknown) => logger?.error({ err }, 'The store writer could not be restarted.'),
    );
  }

  function pending(): number {
    return buffer.length + inFlightRows;
  }

  function maybeDrained() {
    if (overHighWater && pending() < lowWater) {
      overHighWater = false;
      for (const listener of drainListeners) listener();
    }
  }

  function sendBuffer() {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer.length === 0) return;
    const batch = packBatch(buffer);
    buffer = [];
    const batchSeq = ++seq;
    // Kept (not transferred) until the worker confirms, to resend if the worker dies.
    inFlight.set(batchSeq, batch);
    inFlightRows += batch.count;
    if (bufferCallbacks.length > 0) {
      batchCallbacks.set(batchSeq, bufferCallbacks);
      bufferCallbacks = [];
    }
    post(worker!, { type: 'write', seq: batchSeq, batch });
  }

  function flush(): Promise<void> {
    sendBuffer();
    const id = ++flushId;
    return new Promise((resolve, reject) => {
      flushWaiters.set(id, { resolve, reject });
      post(worker!, { type: 'flush', id });
    });
  }

  return {
    write(rows, onSettled) {
      if (closed) {
        stats.failed += rows.length;
        onSettled?.();
        return false;
      }
      for (const row of rows) buffer.push(row);
      if (onSettled) bufferCallbacks.push(onSettled);
      if (buffer.length >= batchRows) sendBuffer();
      else timer ??= setTimeout(sendBuffer, batchDelayMs);
      if (pending() > highWater) overHighWater = true;
      return !overHighWater;
    },
    onDrain(listener) {
      drainListeners.push(listener);
    },
    // better-sqlite3 answers synchronously; a rejected promise still carries a bad cursor's error.
    query: async (q) => reader.query(q),
    workloads: async () => reader.workloads(),
    aggregate: async (q) => reader.aggregate(q),
    stats(): StoreStats {
      return {
        entries: stats.entries,
        bytesOnDisk: stats.bytesOnDisk,
        pending: pending(),
        written: stats.written,
        failed: stats.failed,
        deletedByRetention: stats.deletedByRetention,
      };
    },
    flush,
    problem: () => (problem === null ? null : `the store could not write its last batch: ${problem}`),
    close() {
      closing ??= (async () => {
        // A failed commit was counted; closing goes on regardless.
        await flush().catch(() => undefined);
        closed = true;
        const w = worker!;
        await new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.on('message', (m: FromWorker) => {
            if (m.type === 'closed') void w.terminate();
          });
          post(w, { type: 'close' });
        });
        reader.close();
      })();
      return closing;
    },
  };
}
