/**
 * `aggregate` on ClickHouse: four GROUP BY queries over the filtered range (the groups with their
 * figures, then for those groups the top paths, the top failure reasons and the series). Percentiles
 * are `quantilesExact`, so both engines report the same values.
 *
 * By workload, the groups are `wk`, one number per row, and their names come from the workloads
 * table: hashing three strings per row was most of the time (over 10M rows on 18.16, grouping by
 * the strings took 0.46 s, by `wk` 0.02 s). The figures and the series then come from one scan
 * grouped by workload and bucket, and the percentiles from a narrower one (`workloadBuckets`).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { assembleStats, compareKeys, type GroupFigures, type KeyedBucket, type KeyedCount, statsPercentiles } from '../stats-assemble.js';
import type { StatsGroupBy, StatsQuery, StatsResult } from '../types.js';
import type { Reader } from './reader.js';
import { type Schema, workloadKeyOf } from './schema.js';
import { int, quote } from './sql.js';

const keyExpressions: Record<StatsGroupBy, readonly string[]> = {
  workload: ['wk'],
  edge: ['src_cluster', 'src_namespace', 'src_workload', 'dst_cluster', 'dst_namespace', 'dst_workload', 'dst_service'].map((c) => `ifNull(${c}, '')`),
  path: ["ifNull(path, '')"],
  status: ["if(status IS NULL, '', concat(toString(intDiv(assumeNotNull(status), 100)), 'xx'))"],
  flag: ['flag'],
};

const isError = 'ifNull(status, 0) >= 500 AND ifNull(status, 0) <= 599';
/** True for every row with a failure reason, and cheaper to check than the reason itself. */
const mayHaveFailure = `(response_flags != '' OR (${isError}) OR NOT isNull(upstream_failure))`;
const failureReason = `multiIf(ifNull(upstream_failure, '') != '', ifNull(upstream_failure, ''), response_flags != '', response_flags, ${isError}, concat('HTTP ', toString(ifNull(status, 0))), '')`;

const percentiles = `quantilesExact(${statsPercentiles.join(', ')})(duration_us)`;

/**
 * By workload, the series of every workload is read (not only of the chosen ones) when that is at
 * most this many buckets, known workloads times buckets in the range: 120,000 of them took 0.2 s
 * just to be read as JSON, more than the scan it saves.
 */
const maxSummedBuckets = 10_000;

/** A row of the groups' figures, as the main query answers (64-bit numbers as strings). */
type MainRow = Record<string, string | number | Array<string | number>>;

/** A `wk` key as SQL: UInt64 digits as the server wrote them (beyond a JS number's precision). */
const wkLiteral = (k: string) => (/^\d+$/.test(k) ? k : '0');

