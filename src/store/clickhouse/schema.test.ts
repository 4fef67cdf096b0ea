/**
 * The ClickHouse schema over time, on Debian's 18.16: a database made by an older meshlog (schema 1)
 * is brought up to date in place, and "the latest N" stays right when the newest entry the
 * workloads table knows of is behind what the entries table holds.
 */
import { createClient } from '@clickhouse/client';
import { afterEach, describe, expect, it } from 'vitest';
import { contractRow } from '../testing/contract.js';
import type { StatsQuery } from '../types.js';
import { clickHouseTarget } from './config.js';
import { type ClickHouseStore, createClickHouseStore } from './index.js';
import { entryColumnList, schemaVersion } from './schema.js';
import { clickHouseUrl, dropDatabase, freshDatabase } from './testing/harness.js';

const hourUs = 3_600_000_000;

/** What meshlog created with schema 1, statement for statement. */
const schemaOne = (db: string) => [
  `CREATE DATABASE ${db}`,
  `CREATE TABLE ${db}.meshlog_schema (version UInt32, partition_us Int64, applied DateTime) ENGINE = MergeTree() ORDER BY version`,
  `CREATE TABLE ${db}.entries (ts Int64, id UInt64, batch UInt64, written_us Int64, kind UInt8, cluster String, namespace String, workload String, labels String, instance String, method Nullable(String), authority Nullable(String), path Nullable(String), status Nullable(Int32), duration_us Nullable(Int64), response_flags String, upstream_cluster Nullable(String), request_id Nullable(String), direction UInt8, src_cluster Nullable(String), src_namespace Nullable(String), src_workload Nullable(String), src_ip Nullable(String), src_port Nullable(Int32), dst_cluster Nullable(String), dst_namespace Nullable(String), dst_workload Nullable(String), dst_ip Nullable(String), dst_port Nullable(Int32), dst_service Nullable(String), bytes_received Int64, bytes_sent Int64, upstream_failure Nullable(String), entry String) ENGINE = MergeTree() PARTITION BY intDiv(ts, 86400000000) ORDER BY (cluster, namespace, workload, ts) SETTINGS index_granularity = 8192`,
  `CREATE TABLE ${db}.workloads (cluster String, namespace String, name String, labels String, first_seen Int64, last_seen Int64) ENGINE = ReplacingMergeTree(last_seen) ORDER BY (cluster, namespace, name)`,
  `INSERT INTO ${db}.meshlog_schema (version, partition_us, applied) VALUES (1, 86400000000, now())`,
];

const byWorkload = (since: number, until: number): StatsQuery => ({ groupBy: 'workload', filter: {}, since, until, bucketUs: hourUs, limit: 10, top: 3 });

