/**
 * `aggregate` for an engine that reads its rows in JS (SQLite's chunks): each matching row is
 * added once, every figure kept per group; then the busiest groups are chosen and finished
 * (percentiles by the rule of ClickHouse's `quantileExact`, top paths and failure reasons, series).
 */
import { assembleStats, compareKeys, type GroupFigures, type KeyedBucket, type KeyedCount, percentileIndex, statsPercentiles } from './stats-assemble.js';
import type { EntryRow, StatsGroupBy, StatsQuery, StatsResult } from './types.js';

interface Group {
  readonly key: string[];
  requests: number;
  errors5xx: number;
  flagged: number;
  bytesReceived: number;
  bytesSent: number;
  durations: number[];
  paths: Map<string, number>;
  failures: Map<string, number>;
  buckets: Map<number, { requests: number; errors5xx: number; flagged: number }>;
}

const s = (v: string | null) => v ?? '';

/** The group keys of a row: one, or one per response flag when grouping by flag. */
const keysOf: Record<StatsGroupBy, (r: EntryRow) => string[][]> = {
  workload: (r) => [[r.workload.clusterName, r.workload.namespace, r.workload.name]],
  edge: (r) => {
    const [a, b] = [r.source, r.destination];
    return [[s(a.cluster), s(a.namespace), s(a.workload), s(b.cluster), s(b.namespace), s(b.workload), s(b.service)]];
  },
  path: (r) => [[s(r.path)]],
  status: (r) => [[r.status === null ? '' : `${Math.trunc(r.status / 100)}xx`]],
  flag: (r) => r.responseFlags.split(',').map((f) => [f]),
};

/** Why an entry failed: the upstream failure, else its flags, else its 5xx status; '' when it did not. */
export function failureReason(r: EntryRow): string {
  if (r.upstreamFailure) return r.upstreamFailure;
  if (r.responseFlags !== '') return r.responseFlags;
  return r.status !== null && r.status >= 500 && r.status <= 599 ? `HTTP ${r.status}` : '';
}

export function createStatsAccumulator(q: StatsQuery) {
  const groups = new Map<string, Group>();
  const bucketUs = Math.max(1, Math.floor(q.bucketUs));
  const keys = keysOf[q.groupBy];
  return {
    /** Adds a row that matches the query's filters and range (the row may be a view reused after the call). */
    add(r: EntryRow): void {
      const status = r.status;
      const isError = status !== null && status >= 500 && status <= 599;
      const flagged = r.responseFlags !== '';
      const duration = r.durationUs;
      const path = q.top > 0 ? s(r.path) : '';
      const reason = q.top > 0 ? failureReason(r) : '';
      const bucket = Math.trunc(r.ts / bucketUs) * bucketUs;
      for (const key of keys(r)) {
        const k = key.join('\u0000');
        let g = groups.get(k);
        if (!g) {
          g = {
            key,
            requests: 0,
            errors5xx: 0,
            flagged: 0,
            bytesReceived: 0,
            bytesSent: 0,
            durations: [],
            paths: new Map(),
            failures: new Map(),
            buckets: new Map(),
          };
          groups.set(k, g);
        }
        g.requests++;
        if (isError) g.errors5xx++;
        if (flagged) g.flagged++;
        g.bytesReceived += r.bytesReceived;
        g.bytesSent += r.bytesSent;
        if (duration !== null) g.durations.push(duration);
        if (q.top > 0) {
          g.paths.set(path, (g.paths.get(path) ?? 0) + 1);
          if (reason !== '') g.failures.set(reason, (g.failures.get(reason) ?? 0) + 1);
        }
        const b = g.buckets.get(bucket);
        if (b) {
          b.requests++;
          if (isError) b.errors5xx++;
          if (flagged) b.flagged++;
        } else g.buckets.set(bucket, { requests: 1, errors5xx: isError ? 1 : 0, flagged: flagged ? 1 : 0 });
      }
    },
    result(): StatsResult {
      const chosen = [...groups.values()].sort((a, b) => b.requests - a.requests || compareKeys(a.key, b.key)).slice(0, Math.max(0, q.limit));
      const figures: GroupFigures[] = [];
      const paths: KeyedCount[] = [];
      const failures: KeyedCount[] = [];
      const series: KeyedBucket[] = [];
      for (const g of chosen) {
        const sorted = Float64Array.from(g.durations).sort();
        const pick = (p: number) => (sorted.length ? sorted[percentileIndex(p, sorted.length)]! : null);
        figures.push({
          key: g.key,
          requests: g.requests,
          errors5xx: g.errors5xx,
          flagged: g.flagged,
          p50Us: pick(statsPercentiles[0]),
          p95Us: pick(statsPercentiles[1]),
          p99Us: pick(statsPercentiles[2]),
          bytesReceived: g.bytesReceived,
          bytesSent: g.bytesSent,
        });
        for (const [value, requests] of top(g.paths, q.top)) paths.push({ key: g.key, value, requests });
        for (const [value, requests] of top(g.failures, q.top)) failures.push({ key: g.key, value, requests });
        for (const [start, b] of g.buckets) series.push({ key: g.key, start, ...b });
      }
      return assembleStats(q.groupBy, figures, paths, failures, series);
    },
  };
}

/** The n most frequent, ties by value in byte order (as the SQL engines sort). */
function top(counts: Map<string, number>, n: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))).slice(0, Math.max(0, n));
}
