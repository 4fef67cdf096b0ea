/**
 * What the failures, overview and request views compute from entries: failures grouped by edge and
 * cause, golden signals per workload or per edge, and one request's hops. Pure functions over
 * `EntryRow`s, so they run the same on entries from `/api/v1/logs` today and are easy to retire
 * when the server answers them itself (`/api/v1/stats`, `/api/v1/requests/{id}`; see `sources.ts`).
 *
 * A call is counted once: from the caller's side (its outbound entry) when the caller has a sidecar
 * that reports, else from the callee's inbound entry. Counting the caller's side keeps the calls
 * that never reached the callee, such as a TLS handshake that failed.
 */
import { type EntryRow, endKey, endName, type ItemEnd } from './entry-row.js';

/** Whether this entry is the one that counts for its call (see above). */
export function countsAsCall(row: EntryRow): boolean {
  return row.direction !== 'inbound' || !row.source.workload;
}

export interface Edge {
  readonly key: string;
  readonly sourceKey: string;
  readonly destinationKey: string;
  readonly source: ItemEnd;
  readonly destination: ItemEnd;
}

export function edgeOf(row: EntryRow): Edge {
  const sourceKey = endKey(row.source);
  const destinationKey = endKey(row.destination);
  return { key: `${sourceKey} -> ${destinationKey}`, sourceKey, destinationKey, source: row.source, destination: row.destination };
}

export function edgeLabel(edge: { source: ItemEnd; destination: ItemEnd }): string {
  return `${endName(edge.source, 'source')} → ${endName(edge.destination)}`;
}

export interface FailureGroup {
  readonly edge: Edge;
  readonly status: number | null;
  readonly flags: readonly string[];
  readonly reason: string;
  /** Calls (not entries: both sides of one call count once). */
  readonly count: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /** The latest entry of the group, for its details and request id. */
  readonly latest: EntryRow;
  /** Which sides reported it: a failure only the caller saw never reached the callee. */
  readonly seenBy: ReadonlySet<'inbound' | 'outbound'>;
}

/** Failing calls (5xx or a response flag) grouped by edge and cause, most frequent first. */
export function groupFailures(rows: Iterable<EntryRow>): FailureGroup[] {
  const groups = new Map<
    string,
    { edge: Edge; row: EntryRow; count: number; firstMs: number; lastMs: number; seenBy: Set<'inbound' | 'outbound'>; calls: Set<string> }
  >();
  for (const row of rows) {
    if (!row.failed) continue;
    const edge = edgeOf(row);
    const key = `${edge.key}|${row.status ?? ''}|${row.flags.join(',')}|${row.reason}`;
    let g = groups.get(key);
    if (!g) {
      g = { edge, row, count: 0, firstMs: row.timeMs, lastMs: row.timeMs, seenBy: new Set(), calls: new Set() };
      groups.set(key, g);
    }
    if (row.direction) g.seenBy.add(row.direction);
    // Both sidecars of one call log it under the same request id.
    const call = row.requestId ? row.requestId : `entry:${row.seq}`;
    if (g.calls.has(call)) continue;
    g.calls.add(call);
    g.count++;
    g.firstMs = Math.min(g.firstMs, row.timeMs);
    if (row.timeMs >= g.lastMs) {
      g.lastMs = row.timeMs;
      g.row = row;
    }
  }
  return [...groups.values()]
    .map((g) => ({
      edge: g.edge,
      status: g.row.status,
      flags: g.row.flags,
      reason: g.row.reason,
      count: g.count,
      firstMs: g.firstMs,
      lastMs: g.lastMs,
      latest: g.row,
      seenBy: g.seenBy,
    }))
    .sort((a, b) => b.count - a.count || b.lastMs - a.lastMs);
}

export type GroupBy = 'workload' | 'edge';

export interface Signals {
  readonly key: string;
  readonly label: string;
  readonly requests: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly bytes: number;
  /** Per time bucket: requests per second, error rate (null without requests), p99 in ms. */
  readonly series: { readonly perSecond: number[]; readonly errorRate: Array<number | null>; readonly p99: Array<number | null> };
}

export interface SignalsResult {
  /** Start of each time bucket, in seconds (uPlot's x axis). */
  readonly buckets: number[];
  readonly groups: Signals[];
  /** Every edge seen, for the service map. */
  readonly edges: Array<Signals & { readonly edge: Edge }>;
}

interface Acc {
  key: string;
  label: string;
  edge?: Edge;
  requests: number;
  errors: number;
  bytes: number;
  durations: number[];
  buckets: Array<{ requests: number; errors: number; durations: number[] }>;
}

/**
 * Requests per second, error rate and p50/p95/p99 duration per workload (the callee: what it
 * served) or per edge, over `[sinceMs, untilMs)`, with a series of `bucketCount` buckets.
 */
