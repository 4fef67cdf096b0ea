/**
 * The ClickHouse store: a `LogStore` on a ClickHouse database that several meshlog servers can
 * share. Opening it probes the server, creates what is missing of the schema and checks its
 * version; writes go through the batching, retrying writer; reads through the two-step reader.
 *
 * Roles: `both` (one thread writes and reads), `{ writer: shard }` (an ingest worker's shard;
 * shard 0 also applies retention and measures the table), `reader` (the server's queries and the
 * tail of other servers' rows). Every writer's tag comes from the server's `instance` and its
 * shard, so the server's reader knows which rows are its own.
 */
import { randomBytes } from 'node:crypto';
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
  readonly role?: 'both' | 'reader' | { readonly writer: number };
  /** Names this server (its host and data directory); random when not given. */
  readonly instance?: string;
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
  readonly newestTsEveryMs?: number;
  /** How the tail of other servers' entries polls (`followRemote`). */
  readonly tail?: Partial<Pick<RemoteTailOptions, 'pollMs' | 'lagMs' | 'windowMs' | 'maxRowsPerPoll'>>;
}

export interface ClickHouseStore extends LogStore {
  readonly features: ServerFeatures;
  readonly schema: Schema;
}

/** Shards a server may have (ingest workers); a writer's tag is its instance's block and its shard. */
const maxShards = 64;

/** The tag of a writer: the high bits of every id it hands out. */
export function writerTag(instance: string, shard: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < instance.length; i++) h = Math.imul(h ^ instance.charCodeAt(i), 0x01000193);
  // 14 bits of instance, 6 of shard: 20 bits, so that tag * 2^32 + a sequence stays a safe integer.
  return ((h >>> 0) % 2 ** 14) * maxShards + (shard % maxShards);
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
  const role = options.role ?? 'both';
  const shard = typeof role === 'object' ? role.writer : 0;
  const instance = options.instance ?? randomBytes(8).toString('hex');
  const writes = role !== 'reader';
  // One thread per server measures the table and applies retention: the first shard's writer, or the only one.
  const keepsTable = role === 'both' || (typeof role === 'object' && shard === 0);
  if (keepsTable)
    logger?.info(
      { clickhouse: where, version: features.version, ttl: features.ttl, deduplicationToken: features.deduplicationToken },
      'The ClickHouse store is open.',
    );

  const retention = createRetention({ client, schema, maxAgeMs: options.retention?.maxAgeMs, maxBytes: options.retention?.maxBytes, logger });
  const counts = { entries: 0, bytesOnDisk: 0, deletedByRetention: 0 };
  const writerOptions: WriterOptions = {
    client,
    schema,
    features,
    tag: writerTag(instance, shard),
    logger,
    batchRows: options.batchRows,
    batchDelayMs: options.batchDelayMs,
    highWaterRows: options.highWaterRows,
    lowWaterRows: options.lowWaterRows,
    maxQueuedRows: options.maxQueuedRows,
    retryInitialMs: options.retryInitialMs,
    retryMaxMs: options.retryMaxMs,
    newestTsEveryMs: options.newestTsEveryMs,
    onWritten: (n) => {
      counts.entries += n;
    },
    onWorkloads: () => reader.invalidateWorkloads(),
  };
  const reader = createReader(client, schema);
  const writer = writes ? createWriter(writerOptions) : undefined;
  const aggregate = createClickHouseStats(client, schema, reader);

  async function applyRetention(): Promise<void> {
    const { deleted, size } = await retention.apply();
    counts.deletedByRetention += deleted;
    counts.entries = size.rows;
    counts.bytesOnDisk = size.bytes;
  }
  if (keepsTable) await applyRetention();
  let retentionRunning = false;
  const retentionTimer = setInterval(() => {
    if (retentionRunning || !keepsTable) return;
    retentionRunning = true;
    applyRetention()
      .catch((err: unknown) => logger?.warn({ err }, 'ClickHouse retention could not run; trying again later.'))
      .finally(() => {
        retentionRunning = false;
      });
  }, options.retentionIntervalMs ?? 10_000);
  retentionTimer.unref();

  let closing: Promise<void> | undefined;
  let closed = false;
  let failedAfterClose = 0;
  const tails = new Set<{ close(): Promise<void> }>();
  const ownTags = Array.from({ length: maxShards }, (_, i) => writerTag(instance, i));

  return {
    features,
    schema,
    write(rows) {
      if (closed || !writer) {
        failedAfterClose += rows.length;
        return false;
      }
      return writer.write(rows);
    },
    onDrain: (listener) => writer?.onDrain(listener),
    query: (q) => reader.query(q),
    workloads: () => reader.workloads(),
    aggregate: (q) => aggregate(q),
    stats(): StoreStats {
      const w = writer?.stats() ?? { pending: 0, written: 0, failed: 0 };
      return {
        entries: counts.entries,
        bytesOnDisk: counts.bytesOnDisk,
        pending: w.pending,
        written: w.written,
        failed: w.failed + failedAfterClose,
        deletedByRetention: counts.deletedByRetention,
      };
    },
    flush: async () => writer?.flush(),
    problem: () => writer?.problem() ?? null,
    followRemote(listener, active) {
      const tail = createRemoteTail({ client, schema, localWriters: ownTags, listener, active, logger, ...options.tail });
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
        if (writer && !(await settlesWithin(writer.drain(), timeoutMs))) {
          logger?.error({ pending: writer.stats().pending, timeoutMs }, 'ClickHouse did not take the queued entries before shutdown; they are given up.');
          writer.abandon();
          await settlesWithin(writer.drain(), 5_000);
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
