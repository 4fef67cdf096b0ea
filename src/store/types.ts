/**
 * The store contract: what the pipeline writes and what the query API reads.
 *
 * One query model for every engine (SQLite now, ClickHouse later); reads are asynchronous so that a
 * network store can answer them. Entries are kept as the
 * encoded Envoy proto (`HTTPAccessLogEntry` / `TCPAccessLogEntry` bytes) plus the columns the
 * queries filter on; the API decodes the bytes and prints proto3 JSON.
 */
import type { Direction, EntryEnd, EntryFacts, EntryKind } from '../model/entry.js';
import type { WorkloadRef } from '../model/proxy-identity.js';
import type { WorkloadMatcher } from '../model/workload-match.js';

/** One collected entry, as the pipeline hands it to the store. */
export interface EntryRow {
  /** Request start time, microseconds since the Unix epoch. */
  readonly ts: number;
  readonly kind: EntryKind;
  readonly workload: WorkloadRef;
  /** Workload labels at the time of collection. */
  readonly labels: Readonly<Record<string, string>>;
  /** Proxy instance (pod / dataplane) name, or the node id when nothing better is known. */
  readonly instance: string;
  readonly method: string | null;
  readonly authority: string | null;
  readonly path: string | null;
  /** HTTP response code; null for TCP entries and for requests that got no response. */
  readonly status: number | null;
  /** Total duration in microseconds, when Envoy reported one. */
  readonly durationUs: number | null;
  /** Envoy short codes, comma-joined in Envoy's order (`UF,URX`); empty when none. */
  readonly responseFlags: string;
  readonly upstreamCluster: string | null;
  readonly requestId: string | null;
  /** Which way the call went, from the reporting proxy; null when nothing said. */
  readonly direction: Direction | null;
  readonly source: EntryEnd;
  readonly destination: EntryEnd;
  /** Bytes from the downstream (request body, or TCP bytes received) and to it. */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** `upstreamTransportFailureReason`: why the upstream connection failed (`TLS error: ...`). */
  readonly upstreamFailure: string | null;
  /** The encoded entry. */
  readonly entry: Uint8Array;
}

export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/** Every filter is optional; all given filters are AND-ed. Lists are OR-ed within themselves. */
export interface LogQuery {
  /** Workload selectors, OR-ed (Gloo semantics). Empty or absent: every workload. */
  readonly selectors?: readonly WorkloadMatcher[];
  readonly clusters?: readonly string[];
  readonly namespaces?: readonly string[];
  /** Workload (controller) names. */
  readonly workloads?: readonly string[];
  /** Label equality, all must hold. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly kind?: EntryKind;
  /** Start time bounds in microseconds, `since` inclusive, `until` exclusive. */
  readonly since?: number;
  readonly until?: number;
  readonly status?: readonly StatusRange[];
  readonly methods?: readonly string[];
  readonly pathPrefix?: string;
  readonly pathRegex?: string;
  /** Entries that carry any of these flags (`UF`, `URX`); the empty string alone means "any flag". */
  readonly responseFlags?: readonly string[];
  readonly minDurationUs?: number;
  readonly direction?: Direction;
  /** Who called: workload names and namespaces of the source end. */
  readonly fromWorkloads?: readonly string[];
  readonly fromNamespaces?: readonly string[];
  /** Who was called: workload names, namespaces and services of the destination end. A service matches
   * itself and any service it is the first label of (`ratings` matches `ratings.bookinfo`). */
  readonly toWorkloads?: readonly string[];
  readonly toNamespaces?: readonly string[];
  readonly toServices?: readonly string[];
  readonly requestIds?: readonly string[];
  readonly authorities?: readonly string[];
  /** A regular expression that the reporting workload's name must contain a match of (as stern's pod query). */
  readonly workloadRegex?: string;
  /** Newest first. At most this many items. */
  readonly limit: number;
  /** Opaque cursor from a previous page's `nextCursor`: continue with older entries. */
  readonly cursor?: string;
}

