/**
 * The `aggregate` part of the store contract: every engine's answer is compared with one computed
 * here, in plain JS, from the rows that were written, so the engines agree with each other by
 * agreeing with it.
 */
import { expect, it } from 'vitest';
import { rowMatches } from '../row-match.js';
import type { EntryRow, LogStore, StatsCount, StatsGroup, StatsQuery, StatsResult } from '../types.js';
import { statsGroupBys, statsKeyFields } from '../types.js';

const keyOf: Record<StatsQuery['groupBy'], (r: EntryRow) => string[][]> = {
  workload: (r) => [[r.workload.clusterName, r.workload.namespace, r.workload.name]],
  edge: (r) => [
    [
      r.source.cluster,
      r.source.namespace,
      r.source.workload,
      r.destination.cluster,
      r.destination.namespace,
      r.destination.workload,
      r.destination.service,
    ].map((v) => v ?? ''),
  ],
  path: (r) => [[r.path ?? '']],
  status: (r) => [[r.status === null ? '' : `${Math.trunc(r.status / 100)}xx`]],
  flag: (r) => r.responseFlags.split(',').map((f) => [f]),
};

const isError = (r: EntryRow) => r.status !== null && r.status >= 500 && r.status <= 599;

function failure(r: EntryRow): string {
  if (r.upstreamFailure) return r.upstreamFailure;
  if (r.responseFlags !== '') return r.responseFlags;
  return isError(r) ? `HTTP ${r.status}` : '';
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function topOf(values: string[], n: number): StatsCount[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([value, requests]) => ({ value, requests }))
    .sort((a, b) => b.requests - a.requests || byBytes(a.value, b.value))
    .slice(0, n);
}

/** What `aggregate` must answer for `q` over `rows`. */
export function expectedStats(rows: readonly EntryRow[], q: StatsQuery): StatsResult {
  const matching = rows.filter((r) => rowMatches({ ...q.filter, since: q.since, until: q.until, limit: 0 }, r));
  const groups = new Map<string, { key: string[]; rows: EntryRow[] }>();
  for (const r of matching) {
    for (const key of keyOf[q.groupBy](r)) {
      const k = key.join('\u0000');
      const g = groups.get(k);
      if (g) g.rows.push(r);
      else groups.set(k, { key, rows: [r] });
    }
  }
  const chosen = [...groups.values()].sort((a, b) => b.rows.length - a.rows.length || byBytes(a.key.join('\u0000'), b.key.join('\u0000'))).slice(0, q.limit);
  return {
    groups: chosen.map(({ key, rows: rs }): StatsGroup => {
      const durations = rs.flatMap((r) => (r.durationUs === null ? [] : [r.durationUs])).sort((a, b) => a - b);
      const pct = (p: number) => (durations.length ? durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]! : null);
      const buckets = new Map<number, { start: number; requests: number; errors5xx: number; flagged: number }>();
      for (const r of rs) {
        const start = Math.trunc(r.ts / q.bucketUs) * q.bucketUs;
        const b = buckets.get(start) ?? { start, requests: 0, errors5xx: 0, flagged: 0 };
        b.requests++;
        if (isError(r)) b.errors5xx++;
        if (r.responseFlags !== '') b.flagged++;
        buckets.set(start, b);
      }
      return {
        key: Object.fromEntries(statsKeyFields[q.groupBy].map((f, i) => [f, key[i]!])),
        requests: rs.length,
        errors5xx: rs.filter(isError).length,
        flagged: rs.filter((r) => r.responseFlags !== '').length,
        p50Us: pct(0.5),
        p95Us: pct(0.95),
        p99Us: pct(0.99),
        bytesReceived: rs.reduce((s, r) => s + r.bytesReceived, 0),
        bytesSent: rs.reduce((s, r) => s + r.bytesSent, 0),
        topPaths: topOf(
          rs.map((r) => r.path ?? ''),
          q.top,
        ),
        topFailures: topOf(
          rs.map(failure).filter((f) => f !== ''),
          q.top,
        ),
        series: [...buckets.values()].sort((a, b) => a.start - b.start),
      };
    }),
  };
}

/** Rows with what the plain contract rows lack for aggregation: TCP entries, no durations, other statuses. */
function statsRows(contractRow: (i: number, over?: Partial<EntryRow>) => EntryRow): EntryRow[] {
  return Array.from({ length: 120 }, (_, i) => {
    const over: { -readonly [K in keyof EntryRow]?: EntryRow[K] } = {};
    if (i % 17 === 0) Object.assign(over, { kind: 'tcp', method: null, path: null, status: null, authority: null });
    if (i % 13 === 0) over.durationUs = null;
    if (i % 7 === 3) Object.assign(over, { status: 404 });
    if (i % 11 === 5) Object.assign(over, { status: 500, responseFlags: '' });
    if (i % 9 === 4) Object.assign(over, { responseFlags: 'NR', upstreamFailure: null });
    if (i % 4 === 1) over.path = `/shared/${i % 3}`;
    return contractRow(i, over);
  });
}

