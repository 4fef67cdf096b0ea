/**
 * The ClickHouse schema: created on start when missing, its version recorded in `meshlog_schema`.
 *
 * `entries` is a MergeTree ordered by (cluster, namespace, workload, ts): "the latest N of these
 * workloads" reads only their ranges, and a time bound prunes within each range. It is partitioned
 * by day (`intDiv(ts, 86400000000)`, UTC days since the epoch) so that retention drops whole
 * partitions. The SQL is kept to what ClickHouse 18.16 (Debian's package) and current releases both
 * accept; what only newer servers have (TTL, insert deduplication) is switched on by `features`.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { ServerFeatures } from './features.js';
import { identifier, quote } from './sql.js';

/**
 * 1: the first ClickHouse schema.
 * 2: `entries.wk` (a hash of the workload's key, for grouping without reading three strings per
 * row) and `workloads.last_ts` (its newest entry, where "the latest N" starts looking); new tables
 * get granules of 1,024 rows, so fetching a few entries decompresses less of the entry column.
 */
export const schemaVersion = 2;

/** `entries.wk`: the workload's key as one number, computed by the server as rows arrive. */
export const workloadKeyOf = (cluster: string, namespace: string, workload: string) => `cityHash64(${cluster}, ${namespace}, ${workload})`;
const workloadKeyExpression = workloadKeyOf('cluster', 'namespace', 'workload');

/** Columns added since schema 1, for `ALTER TABLE ... ADD COLUMN` on a table made by an older meshlog. */
const addedColumns: ReadonlyArray<readonly [table: 'entries' | 'workloads', name: string, definition: string]> = [
  ['entries', 'wk', `UInt64 MATERIALIZED ${workloadKeyExpression}`],
  ['workloads', 'last_ts', 'Int64 DEFAULT 0'],
];

export const dayUs = 86_400_000_000;

/** Column name and type, in the order RowBinary batches carry them (`row-binary.ts` follows it). */
export const entryColumns = [
  ['ts', 'Int64'],
  ['id', 'UInt64'],
  ['batch', 'UInt64'],
  ['written_us', 'Int64'],
  ['kind', 'UInt8'],
  ['cluster', 'String'],
  ['namespace', 'String'],
  ['workload', 'String'],
  ['labels', 'String'],
  ['instance', 'String'],
  ['method', 'Nullable(String)'],
  ['authority', 'Nullable(String)'],
  ['path', 'Nullable(String)'],
  ['status', 'Nullable(Int32)'],
  ['duration_us', 'Nullable(Int64)'],
  ['response_flags', 'String'],
  ['upstream_cluster', 'Nullable(String)'],
  ['request_id', 'Nullable(String)'],
  ['direction', 'UInt8'],
  ['src_cluster', 'Nullable(String)'],
  ['src_namespace', 'Nullable(String)'],
  ['src_workload', 'Nullable(String)'],
  ['src_ip', 'Nullable(String)'],
  ['src_port', 'Nullable(Int32)'],
  ['dst_cluster', 'Nullable(String)'],
  ['dst_namespace', 'Nullable(String)'],
  ['dst_workload', 'Nullable(String)'],
  ['dst_ip', 'Nullable(String)'],
  ['dst_port', 'Nullable(Int32)'],
  ['dst_service', 'Nullable(String)'],
  ['bytes_received', 'Int64'],
  ['bytes_sent', 'Int64'],
  ['upstream_failure', 'Nullable(String)'],
  ['entry', 'String'],
] as const;

export const entryColumnList = entryColumns.map(([name]) => name).join(', ');

export interface SchemaOptions {
  readonly database: string;
  readonly cluster?: string;
  /** Width of a partition in microseconds: a day, or less in tests so that retention has partitions to drop. */
  readonly partitionUs: number;
  /** `--retention-age`: becomes a TTL where the server has TTL. */
  readonly maxAgeMs?: number;
}

export interface Schema {
  readonly database: string;
  readonly partitionUs: number;
  /** `db.entries`, quoted. */
  readonly entries: string;
  readonly workloads: string;
  /** `ON CLUSTER name ` or empty. */
  readonly onCluster: string;
}