export function goldenSignals(rows: Iterable<EntryRow>, range: { sinceMs: number; untilMs: number; bucketCount: number }, groupBy: GroupBy): SignalsResult {
  const { sinceMs, untilMs, bucketCount } = range;
  const bucketMs = Math.max(1, (untilMs - sinceMs) / bucketCount);
  const byGroup = new Map<string, Acc>();
  const byEdge = new Map<string, Acc>();
  const newAcc = (key: string, label: string, edge?: Edge): Acc => ({
    key,
    label,
    edge,
    requests: 0,
    errors: 0,
    bytes: 0,
    durations: [],
    buckets: Array.from({ length: bucketCount }, () => ({ requests: 0, errors: 0, durations: [] })),
  });
  const add = (acc: Acc, row: EntryRow, bucket: number) => {
    const error = row.failed ? 1 : 0;
    acc.requests++;
    acc.errors += error;
    acc.bytes += row.bytesReceived + row.bytesSent;
    const b = acc.buckets[bucket]!;
    b.requests++;
    b.errors += error;
    if (row.durationMs !== null) {
      acc.durations.push(row.durationMs);
      b.durations.push(row.durationMs);
    }
  };
  for (const row of rows) {
    if (row.kind !== 'http' || !countsAsCall(row) || row.timeMs < sinceMs || row.timeMs >= untilMs) continue;
    const bucket = Math.min(bucketCount - 1, Math.floor((row.timeMs - sinceMs) / bucketMs));
    const edge = edgeOf(row);
    add(
      accFor(byEdge, edge.key, () => newAcc(edge.key, edgeLabel(edge), edge)),
      row,
      bucket,
    );
    if (groupBy === 'workload')
      add(
        accFor(byGroup, edge.destinationKey, () => newAcc(edge.destinationKey, workloadLabel(row.destination))),
        row,
        bucket,
      );
  }
  const seconds = (untilMs - sinceMs) / 1000;
  const finish = (acc: Acc): Signals => {
    const sorted = acc.durations.sort((a, b) => a - b);
    return {
      key: acc.key,
      label: acc.label,
      requests: acc.requests,
      perSecond: acc.requests / seconds,
      errors: acc.errors,
      errorRate: acc.requests ? acc.errors / acc.requests : 0,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      bytes: acc.bytes,
      series: {
        perSecond: acc.buckets.map((b) => b.requests / (bucketMs / 1000)),
        errorRate: acc.buckets.map((b) => (b.requests ? b.errors / b.requests : null)),
        p99: acc.buckets.map((b) =>
          percentile(
            b.durations.sort((x, y) => x - y),
            0.99,
          ),
        ),
      },
    };
  };
  const byVolume = (a: Signals, b: Signals) => b.requests - a.requests || a.label.localeCompare(b.label);
  const edges = [...byEdge.values()].map((acc) => ({ ...finish(acc), edge: acc.edge! })).sort(byVolume);
  return {
    buckets: Array.from({ length: bucketCount }, (_, i) => (sinceMs + i * bucketMs) / 1000),
    groups: groupBy === 'edge' ? edges : [...byGroup.values()].map(finish).sort(byVolume),
    edges,
  };
}

function accFor(map: Map<string, Acc>, key: string, create: () => Acc): Acc {
  let acc = map.get(key);
  if (!acc) {
    acc = create();
    map.set(key, acc);
  }
  return acc;
}

function workloadLabel(end: ItemEnd): string {
  return end.workload && end.cluster ? `${end.workload} (${end.cluster})` : endName(end);
}

/** Nearest-rank percentile of ascending values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export interface Hop {
  readonly edge: Edge;
  /** The caller's entry (outbound) and the callee's (inbound), when each reported. */
  readonly outbound: EntryRow | null;
  readonly inbound: EntryRow | null;
  readonly startMs: number;
  /** Nesting: 0 for the first call, 1 for the calls its callee made, ... */
  readonly depth: number;
}

/**
 * One request's entries as hops: the caller's outbound entry paired with the callee's inbound
 * entry of the same call, in the order they started, nested under the hop that called them.
 */
export function hopChain(rows: readonly EntryRow[]): Hop[] {
  const outbound = rows.filter((r) => r.direction === 'outbound').sort(byTime);
  const inbound = rows.filter((r) => r.direction !== 'outbound').sort(byTime);
  const used = new Set<EntryRow>();
  const pairs: Array<{ outbound: EntryRow | null; inbound: EntryRow | null }> = [];
  for (const out of outbound) {
    const sourceKey = endKey(out.source);
    const exact = inbound.find((i) => !used.has(i) && endKey(i.source) === sourceKey && endKey(i.destination) === endKey(out.destination));
    // The caller may know only the service it called; then the callee's entry from the same caller will do.
    const match =
      exact ?? (out.destination.workload ? undefined : inbound.find((i) => !used.has(i) && endKey(i.source) === sourceKey && i.timeMs >= out.timeMs));
    if (match) used.add(match);
    pairs.push({ outbound: out, inbound: match ?? null });
  }
  for (const i of inbound) if (!used.has(i)) pairs.push({ outbound: null, inbound: i });
  const hops = pairs
    .map((p) => {
      const row = (p.outbound ?? p.inbound)!;
      const edge = edgeOf(p.outbound ?? p.inbound!);
      return { edge, outbound: p.outbound, inbound: p.inbound, startMs: Math.min(p.outbound?.timeMs ?? Infinity, p.inbound?.timeMs ?? Infinity, row.timeMs) };
    })
    .sort((a, b) => a.startMs - b.startMs);
  const depthOf = new Map<string, number>();
  return hops.map((h) => {
    // A hop sits one level under the hop that called its caller.
    const depth = depthOf.has(h.edge.sourceKey) ? depthOf.get(h.edge.sourceKey)! + 1 : 0;
    if (!depthOf.has(h.edge.destinationKey)) depthOf.set(h.edge.destinationKey, depth);
    return { ...h, depth };
  });
}

function byTime(a: EntryRow, b: EntryRow): number {
  return a.timeMs - b.timeMs || a.seq - b.seq;
}
