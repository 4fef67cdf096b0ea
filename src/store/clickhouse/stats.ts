/**
 * `aggregate` on ClickHouse: four GROUP BY queries over the filtered range (the groups with their
 * figures, then for those groups the top paths, the top failure reasons and the series). Percentiles
 * are `quantilesExact`, so both engines report the same values.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { assembleStats, type GroupFigures, type KeyedBucket, type KeyedCount, statsPercentiles } from '../stats-assemble.js';
import type { StatsGroupBy, StatsQuery, StatsResult } from '../types.js';
import type { Reader } from './reader.js';
import type { Schema } from './schema.js';
import { int, quote } from './sql.js';

const keyExpressions: Record<StatsGroupBy, readonly string[]> = {
  workload: ['cluster', 'namespace', 'workload'],
  edge: ['src_cluster', 'src_namespace', 'src_workload', 'dst_cluster', 'dst_namespace', 'dst_workload', 'dst_service'].map((c) => `ifNull(${c}, '')`),
  path: ["ifNull(path, '')"],
  status: ["if(status IS NULL, '', concat(toString(intDiv(assumeNotNull(status), 100)), 'xx'))"],
  flag: ['flag'],
};

const isError = 'ifNull(status, 0) >= 500 AND ifNull(status, 0) <= 599';
const failureReason = `multiIf(ifNull(upstream_failure, '') != '', ifNull(upstream_failure, ''), response_flags != '', response_flags, ${isError}, concat('HTTP ', toString(ifNull(status, 0))), '')`;

export function createClickHouseStats(client: ClickHouseClient, schema: Schema, reader: Reader) {
  const rows = async <T>(query: string): Promise<T[]> => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  return async function aggregate(q: StatsQuery): Promise<StatsResult> {
    const where = await reader.whereFor({ ...q.filter, since: q.since, until: q.until });
    if (!where) return { groups: [] };
    const keys = keyExpressions[q.groupBy];
    const keyAliases = keys.map((_, i) => `k${i}`);
    const selectKeys = keys.map((e, i) => `${e} AS k${i}`).join(', ');
    const from = `${schema.entries}${q.groupBy === 'flag' ? " ARRAY JOIN splitByChar(',', response_flags) AS flag" : ''}`;
    const whereText = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const keyOf = (r: Record<string, unknown>) => keyAliases.map((a) => String(r[a] ?? ''));

    const main = await rows<Record<string, string | number | Array<string | number>>>(
      `SELECT ${selectKeys}, count() AS requests, countIf(${isError}) AS errors5xx, countIf(response_flags != '') AS flagged, countIf(duration_us IS NOT NULL) AS timed, quantilesExact(${statsPercentiles.join(', ')})(duration_us) AS q, sum(bytes_received) AS bytes_received, sum(bytes_sent) AS bytes_sent FROM ${from}${whereText} GROUP BY ${keyAliases.join(', ')} ORDER BY requests DESC, ${keyAliases.join(', ')} LIMIT ${int(q.limit)}`,
    );
    if (main.length === 0) return { groups: [] };
    const groups: GroupFigures[] = main.map((r) => {
      const timed = Number(r['timed']) > 0;
      const quantiles = (r['q'] as Array<string | number>).map(Number);
      return {
        key: keyOf(r),
        requests: Number(r['requests']),
        errors5xx: Number(r['errors5xx']),
        flagged: Number(r['flagged']),
        p50Us: timed ? quantiles[0]! : null,
        p95Us: timed ? quantiles[1]! : null,
        p99Us: timed ? quantiles[2]! : null,
        bytesReceived: Number(r['bytes_received']),
        bytesSent: Number(r['bytes_sent']),
      };
    });
    // Only the chosen groups: the per-group queries read the same range, restricted to their keys.
    const tuple = (key: readonly string[]) => (key.length === 1 ? quote(key[0]!) : `(${key.map(quote).join(', ')})`);
    const inGroups = `${keys.length === 1 ? keyAliases[0] : `(${keyAliases.join(', ')})`} IN (${groups.map((g) => tuple(g.key)).join(', ')})`;
    const scoped = ` WHERE ${[...where, inGroups].join(' AND ')}`;
    const top = async (value: string, extra: string): Promise<KeyedCount[]> => {
      if (q.top <= 0) return [];
      const found = await rows<Record<string, string | number>>(
        `SELECT ${selectKeys}, ${value} AS v, count() AS c FROM ${from}${scoped}${extra} GROUP BY ${keyAliases.join(', ')}, v ORDER BY ${keyAliases.join(', ')}, c DESC, v LIMIT ${int(q.top)} BY ${keyAliases.join(', ')}`,
      );
      return found.map((r) => ({ key: keyOf(r), value: String(r['v']), requests: Number(r['c']) }));
    };
    const paths = await top("ifNull(path, '')", '');
    const failures = await top(failureReason, ` AND ${failureReason} != ''`);
    const bucket = int(Math.max(1, q.bucketUs));
    const series: KeyedBucket[] = (
      await rows<Record<string, string | number>>(
        `SELECT ${selectKeys}, intDiv(ts, ${bucket}) * ${bucket} AS bucket, count() AS requests, countIf(${isError}) AS errors5xx, countIf(response_flags != '') AS flagged FROM ${from}${scoped} GROUP BY ${keyAliases.join(', ')}, bucket ORDER BY bucket`,
      )
    ).map((r) => ({
      key: keyOf(r),
      start: Number(r['bucket']),
      requests: Number(r['requests']),
      errors5xx: Number(r['errors5xx']),
      flagged: Number(r['flagged']),
    }));
    return assembleStats(q.groupBy, groups, paths, failures, series);
  };
}