/** The DDL statements, in order, that make the schema exist (each is idempotent). */
export function schemaStatements(options: SchemaOptions, features: ServerFeatures): string[] {
  const db = identifier(options.database);
  const on = onClusterClause(options.cluster);
  const engine = (table: string, kind: 'MergeTree' | 'ReplacingMergeTree', args = '') =>
    options.cluster === undefined
      ? `${kind}(${args})`
      : `Replicated${kind}(${quote(`/clickhouse/tables/{shard}/${options.database}/${table}`)}, '{replica}'${args ? `, ${args}` : ''})`;
  const ttl = features.ttl && options.maxAgeMs !== undefined ? ` TTL ${ttlExpression(options.maxAgeMs)}` : '';
  // Granules of 1,024 rows: an entry is ~700 bytes, and a row fetched by its key decompresses its whole granule.
  const settings = ['index_granularity = 1024'];
  if (features.ttlOnlyDropParts && ttl) settings.push('ttl_only_drop_parts = 1');
  if (features.nonReplicatedDeduplication && options.cluster === undefined) settings.push('non_replicated_deduplication_window = 1000');
  return [
    `CREATE DATABASE IF NOT EXISTS ${db} ${on}`.trim(),
    `CREATE TABLE IF NOT EXISTS ${db}.meshlog_schema ${on}(version UInt32, partition_us Int64, applied DateTime) ENGINE = ${engine('meshlog_schema', 'MergeTree')} ORDER BY version`,
    `CREATE TABLE IF NOT EXISTS ${db}.entries ${on}(${entryColumns.map(([name, type]) => `${name} ${type}`).join(', ')}, wk UInt64 MATERIALIZED ${workloadKeyExpression}) ENGINE = ${engine('entries', 'MergeTree')} PARTITION BY intDiv(ts, ${Math.floor(options.partitionUs)}) ORDER BY (cluster, namespace, workload, ts)${ttl} SETTINGS ${settings.join(', ')}`,
    `CREATE TABLE IF NOT EXISTS ${db}.workloads ${on}(cluster String, namespace String, name String, labels String, first_seen Int64, last_seen Int64, last_ts Int64 DEFAULT 0) ENGINE = ${engine('workloads', 'ReplacingMergeTree', 'last_seen')} ORDER BY (cluster, namespace, name)`,
  ];
}

async function recordVersion(client: ClickHouseClient, db: string, partitionUs: number): Promise<void> {
  await client.command({
    query: `INSERT INTO ${db}.meshlog_schema (version, partition_us, applied) VALUES (${schemaVersion}, ${Math.floor(partitionUs)}, now())`,
  });
}

/** Brings a table made by an older meshlog up to this schema (18.16 has no `ADD COLUMN IF NOT EXISTS`). */
async function addMissingColumns(client: ClickHouseClient, options: SchemaOptions): Promise<void> {
  const db = identifier(options.database);
  const result = await client.query({ query: `SELECT table, name FROM system.columns WHERE database = ${quote(options.database)}`, format: 'JSONEachRow' });
  const present = new Set((await result.json<{ table: string; name: string }>()).map((c) => `${c.table}.${c.name}`));
  for (const [table, name, definition] of addedColumns) {
    if (!present.has(`${table}.${name}`))
      await client.command({ query: `ALTER TABLE ${db}.${table} ${onClusterClause(options.cluster)}ADD COLUMN ${name} ${definition}` });
  }
}

export function onClusterClause(cluster: string | undefined): string {
  return cluster === undefined ? '' : `ON CLUSTER ${identifier(cluster)} `;
}

/** Rows expire `maxAgeMs` after they started (whole parts at once where `ttl_only_drop_parts` exists). */
export function ttlExpression(maxAgeMs: number): string {
  return `toDateTime(intDiv(ts, 1000000)) + toIntervalSecond(${Math.max(1, Math.ceil(maxAgeMs / 1000))})`;
}

/**
 * Creates what is missing and checks the recorded version. An existing store keeps the partition
 * width it was created with; a store written by a newer meshlog is refused.
 */
export async function ensureSchema(client: ClickHouseClient, options: SchemaOptions, features: ServerFeatures): Promise<Schema> {
  for (const statement of schemaStatements(options, features)) await client.command({ query: statement });
  const db = identifier(options.database);
  const result = await client.query({ query: `SELECT version, partition_us FROM ${db}.meshlog_schema ORDER BY version DESC LIMIT 1`, format: 'JSONEachRow' });
  const [recorded] = await result.json<{ version: number | string; partition_us: number | string }>();
  let partitionUs = options.partitionUs;
  if (recorded) {
    const version = Number(recorded.version);
    if (version > schemaVersion)
      throw new Error(`The ClickHouse store ${options.database} was written by a newer meshlog (schema ${version}; this one knows ${schemaVersion}).`);
    partitionUs = Number(recorded.partition_us);
    if (version < schemaVersion) {
      await addMissingColumns(client, options);
      await recordVersion(client, db, partitionUs);
    }
  } else {
    await recordVersion(client, db, partitionUs);
  }
  const on = onClusterClause(options.cluster);
  if (features.ttl && options.maxAgeMs !== undefined) {
    // The age may have changed since the table was made; MODIFY TTL rewrites parts, so only when it did.
    const ttl = ttlExpression(options.maxAgeMs);
    const tables = await client.query({
      query: `SELECT engine_full FROM system.tables WHERE database = ${quote(options.database)} AND name = 'entries'`,
      format: 'JSONEachRow',
    });
    const [table] = await tables.json<{ engine_full: string }>();
    if (!table?.engine_full.replace(/\s/g, '').includes(ttl.replace(/\s/g, '')))
      await client.command({ query: `ALTER TABLE ${db}.entries ${on}MODIFY TTL ${ttl}` });
  }
  return { database: options.database, partitionUs, entries: `${db}.entries`, workloads: `${db}.workloads`, onCluster: on };
}
