/**
 * The ClickHouse store: a `LogStore` on a ClickHouse database that several meshlog servers can
 * share. Opening it probes the server, creates what is missing of the schema and checks its
 * version; writes go through the batching, retrying writer; reads through the two-step reader.
 */
import { randomInt } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../telemetry/logger.js';
import type { LogStore, StoreStats } from '../types.js';
import { type ClickHouseTarget, createClickHouseClient, describeTarget } from './config.js';
import { probeFeatures, type ServerFeatures } from './features.js';
import { createReader } from './reader.js';
import { createRetention } from './retention.js';
import { dayUs, ensureSchema, type Schema } from './schema.js';
import { createClickHouseStats } from './stats.js';
import { createRemoteTail, type RemoteTailOptions } from './tail.js';
import { createWriter, type WriterOptions } from './writer.js';

export interface ClickHouseStoreOptions {
  /** Where to connect; or `client` (with `database`) for a client made elsewhere (chdb in tests). */
  readonly target?: ClickHouseTarget;
  readonly client?: ClickHouseClient;
  readonly database?: string;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly retentionIntervalMs?: number;
  /** Partition width for a new store; a day unless a test wants retention to have partitions to drop. */
  readonly partitionUs?: number;
  /** How long `close()` waits for queued rows to be stored before it gives them up. */
  readonly closeTimeoutMs?: number;
  readonly logger?: Logger;
  readonly highWaterRows?: number;
  readonly lowWaterRows?: number;
  readonly batchRows?: number;
  readonly batchDelayMs?: number;
  readonly maxQueuedRows?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** How the tail of other servers' entries polls (`followRemote`). */
  readonly tail?: Partial<Pick<RemoteTailOptions, 'pollMs' | 'lagMs' | 'windowMs' | 'maxRowsPerPoll'>>;
}

export interface ClickHouseStore extends LogStore {
  readonly features: ServerFeatures;
  readonly schema: Schema;
  /** This process's writer tag (the high bits of the ids it writes). */
  readonly writerTag: number;
}

export async function createClickHouseStore(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
  const { logger } = options;
  const database = options.target?.database ?? options.database ?? 'meshlog';
  const client = options.client ?? createClickHouseClient(options.target!);
  const where = options.target ? describeTarget(options.target) : database;
  let features: ServerFeatures;
  let schema: Schema;
  try {
    features = await probeFeatures(client);
    schema = await ensureSchema(
      client,
      { database, cluster: options.target?.cluster, partitionUs: options.partitionUs ?? dayUs, maxAgeMs: options.retention?.maxAgeMs },
      features,
    );
  } catch (err) {
    await client.close();
    throw new Error(`Cannot open the ClickHouse store at ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  logger?.info(
    { clickhouse: where, version: features.version, ttl: features.ttl, deduplicationToken: features.deduplicationToken },
    'The ClickHouse store is open.',
  );

  const retention = createRetention({ client, schema, maxAgeMs: options.retention?.maxAgeMs, maxBytes: options.retention?.maxBytes, logger });
  const counts = { entries: 0, bytesOnDisk: 0, deletedByRetention: 0 };
  const writerTag = randomInt(1, 2 ** 20);
  const writerOptions: WriterOptions = {
    client,
    schema,
    features,
    tag: writerTag,
    logger,
    batchRows: options.batchRows,
    batchDelayMs: options.batchDelayMs,
    highWaterRows: options.highWaterRows,
    lowWaterRows: options.lowWaterRows,
    maxQueuedRows: options.maxQueuedRows,
    retryInitialMs: options.retryInitialMs,
    retryMaxMs: options.retryMaxMs,
    onWritten: (n) => {
      counts.entries += n;
    },
    onWorkloads: () => reader.invalidateWorkloads(),
  };
  const reader = createReader(client, schema);
  const writer = createWriter(writerOptions);
  const aggregate = createClickHouseStats(client, schema, reader);

  async function applyRetention(): Promise<void> {
    const { deleted, size } = await retention.apply();
    counts.deletedByRetention += deleted;
    counts.entries = size.rows;
    counts.bytesOnDisk = size.bytes;
  }
  await applyRetention();
  let retentionRunning = false;
  const retentionTimer = setInterval(() => {
    if (retentionRunning) return;
    retentionRunning = true;
    applyRetention()
      .catch((err: unknown) => logger?.warn({ err }, 'ClickHouse retention could not run; trying again later.'))
      .finally(() => {
        retentionRunning = false;
      });
  }, options.retentionIntervalMs ?? 60_000);
  retentionTimer.unref();

  let closing: Promise<void> | undefined;
  let closed = false;
  let failedAfterClose = 0;
  const tails = new Set<{ close(): Promise<void> }>();

  return {
    features,
    schema,
    writerTag,
    write(rows) {
      if (closed) {
        failedAfterClose += rows.length;
        return false;
      }
      return writer.write(rows);
    },
    onDrain: (listener) => writer.onDrain(listener),
    query: (q) => reader.query(q),
    workloads: () => reader.workloads(),
    aggregate: (q) => aggregate(q),
    stats(): StoreStats {
      const w = writer.stats();
      return {
        entries: counts.entries,
        bytesOnDisk: counts.bytesOnDisk,
        pending: w.pending,
        written: w.written,
        failed: w.failed + failedAfterClose,
        deletedByRetention: counts.deletedByRetention,
      };
    },
    flush: () => writer.flush(),
    followRemote(listener, active) {
      const tail = createRemoteTail({ client, schema, localWriter: writerTag, listener, active, logger, ...options.tail });
      tails.add(tail);
      return {
        close: async () => {
          tails.delete(tail);
          await tail.close();
        },
      };
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(retentionTimer);
        for (const tail of [...tails]) await tail.close();
        const timeoutMs = options.closeTimeoutMs ?? 10_000;
        if (!(await settlesWithin(writer.flush(), timeoutMs))) {
          logger?.error({ pending: writer.stats().pending, timeoutMs }, 'ClickHouse did not take the queued entries before shutdown; they are given up.');
          writer.abandon();
          await settlesWithin(writer.flush(), 5_000);
        }
        await client.close();
      })();
      return closing;
    },
  };
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