export function createClickHouseStats(client: ClickHouseClient, schema: Schema, reader: Reader) {
  // 64-bit numbers as strings, whatever the server's default: `wk` keys are beyond a JS number's precision.
  const rows = async <T>(query: string): Promise<T[]> =>
    (await client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } })).json<T>();

  return async function aggregate(q: StatsQuery): Promise<StatsResult> {
    const where = await reader.whereFor({ ...q.filter, since: q.since, until: q.until });
    if (!where) return { groups: [] };
    const keys = keyExpressions[q.groupBy];
    const keyAliases = keys.map((_, i) => `k${i}`);
    const selectKeys = keys.map((e, i) => `${e} AS k${i}`).join(', ');
    const from = `${schema.entries}${q.groupBy === 'flag' ? " ARRAY JOIN splitByChar(',', response_flags) AS flag" : ''}`;
    const whereText = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const keyOf = (r: Record<string, unknown>) => keyAliases.map((a) => String(r[a] ?? ''));

    const byWorkload = q.groupBy === 'workload';
    const bucket = int(Math.max(1, q.bucketUs));
    // By workload every group comes back (there are few) and the limit is applied once they have
    // names, to order ties as SQLite does. Then, unless that makes too many buckets, the series of
    // every workload is read and the groups' counts are its buckets summed: one scan fewer (at 10M
    // rows on 18.16, p50 0.75 -> 0.70 s).
    const summed = byWorkload && (await reader.workloads()).length * ((q.until - q.since) / Math.max(1, q.bucketUs) + 1) <= maxSummedBuckets;
    const buckets = summed ? await workloadBuckets(from, whereText, bucket) : undefined;
    const main =
      buckets?.groups ??
      (await rows<MainRow>(
        `SELECT ${selectKeys}, count() AS requests, countIf(${isError}) AS errors5xx, countIf(response_flags != '') AS flagged, count(duration_us) AS timed, ${percentiles} AS q, sum(bytes_received) AS bytes_received, sum(bytes_sent) AS bytes_sent FROM ${from}${whereText} GROUP BY ${keyAliases.join(', ')} ORDER BY requests DESC, ${keyAliases.join(', ')}${byWorkload ? '' : ` LIMIT ${int(q.limit)}`}`,
      ));
    if (main.length === 0) return { groups: [] };
    const literal = byWorkload ? wkLiteral : quote;
    const tuple = (key: readonly string[]) => (key.length === 1 ? literal(key[0]!) : `(${key.map(literal).join(', ')})`);
    let groups: Array<GroupFigures & { readonly sqlKey: string }> = main.map((r) => {
      const timed = Number(r['timed']) > 0;
      // Empty when the percentiles' own query (by workload) no longer found the group: its rows were dropped in between.
      const quantiles = (r['q'] as Array<string | number>).map(Number);
      return {
        key: keyOf(r),
        sqlKey: tuple(keyOf(r)),
        requests: Number(r['requests']),
        errors5xx: Number(r['errors5xx']),
        flagged: Number(r['flagged']),
        p50Us: timed ? (quantiles[0] ?? null) : null,
        p95Us: timed ? (quantiles[1] ?? null) : null,
        p99Us: timed ? (quantiles[2] ?? null) : null,
        bytesReceived: Number(r['bytes_received']),
        bytesSent: Number(r['bytes_sent']),
      };
    });
    const names = byWorkload
      ? await workloadNames(
          groups.map((g) => g.key[0]!),
          whereText,
        )
      : undefined;
    const named = <T extends { key: readonly string[] }>(r: T): T => (names ? { ...r, key: names.get(r.key[0]!) ?? ['', '', ''] } : r);
    if (names)
      groups = groups
        .map(named)
        .sort((a, b) => b.requests - a.requests || compareKeys(a.key, b.key))
        .slice(0, Math.max(0, q.limit));
    if (groups.length === 0) return { groups: [] };
    // The per-group queries read the same range, restricted to the chosen groups when the limit left some out.
    const cut = byWorkload ? groups.length < main.length : main.length >= q.limit;
    const inGroups = `${keys.length === 1 ? keyAliases[0] : `(${keyAliases.join(', ')})`} IN (${groups.map((g) => g.sqlKey).join(', ')})`;
    const scopedWhere = cut ? [...where, inGroups] : where;
    const scoped = scopedWhere.length ? ` WHERE ${scopedWhere.join(' AND ')}` : '';
    const top = async (value: string, extra: string): Promise<KeyedCount[]> => {
      if (q.top <= 0) return [];
      const found = await rows<Record<string, string | number>>(
        `SELECT ${selectKeys}, ${value} AS v, count() AS c FROM ${from}${scoped}${extra} GROUP BY ${keyAliases.join(', ')}, v ORDER BY ${keyAliases.join(', ')}, c DESC, v LIMIT ${int(q.top)} BY ${keyAliases.join(', ')}`,
      );
      return found.map((r) => named({ key: keyOf(r), value: String(r['v']), requests: Number(r['c']) }));
    };
    const paths = await top("ifNull(path, '')", '');
    const failures = await top(failureReason, `${scoped ? ' AND' : ' WHERE'} ${mayHaveFailure} AND ${failureReason} != ''`);
    const chosen = new Set(groups.map((g) => g.sqlKey));
    const series: KeyedBucket[] = buckets
      ? buckets.series.filter((b) => chosen.has(wkLiteral(b.key[0]!))).map(named)
      : (
          await rows<Record<string, string | number>>(
            `SELECT ${selectKeys}, intDiv(ts, ${bucket}) * ${bucket} AS bucket, count() AS requests, countIf(${isError}) AS errors5xx, countIf(response_flags != '') AS flagged FROM ${from}${scoped} GROUP BY ${keyAliases.join(', ')}, bucket ORDER BY bucket`,
          )
        ).map((r) =>
          named({
            key: keyOf(r),
            start: Number(r['bucket']),
            requests: Number(r['requests']),
            errors5xx: Number(r['errors5xx']),
            flagged: Number(r['flagged']),
          }),
        );
    return assembleStats(q.groupBy, groups, paths, failures, series);
  };

  /**
   * By workload: each workload's series from one scan grouped by workload and bucket, its counts
   * and bytes summed from those buckets, and its percentiles from a second scan that reads only
   * `wk`, `ts` and the durations.
   */
  async function workloadBuckets(from: string, whereText: string, bucket: string): Promise<{ groups: MainRow[]; series: KeyedBucket[] }> {
    const found = await rows<Record<string, string>>(
      `SELECT wk AS k0, intDiv(ts, ${bucket}) * ${bucket} AS bucket, count() AS requests, countIf(${isError}) AS errors5xx, countIf(response_flags != '') AS flagged, count(duration_us) AS timed, sum(bytes_received) AS bytes_received, sum(bytes_sent) AS bytes_sent FROM ${from}${whereText} GROUP BY k0, bucket`,
    );
    if (found.length === 0) return { groups: [], series: [] };
    const sums = ['requests', 'errors5xx', 'flagged', 'timed', 'bytes_received', 'bytes_sent'] as const;
    const groups = new Map<string, Record<(typeof sums)[number], number> & { k0: string; q: Array<string | number> }>();
    const series: KeyedBucket[] = [];
    for (const r of found) {
      const k0 = r['k0']!;
      let g = groups.get(k0);
      if (!g) {
        g = { k0, q: [], requests: 0, errors5xx: 0, flagged: 0, timed: 0, bytes_received: 0, bytes_sent: 0 };
        groups.set(k0, g);
      }
      for (const f of sums) g[f] += Number(r[f]);
      series.push({ key: [k0], start: Number(r['bucket']), requests: Number(r['requests']), errors5xx: Number(r['errors5xx']), flagged: Number(r['flagged']) });
    }
    for (const r of await rows<{ k0: string; q: Array<string | number> }>(`SELECT wk AS k0, ${percentiles} AS q FROM ${from}${whereText} GROUP BY k0`)) {
      const g = groups.get(r.k0);
      if (g) g.q = r.q;
    }
    return { groups: [...groups.values()], series };
  }

  /** `wk` → [cluster, namespace, workload], from the workloads table (from the rows themselves for one it lacks). */
  async function workloadNames(keys: readonly string[], whereText: string): Promise<Map<string, string[]>> {
    const names = new Map<string, string[]>();
    const known = await rows<{ wk: string; cluster: string; namespace: string; name: string }>(
      `SELECT DISTINCT toString(${workloadKeyOf('cluster', 'namespace', 'name')}) AS wk, cluster, namespace, name FROM ${schema.workloads}`,
    );
    for (const w of known) names.set(w.wk, [w.cluster, w.namespace, w.name]);
    const missing = keys.filter((k) => !names.has(k));
    if (missing.length > 0) {
      const found = await rows<{ wk: string; cluster: string; namespace: string; workload: string }>(
        `SELECT toString(wk) AS wk, any(cluster) AS cluster, any(namespace) AS namespace, any(workload) AS workload FROM ${schema.entries}${whereText ? `${whereText} AND` : ' WHERE'} wk IN (${missing.map(wkLiteral).join(', ')}) GROUP BY wk`,
      );
      for (const w of found) names.set(w.wk, [w.cluster, w.namespace, w.workload]);
    }
    return names;
  }
}