export interface StoredWorkload {
  readonly id: number;
  readonly ref: WorkloadRef;
  readonly labels: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface StoredEntry extends EntryFacts {
  readonly id: number;
  readonly entry: Uint8Array;
}

export interface QueryResult {
  readonly items: readonly StoredEntry[];
  /** Present when more (older) entries may match. */
  readonly nextCursor?: string;
}

export interface StoreStats {
  readonly entries: number;
  readonly bytesOnDisk: number;
  /** Rows accepted by `write` and not yet committed. */
  readonly pending: number;
  readonly written: number;
  /** Rows that could not be written (after the engine reported an error), by reason. */
  readonly failed: number;
  readonly deletedByRetention: number;
}

/** What `GET /api/v1/stats` groups by: the reporting workload, caller → callee, path, status class, response flag. */
export type StatsGroupBy = 'workload' | 'edge' | 'path' | 'status' | 'flag';

export const statsGroupBys: readonly StatsGroupBy[] = ['workload', 'edge', 'path', 'status', 'flag'];

/** The fields of a group's key, per `groupBy`; a field the entries do not know is ''. */
export const statsKeyFields: Readonly<Record<StatsGroupBy, readonly string[]>> = {
  workload: ['cluster', 'namespace', 'workload'],
  edge: ['sourceCluster', 'sourceNamespace', 'sourceWorkload', 'destinationCluster', 'destinationNamespace', 'destinationWorkload', 'destinationService'],
  path: ['path'],
  // `2xx` ... `5xx`; '' for entries without a status (TCP, no response).
  status: ['status'],
  // One group per flag an entry carries (an entry with `UF,URX` is in both); '' for entries with none.
  flag: ['flag'],
};

/** An aggregation over a time range with the filters of a log query. */
export interface StatsQuery {
  readonly groupBy: StatsGroupBy;
  /** Every `LogQuery` filter but paging; the range is `since` (inclusive) to `until` (exclusive), microseconds. */
  readonly filter: Omit<LogQuery, 'limit' | 'cursor' | 'since' | 'until'>;
  readonly since: number;
  readonly until: number;
  /** Width of a series bucket, microseconds; buckets start at multiples of it. */
  readonly bucketUs: number;
  /** At most this many groups: those with the most requests (ties by key). */
  readonly limit: number;
  /** How many paths and failure reasons to list per group. */
  readonly top: number;
}

export interface StatsCount {
  readonly value: string;
  readonly requests: number;
}

export interface StatsBucket {
  /** Microseconds since the epoch. */
  readonly start: number;
  readonly requests: number;
  readonly errors5xx: number;
  readonly flagged: number;
}

export interface StatsGroup {
  readonly key: Readonly<Record<string, string>>;
  readonly requests: number;
  /** Entries with a 5xx status. */
  readonly errors5xx: number;
  /** Entries with any response flag. */
  readonly flagged: number;
  /**
   * Duration percentiles (microseconds) over the entries that report a duration, null when none
   * does: the value at index floor(p * n) of the n sorted durations (ClickHouse's `quantileExact`).
   */
  readonly p50Us: number | null;
  readonly p95Us: number | null;
  readonly p99Us: number | null;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** The most requested paths, most first (ties by path); '' stands for entries without one. */
  readonly topPaths: readonly StatsCount[];
  /**
   * Why entries failed, most first: the upstream failure reason, else the response flags, else
   * `HTTP <status>` for a 5xx. Entries that did not fail are not counted.
   */
  readonly topFailures: readonly StatsCount[];
  /** Oldest first; buckets without entries are left out. */
  readonly series: readonly StatsBucket[];
}

export interface StatsResult {
  readonly groups: readonly StatsGroup[];
}

/** A cursor that this store did not hand out (the caller's input, not a failure of the store). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/**
 * The write half of a store: rows in, committed in batches. An ingest worker holds one (its shard);
 * a single-process store is both halves.
 */
export interface LogWriter {
  /**
   * Queues rows for writing. Never throws for bad rows; returns false when the queue is over its
   * high-water mark. `onSettled`, when given, is called once these rows are committed (or lost).
   */
  write(rows: readonly EntryRow[], onSettled?: () => void): boolean;
  /** Called once the queue drains below its low-water mark after `write` returned false. */
  onDrain(listener: () => void): void;
  /**
   * Resolves when everything written so far is committed. Rejects (with the engine's error) when
   * some of it could not be and is not stored: a caller that acknowledges input must not then.
   */
  flush(): Promise<void>;
  stats(): StoreStats;
  /** Why this writer cannot store entries now (a full disk, an engine away); null while it can. */
  problem(): string | null;
  /**
   * Commits `key → value` in the same transaction as the rows written before it (a key keeps its
   * highest value): the relay's (agent, sequence), so that a batch stored before a crash is known
   * to be stored after it. Read back with `LogReader.marks`.
   */
  mark?(key: string, value: number): void;
  /** Flushes and closes; idempotent. */
  close(): Promise<void>;
}

/** The read half of a store: what the query API reads, from every shard and writer. */
export interface LogReader {
  /** Newest first. Rejects with `InvalidCursorError` for a cursor this store did not hand out. */
  query(q: LogQuery): Promise<QueryResult>;
  /** Every workload that has entries in the store, with its labels. */
  workloads(): Promise<readonly StoredWorkload[]>;
  /** Aggregates over a time range (`GET /api/v1/stats`, `meshlog top`); every engine answers alike. */
  aggregate(q: StatsQuery): Promise<StatsResult>;
  /**
   * Engines that several servers share: calls `listener` with the entries other servers store, as
   * they appear, so that live watchers see every entry wherever it arrived; it polls only while
   * `active()` holds. Absent on single-machine engines.
   */
  followRemote?(listener: (rows: readonly EntryRow[]) => void, active?: () => boolean): { close(): Promise<void> };
  /** Every mark committed by any writer, each key at its highest value. */
  marks?(): Promise<ReadonlyMap<string, number>>;
  close(): Promise<void>;
}

export interface LogStore extends LogWriter, LogReader {
  close(): Promise<void>;
}

/** What the HTTP API and the operators hold: every shard's reader, and the writers' flush and figures. */
export interface StoreHandle extends LogReader {
  /** Resolves once everything accepted so far is committed; rejects when some of it is not. */
  flush(): Promise<void>;
  stats(): StoreStats;
}
