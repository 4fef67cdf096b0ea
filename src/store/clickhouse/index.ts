/**
 * The scale-out store: ClickHouse, shared by several meshlog servers. MergeTree partitioned by day,
 * batched RowBinary inserts retried and deduplicated per batch, the same answers as SQLite, and a
 * tail of the table for watchers on every server. Runs on Debian's 18.16 and current releases.
 */
export { type ClickHouseStore, type ClickHouseStoreOptions, createClickHouseStore } from './clickhouse-store.js';
export { type ClickHouseFlags, clickHouseTarget, describeTarget, isClickHouseSpec, withClickHouseFlags } from './config.js';
