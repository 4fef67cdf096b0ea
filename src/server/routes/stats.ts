/**
 * `GET /api/v1/stats`: golden signals over a time range, grouped by workload, edge (source →
 * destination), path, status class or response flag, with the same filters as `/api/v1/logs`.
 * Each group has requests and requests per second, the 5xx and flagged rates, p50/p95/p99
 * duration, bytes, the top paths and failure reasons, and a series of time buckets for charts.
 */
import type { Hono } from 'hono';
import { createViolations, type Violation } from '../../model/violations.js';
import { type LogReader, type StatsGroup, type StatsGroupBy, type StatsQuery, statsGroupBys } from '../../store/types.js';
import { parseDuration } from '../../util/duration.js';
import { parseLogsParams } from '../log-query-params.js';

export interface StatsRoutesDeps {
  readonly store: Pick<LogReader, 'aggregate'>;
}

export const defaultStatsWindowMs = 15 * 60_000;
const defaultTop = 5;
const maxTop = 100;
const maxBuckets = 10_000;
/** Bucket widths the series snaps to, so a chart's buckets fall on round times. */
const bucketSteps = ['1s', '5s', '10s', '15s', '30s', '1m', '5m', '10m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '7d'].map(
  (d) => parseDuration(d)! * 1000,
);

/** Parameters of `/api/v1/logs` that make no sense for an aggregation. */
const notForStats = ['cursor', 'follow', 'format'];

export function parseStatsParams(
  params: URLSearchParams,
  now: number = Date.now(),
): { ok: true; query: StatsQuery } | { ok: false; violations: readonly Violation[] } {
  const v = createViolations();
  const own = new URLSearchParams(params);
  const take = (name: string) => {
    const value = own.get(name) ?? undefined;
    own.delete(name);
    return value;
  };
  const groupBy = take('groupBy') ?? 'workload';
  if (!statsGroupBys.includes(groupBy as StatsGroupBy)) v.add('groupBy', `"${groupBy}" is not one of ${statsGroupBys.join(', ')}`);
  const topText = take('top');
  const top = topText === undefined ? defaultTop : Number(topText);
  if (!Number.isInteger(top) || top < 0 || top > maxTop) v.add('top', `must be an integer from 0 to ${maxTop}`);
  const bucketText = take('bucket');
  const bucketMs = bucketText === undefined ? undefined : parseDuration(bucketText);
  if (bucketText !== undefined && (bucketMs === undefined || bucketMs < 1)) v.add('bucket', `"${bucketText}" is not a duration like 10s or 5m`);
  for (const name of notForStats) if (own.has(name)) v.add(name, 'not a parameter of /api/v1/stats');
  for (const name of notForStats) own.delete(name);
  if (!own.has('since')) own.set('since', `${defaultStatsWindowMs / 1000}s`);
  const logs = parseLogsParams(own, now);
  if (!logs.ok) for (const violation of logs.violations) v.add(violation.field, violation.message);
  if (!v.ok || !logs.ok) return { ok: false, violations: v.list };
  const { limit, since, until: givenUntil, cursor: _cursor, ...filter } = logs.request.query;
  const until = givenUntil ?? now * 1000;
  const from = since ?? until - defaultStatsWindowMs * 1000;
  if (from >= until) return { ok: false, violations: [{ field: 'since', message: 'must be before until' }] };
  const range = until - from;
  const bucketUs = bucketMs !== undefined ? bucketMs * 1000 : (bucketSteps.find((b) => range / b <= 60) ?? bucketSteps.at(-1)!);
  if (range / bucketUs > maxBuckets) return { ok: false, violations: [{ field: 'bucket', message: `makes more than ${maxBuckets} buckets over this range` }] };
  return { ok: true, query: { groupBy: groupBy as StatsGroupBy, filter, since: from, until, bucketUs, limit, top } };
}

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1e6) / 1e6);
const ms = (us: number | null) => (us === null ? null : us / 1000);

/** One group as the API shows it: rates next to counts, durations in milliseconds, times in RFC 3339. */
export function statsGroupJson(g: StatsGroup, seconds: number): Record<string, unknown> {
  return {
    key: g.key,
    requests: g.requests,
    requestsPerSecond: Math.round((g.requests / seconds) * 1000) / 1000,
    errors5xx: g.errors5xx,
    errorRate: ratio(g.errors5xx, g.requests),
    flagged: g.flagged,
    flaggedRate: ratio(g.flagged, g.requests),
    durationMs: { p50: ms(g.p50Us), p95: ms(g.p95Us), p99: ms(g.p99Us) },
    bytesReceived: g.bytesReceived,
    bytesSent: g.bytesSent,
    topPaths: g.topPaths.map((p) => ({ path: p.value, requests: p.requests })),
    topFailures: g.topFailures.map((f) => ({ reason: f.value, requests: f.requests })),
    series: g.series.map((b) => ({ start: iso(b.start), requests: b.requests, errors5xx: b.errors5xx, flagged: b.flagged })),
  };
}

export function addStatsRoutes(app: Hono, { store }: StatsRoutesDeps): void {
  app.get('/api/v1/stats', async (c) => {
    const parsed = parseStatsParams(new URL(c.req.url).searchParams);
    if (!parsed.ok) return c.json({ error: 'invalid query parameters', violations: parsed.violations }, 400);
    const q = parsed.query;
    const result = await store.aggregate(q);
    const seconds = (q.until - q.since) / 1e6;
    return c.json({
      groupBy: q.groupBy,
      since: iso(q.since),
      until: iso(q.until),
      bucketSeconds: q.bucketUs / 1e6,
      groups: result.groups.map((g) => statsGroupJson(g, seconds)),
    });
  });
}