describe('the ClickHouse schema (18.16)', () => {
  const admin = createClient({ url: clickHouseUrl() });
  let store: ClickHouseStore | undefined;
  let database: string | undefined;

  afterEach(async () => {
    await store?.close();
    if (database) await dropDatabase(database);
    store = database = undefined;
  });

  const open = async (db: string) =>
    (store = await createClickHouseStore({ target: clickHouseTarget(`clickhouse://default:@${new URL(clickHouseUrl()).host}/${db}`), retryInitialMs: 20 }));

  it('brings a store made with schema 1 up to date, keeping its entries and their workloads', async () => {
    const db = (database = freshDatabase());
    for (const query of schemaOne(db)) await admin.command({ query });
    const old = Date.now() * 1000 - 2 * hourUs;
    // An entry meshlog 1 stored, with the columns it wrote (the rest take their defaults).
    await admin.command({
      query: `INSERT INTO ${db}.entries (ts, id, cluster, namespace, workload, labels, status, duration_us, entry) VALUES (${old}, 1, 'mgmt-cluster', 'bookinfo', 'reviews-v1', '{"app":"reviews"}', 200, 1000, 'x')`,
    });
    await admin.command({
      query: `INSERT INTO ${db}.workloads (cluster, namespace, name, labels, first_seen, last_seen) VALUES ('mgmt-cluster', 'bookinfo', 'reviews-v1', '{"app":"reviews"}', 1, 1)`,
    });

    const s = await open(db);
    const columns = await (
      await admin.query({ query: `SELECT table, name FROM system.columns WHERE database = '${db}' AND name IN ('wk', 'last_ts')`, format: 'JSONEachRow' })
    ).json<{ table: string; name: string }>();
    expect(columns.map((c) => `${c.table}.${c.name}`).sort()).toEqual(['entries.wk', 'workloads.last_ts']);
    const [recorded] = await (await admin.query({ query: `SELECT max(version) AS v FROM ${db}.meshlog_schema`, format: 'JSONEachRow' })).json<{ v: number }>();
    expect(Number(recorded!.v)).toBe(schemaVersion);

    // New entries beside the old one: queries and stats see both, the old row's `wk` computed as it is read.
    const now = Date.now() * 1000;
    s.write([contractRow(0, { ts: now - 1000 }), contractRow(2, { ts: now - 500 })]);
    await s.flush();
    expect((await s.query({ selectors: [{ labels: { app: 'reviews' } }], limit: 10 })).items.map((e) => e.ts)).toEqual([now - 1000, old]);
    const stats = await s.aggregate(byWorkload(old - 1, now));
    expect(stats.groups.map((g) => [g.key['workload'], g.requests])).toEqual([
      ['reviews-v1', 2],
      ['details-v1', 1],
    ]);
    expect(stats.groups[0]!.key).toMatchObject({ cluster: 'mgmt-cluster', namespace: 'bookinfo' });
  });

  it('returns the newest entries when the workloads table knows only older ones', async () => {
    const db = (database = freshDatabase());
    const s = await open(db);
    // Entries of two days ago: the store records them as the workload's newest.
    const then = Date.now() * 1000 - 48 * hourUs;
    s.write(Array.from({ length: 30 }, (_, i) => contractRow(i * 3, { ts: then + i * 1000 })));
    await s.flush();
    // Newer entries another server stored within the minute, before it updated the workloads table.
    const newer = then + hourUs;
    await admin.command({
      query: `INSERT INTO ${db}.entries (${entryColumnList}) SELECT ts + ${hourUs}, id + 1000000, batch, written_us, kind, cluster, namespace, workload, labels, instance, method, authority, path, status, duration_us, response_flags, upstream_cluster, request_id, direction, src_cluster, src_namespace, src_workload, src_ip, src_port, dst_cluster, dst_namespace, dst_workload, dst_ip, dst_port, dst_service, bytes_received, bytes_sent, upstream_failure, entry FROM ${db}.entries WHERE ts < ${then + 3000}`,
    });
    const latest = await s.query({ selectors: [{ labels: { app: 'reviews' } }], limit: 4 });
    expect(latest.items.map((e) => e.ts)).toEqual([newer + 2000, newer + 1000, newer, then + 29_000]);
    // Paging on from there crosses back into the older entries without a gap.
    const next = await s.query({ selectors: [{ labels: { app: 'reviews' } }], limit: 2, cursor: latest.nextCursor });
    expect(next.items.map((e) => e.ts)).toEqual([then + 28_000, then + 27_000]);
  });

  it('keeps the newest entry of each workload in the workloads table to within seconds, not a minute', async () => {
    const db = (database = freshDatabase());
    const s = (store = await createClickHouseStore({
      target: clickHouseTarget(`clickhouse://default:@${new URL(clickHouseUrl()).host}/${db}`),
      retryInitialMs: 20,
      newestTsEveryMs: 50,
    }));
    const now = Date.now() * 1000;
    const newestTs = async () => {
      const result = await admin.query({ query: `SELECT max(last_ts) AS t FROM ${db}.workloads WHERE name = 'reviews-v1'`, format: 'JSONEachRow' });
      return Number((await result.json<{ t: string }>())[0]!.t);
    };
    s.write([contractRow(0, { ts: now - 5000 })]);
    await s.flush();
    expect(await newestTs()).toBe(now - 5000);
    await new Promise((resolve) => setTimeout(resolve, 80));
    s.write([contractRow(0, { ts: now - 1000 }), contractRow(0, { ts: now - 2000 })]);
    await s.flush();
    expect(await newestTs()).toBe(now - 1000);
    // An older entry arriving late does not move it back.
    await new Promise((resolve) => setTimeout(resolve, 80));
    s.write([contractRow(0, { ts: now - 9000 })]);
    await s.flush();
    expect(await newestTs()).toBe(now - 1000);
  });
});