export function describeStatsContract(open: () => Promise<LogStore>, contractRow: (i: number, over?: Partial<EntryRow>) => EntryRow, baseTs: number): void {
  it('aggregates by workload, edge, path, status and flag as the rows say', async () => {
    const store = await open();
    const rows = statsRows(contractRow);
    store.write(rows);
    await store.flush();
    const range = { since: baseTs, until: baseTs + 1_000_000 };
    for (const groupBy of statsGroupBys) {
      const q: StatsQuery = { groupBy, filter: {}, ...range, bucketUs: 25_000, limit: 100, top: 3 };
      expect(await store.aggregate(q), groupBy).toEqual(expectedStats(rows, q));
    }
  });

  // The plain rows' durations are all different; engines that pick a percentile from counts of
  // equal durations must still pick the value at index floor(p * n) of the sorted durations.
  it('picks percentiles among equal durations, at exact ranks, with nulls and big values', async () => {
    const store = await open();
    const groups: Array<{ name: string; durations: Array<number | null> }> = [
      // 0.5 * 20 and 0.95 * 20 are whole numbers: index 10 of 20 is the first 200, not the last 100.
      { name: 'ties-20', durations: Array.from({ length: 20 }, (_, i) => (i < 10 ? 100 : 200)) },
      { name: 'ties-100', durations: Array.from({ length: 100 }, (_, i) => [0, 7, 7, 3_000_000_000_000][i % 4]!) },
      { name: 'one', durations: [42] },
      { name: 'untimed', durations: [null, null, null] },
      { name: 'some-untimed', durations: Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? null : 1000 + (i % 5) * 10)) },
      { name: 'one-slow', durations: Array.from({ length: 99 }, (_, i) => (i === 50 ? 9_000_000 : 500)) },
    ];
    const rows = groups.flatMap((g, gi) =>
      g.durations.map((durationUs, j) => {
        const i = gi * 100 + j;
        return contractRow(i, { durationUs, workload: { name: g.name, namespace: 'bookinfo', clusterName: 'mgmt-cluster' }, path: `/p/${j % 2}` });
      }),
    );
    store.write(rows);
    await store.flush();
    for (const groupBy of statsGroupBys) {
      const q: StatsQuery = { groupBy, filter: {}, since: baseTs, until: baseTs + 1_000_000, bucketUs: 100_000, limit: 100, top: 3 };
      expect(await store.aggregate(q), groupBy).toEqual(expectedStats(rows, q));
    }
  });

  it('aggregates with the log filters, a time range and limits', async () => {
    const store = await open();
    const rows = statsRows(contractRow);
    store.write(rows);
    await store.flush();
    const queries: StatsQuery[] = [
      {
        groupBy: 'workload',
        filter: { selectors: [{ labels: { app: 'reviews' } }] },
        since: baseTs + 10_000,
        until: baseTs + 90_000,
        bucketUs: 10_000,
        limit: 1,
        top: 2,
      },
      {
        groupBy: 'edge',
        filter: { direction: 'outbound', status: [{ min: 500, max: 599 }] },
        since: baseTs,
        until: baseTs + 1_000_000,
        bucketUs: 60_000,
        limit: 10,
        top: 1,
      },
      { groupBy: 'flag', filter: { responseFlags: [''] }, since: baseTs, until: baseTs + 1_000_000, bucketUs: 1_000_000, limit: 10, top: 5 },
      { groupBy: 'path', filter: { kind: 'http', pathPrefix: '/shared/' }, since: baseTs, until: baseTs + 1_000_000, bucketUs: 50_000, limit: 2, top: 0 },
      { groupBy: 'status', filter: { workloads: ['nothing-here'] }, since: baseTs, until: baseTs + 1_000_000, bucketUs: 50_000, limit: 10, top: 3 },
      // Ten thousand buckets: an engine may read the series differently when there are many.
      { groupBy: 'workload', filter: {}, since: baseTs, until: baseTs + 1_000_000, bucketUs: 100, limit: 2, top: 2 },
    ];
    for (const q of queries) expect(await store.aggregate(q), JSON.stringify(q)).toEqual(expectedStats(rows, q));
    expect((await store.aggregate(queries[4]!)).groups).toEqual([]);
  });
}
