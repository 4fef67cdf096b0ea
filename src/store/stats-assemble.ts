/**
 * The parts every engine computes for `aggregate` (per-group figures, top paths, top failure
 * reasons, series buckets), put together into one `StatsResult` the same way for all of them.
 */
import type { StatsBucket, StatsCount, StatsGroup, StatsGroupBy, StatsResult } from './types.js';
import { statsKeyFields } from './types.js';

/** A group's own figures, before its top lists and series are added. */
export type GroupFigures = Omit<StatsGroup, 'key' | 'topPaths' | 'topFailures' | 'series'> & { readonly key: readonly string[] };

export interface KeyedCount {
  readonly key: readonly string[];
  readonly value: string;
  readonly requests: number;
}

export interface KeyedBucket extends StatsBucket {
  readonly key: readonly string[];
}

/** The percentiles `aggregate` reports, and the index of one in n sorted values (as `quantileExact`). */
export const statsPercentiles = [0.5, 0.95, 0.99] as const;

export function percentileIndex(p: number, n: number): number {
  return Math.min(n - 1, Math.floor(p * n));
}

/** How a failed entry is explained: the upstream failure, else its flags, else its 5xx status. */
export const failureReasonRule = 'upstream failure reason, else response flags, else "HTTP <status>" for a 5xx';

const join = (key: readonly string[]) => key.join('\u0000');

/** Group keys in byte order, field by field (as the SQL engines sort strings). */
export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return Buffer.compare(Buffer.from(a[i]!), Buffer.from(b[i]!));
  return 0;
}

export function assembleStats(
  groupBy: StatsGroupBy,
  groups: readonly GroupFigures[],
  paths: readonly KeyedCount[],
  failures: readonly KeyedCount[],
  series: readonly KeyedBucket[],
): StatsResult {
  const fields = statsKeyFields[groupBy];
  const byKey = new Map<string, { paths: StatsCount[]; failures: StatsCount[]; series: StatsBucket[] }>();
  for (const g of groups) byKey.set(join(g.key), { paths: [], failures: [], series: [] });
  for (const p of paths) byKey.get(join(p.key))?.paths.push({ value: p.value, requests: p.requests });
  for (const f of failures) byKey.get(join(f.key))?.failures.push({ value: f.value, requests: f.requests });
  for (const b of series) byKey.get(join(b.key))?.series.push({ start: b.start, requests: b.requests, errors5xx: b.errors5xx, flagged: b.flagged });
  const byCount = (a: StatsCount, b: StatsCount) => b.requests - a.requests || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  return {
    groups: groups.map((g): StatsGroup => {
      const parts = byKey.get(join(g.key))!;
      return {
        key: Object.fromEntries(fields.map((f, i) => [f, g.key[i] ?? ''])),
        requests: g.requests,
        errors5xx: g.errors5xx,
        flagged: g.flagged,
        p50Us: g.p50Us,
        p95Us: g.p95Us,
        p99Us: g.p99Us,
        bytesReceived: g.bytesReceived,
        bytesSent: g.bytesSent,
        topPaths: parts.paths.sort(byCount),
        topFailures: parts.failures.sort(byCount),
        series: parts.series.sort((a, b) => a.start - b.start),
      };
    }),
  };
}
