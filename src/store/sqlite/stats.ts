/**
 * `aggregate` on SQLite: GROUP BY queries for the groups and their counts, top paths and failure
 * reasons per group (window functions), series buckets, and percentiles picked in JS from the
 * sorted durations of each group (SQLite has no percentile function), by the same rule as
 * ClickHouse's `quantileExact`.
 */
import type Database from 'better-sqlite3';
import { assembleStats, type GroupFigures, type KeyedBucket, type KeyedCount, percentileIndex, statsPercentiles } from '../stats-assemble.js';
import type { LogQuery, StatsGroupBy, StatsQuery, StatsResult, StoredWorkload } from '../types.js';
import { selectWorkloads } from '../workload-select.js';

type Conditions = (q: Omit<LogQuery, 'limit'>) => { where: string[]; params: unknown[] };

const keyExpressions: Record<StatsGroupBy, readonly string[]> = {
  // Resolved to cluster, namespace and name in JS: the workloads table is small.
  workload: ['workload_id'],
  edge: ['src_cluster', 'src_namespace', 'src_workload', 'dst_cluster', 'dst_namespace', 'dst_workload', 'dst_service'].map((c) => `coalesce(${c}, '')`),
  path: ["coalesce(path, '')"],
  status: ["CASE WHEN status IS NULL THEN '' ELSE (status / 100) || 'xx' END"],
  flag: ['flag'],
};

const isError = 'status BETWEEN 500 AND 599';
const failureReason =
  "CASE WHEN coalesce(upstream_failure, '') != '' THEN upstream_failure WHEN response_flags != '' THEN response_flags WHEN status BETWEEN 500 AND 599 THEN 'HTTP ' || status ELSE '' END";

export function aggregate(db: Database.Database, q: StatsQuery, workloads: readonly StoredWorkload[], conditions: Conditions): StatsResult {
  const filter = { ...q.filter, since: q.since, until: q.until };
  const selected = selectWorkloads(filter, workloads)?.map((w) => w.id);
  if (selected?.length === 0) return { groups: [] };
  const { where, params } = conditions(filter);
  if (selected) where.push(`workload_id IN (${selected.join(',')})`);
  const keys = keyExpressions[q.groupBy];
  const aliases = keys.map((_, i) => `k${i}`);
  const selectKeys = keys.map((e, i) => `${e} AS k${i}`).join(', ');
  const filtered = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  // One row per flag an entry carries; json_each has columns of its own (path, id), so the entries are filtered first.
  const from =
    q.groupBy === 'flag'
      ? `(SELECT e.*, f.value AS flag FROM (SELECT ts, status, response_flags, path, duration_us, bytes_received, bytes_sent, upstream_failure FROM entries${filtered}) AS e, json_each('["' || replace(e.response_flags, ',', '","') || '"]') AS f)`
      : 'entries';
  const base = q.groupBy === 'flag' ? [] : where;
  const whereText = base.length ? ` WHERE ${base.join(' AND ')}` : '';
  const byId = new Map(workloads.map((w) => [w.id, [w.ref.clusterName, w.ref.namespace, w.ref.name]]));
  const keyOf = (r: Record<string, unknown>) => (q.groupBy === 'workload' ? (byId.get(Number(r.k0)) ?? ['', '', '']) : aliases.map((a) => String(r[a] ?? '')));

  const all = db
    .prepare(
      `SELECT ${selectKeys}, count(*) AS requests, sum(${isError}) AS errors5xx, sum(response_flags != '') AS flagged, sum(bytes_received) AS bytes_received, sum(bytes_sent) AS bytes_sent FROM ${from}${whereText} GROUP BY ${aliases.join(', ')}`,
    )
    .all(...params) as Array<Record<string, number | string>>;
  const compareKeys = (a: readonly string[], b: readonly string[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return Buffer.compare(Buffer.from(a[i]!), Buffer.from(b[i]!));
    return 0;
  };
  const chosen = all
    .map((r) => ({ row: r, key: keyOf(r), requests: Number(r.requests) }))
    .sort((a, b) => b.requests - a.requests || compareKeys(a.key, b.key))
    .slice(0, Math.max(0, q.limit));
  if (chosen.length === 0) return { groups: [] };

  // The per-group queries read the same rows, restricted to the chosen groups' keys.
  const scopeParams: unknown[] = [];
  const scope = `(${aliases.length === 1 ? keys[0] : keys.join(', ')}) IN (VALUES ${chosen.map(() => `(${aliases.map(() => '?').join(', ')})`).join(', ')})`;
  for (const c of chosen) for (let i = 0; i < aliases.length; i++) scopeParams.push(c.row[aliases[i]!]);
  const scoped = ` WHERE ${[...base, scope].join(' AND ')}`;
  const scopedParams = [...params, ...scopeParams];

  const durations = new Map<string, number[]>();
  const durationRows = db
    .prepare(`SELECT ${selectKeys}, duration_us AS d FROM ${from}${scoped} AND duration_us IS NOT NULL`)
    .raw()
    .iterate(...scopedParams) as Iterable<unknown[]>;
  for (const r of durationRows) {
    const k = r.slice(0, aliases.length).join('\u0000');
    const list = durations.get(k);
    if (list) list.push(Number(r[aliases.length]));
    else durations.set(k, [Number(r[aliases.length])]);
  }
  const groups: GroupFigures[] = chosen.map(({ row, key }) => {
    const sorted = Float64Array.from(durations.get(aliases.map((a) => String(row[a])).join('\u0000')) ?? []).sort();
    const pick = (p: number) => (sorted.length ? sorted[percentileIndex(p, sorted.length)]! : null);
    return {
      key,
      requests: Number(row.requests),
      errors5xx: Number(row.errors5xx),
      flagged: Number(row.flagged),
      p50Us: pick(statsPercentiles[0]),
      p95Us: pick(statsPercentiles[1]),
      p99Us: pick(statsPercentiles[2]),
      bytesReceived: Number(row.bytes_received),
      bytesSent: Number(row.bytes_sent),
    };
  });

  const top = (value: string, extra: string): KeyedCount[] => {
    if (q.top <= 0) return [];
    const rows = db
      .prepare(
        `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY ${aliases.join(', ')} ORDER BY c DESC, v) AS rn FROM (SELECT ${selectKeys}, ${value} AS v, count(*) AS c FROM ${from}${scoped}${extra} GROUP BY ${aliases.join(', ')}, v)) WHERE rn <= ?`,
      )
      .all(...scopedParams, Math.floor(q.top)) as Array<Record<string, string | number>>;
    return rows.map((r) => ({ key: keyOf(r), value: String(r.v), requests: Number(r.c) }));
  };
  const paths = top("coalesce(path, '')", '');
  const failures = top(failureReason, ` AND (${failureReason}) != ''`);
  const bucket = Math.max(1, Math.floor(q.bucketUs));
  const series: KeyedBucket[] = (
    db
      .prepare(
        `SELECT ${selectKeys}, (ts / ${bucket}) * ${bucket} AS bucket, count(*) AS requests, sum(${isError}) AS errors5xx, sum(response_flags != '') AS flagged FROM ${from}${scoped} GROUP BY ${aliases.join(', ')}, bucket`,
      )
      .all(...scopedParams) as Array<Record<string, string | number>>
  ).map((r) => ({
    key: keyOf(r),
    start: Number(r.bucket),
    requests: Number(r.requests),
    errors5xx: Number(r.errors5xx),
    flagged: Number(r.flagged),
  }));
  return assembleStats(q.groupBy, groups, paths, failures, series);
}
