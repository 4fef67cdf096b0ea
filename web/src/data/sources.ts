/**
 * Where each view's data comes from. Today every view reads `GET /api/v1/logs` and computes in the
 * browser (`analysis.ts`); this file is the one place to change when the server answers directly:
 *
 * - failures → `GET /api/v1/stats?groupBy=edge` with the 5xx / response-flag filters and the top
 *   failure reasons per group;
 * - overview → `GET /api/v1/stats?groupBy=workload|edge&since=…` (its time buckets are the series);
 * - request  → `GET /api/v1/requests/{id}`.
 *
 * Until then the figures come from at most `maxEntries` of the latest entries in the range, and the
 * views say so when the range held more.
 */
import { apiFetch, ndjsonBatches } from '../api/client.js';
import { type FailureGroup, type GroupBy, goldenSignals, groupFailures, type Hop, hopChain, type SignalsResult } from './analysis.js';
import { type EntryRow, parseItem, rowOf } from './entry-row.js';

/** The API's largest page. */
const pageSize = 10_000;
let seq = 0;

export interface Fetched {
  readonly rows: EntryRow[];
  /** More entries matched than were fetched. */
  readonly truncated: boolean;
}

/** Entries matching `params`, newest first, following the cursor up to `max` entries. */
export async function fetchRows(params: URLSearchParams, max: number, signal?: AbortSignal): Promise<Fetched> {
  const rows: EntryRow[] = [];
  let cursor: string | null = null;
  do {
    const page = new URLSearchParams(params);
    page.set('format', 'ndjson');
    page.set('limit', String(Math.min(pageSize, max - rows.length)));
    if (cursor) page.set('cursor', cursor);
    const response = await apiFetch(`/api/v1/logs?${page}`, signal);
    cursor = response.headers.get('meshlog-next-cursor');
    for await (const lines of ndjsonBatches(response)) {
      for (const line of lines) {
        const item = parseItem(line);
        if (item) rows.push(rowOf(item, line, seq++));
      }
    }
  } while (cursor && rows.length < max);
  return { rows, truncated: cursor !== null };
}

export interface EntryWindow {
  /** The entries since `sinceMs`, newest first; `truncated` when the range held more than are kept. */
  refresh(sinceMs: number, signal?: AbortSignal): Promise<Fetched>;
}

/**
 * The entries of a sliding time range, kept between refreshes: a refresh asks only for entries
 * newer than the newest it has (stored ids tell repeats apart) and forgets those that left the range.
 */
export function createEntryWindow(filters: URLSearchParams, maxEntries: number): EntryWindow {
  let rows: EntryRow[] = [];
  /** The newest entry time that was matched but not kept (a page cut off, or over the cap). */
  let droppedUntilMs = -Infinity;
  return {
    async refresh(sinceMs, signal) {
      const from = rows.length ? Math.max(rows[0]!.timeMs, sinceMs) : sinceMs;
      const params = new URLSearchParams(filters);
      params.set('since', new Date(from).toISOString());
      const fetched = await fetchRows(params, maxEntries, signal);
      const known = new Set(rows.map((r) => r.id));
      const fresh = fetched.rows.filter((r) => r.id === null || !known.has(r.id));
      if (fetched.truncated) {
        // Entries between what was kept and what just came were not read: the old ones go too.
        droppedUntilMs = Math.max(droppedUntilMs, fresh[fresh.length - 1]?.timeMs ?? from);
        rows = [];
      }
      const merged = [...fresh, ...rows].filter((r) => r.timeMs >= sinceMs);
      if (merged.length > maxEntries) droppedUntilMs = Math.max(droppedUntilMs, merged[maxEntries]!.timeMs);
      rows = merged.slice(0, maxEntries);
      return { rows, truncated: droppedUntilMs >= sinceMs };
    },
  };
}

/** Entries the overview and failures views keep per range. */
export const maxWindowEntries = 20_000;

export interface FailuresSource {
  load(sinceMs: number, signal?: AbortSignal): Promise<{ groups: FailureGroup[]; entries: number; truncated: boolean }>;
}

/** Failing calls: entries with a 5xx and entries with a response flag (two queries; the API ANDs filters). */
export function createFailuresSource(): FailuresSource {
  const fivexx = createEntryWindow(new URLSearchParams({ status: '5xx' }), maxWindowEntries);
  const flagged = createEntryWindow(new URLSearchParams({ flags: 'any' }), maxWindowEntries);
  return {
    async load(sinceMs, signal) {
      const [a, b] = await Promise.all([fivexx.refresh(sinceMs, signal), flagged.refresh(sinceMs, signal)]);
      const byId = new Map<string, EntryRow>();
      for (const r of [...a.rows, ...b.rows]) byId.set(r.id ?? `seq:${r.seq}`, r);
      return { groups: groupFailures(byId.values()), entries: byId.size, truncated: a.truncated || b.truncated };
    },
  };
}

export interface SignalsSource {
  load(
    range: { sinceMs: number; untilMs: number; bucketCount: number },
    groupBy: GroupBy,
    signal?: AbortSignal,
  ): Promise<SignalsResult & { entries: number; truncated: boolean }>;
}

export function createSignalsSource(): SignalsSource {
  const window = createEntryWindow(new URLSearchParams({ kind: 'http' }), maxWindowEntries);
  return {
    async load(range, groupBy, signal) {
      const { rows, truncated } = await window.refresh(range.sinceMs, signal);
      return { ...goldenSignals(rows, range, groupBy), entries: rows.length, truncated };
    },
  };
}

/** How far back a request is looked for when the link does not say when it happened. */
const searchWithoutTime = 30_000;

/**
 * The hops of one request. With `atMs` (the links from an entry carry it) only the minute around it
 * is read; without, the latest entries are searched.
 */
export async function loadRequest(
  id: string,
  atMs: number | null,
  signal?: AbortSignal,
): Promise<{ hops: Hop[]; rows: EntryRow[]; searched: number; complete: boolean }> {
  const params = new URLSearchParams();
  if (atMs !== null) {
    params.set('since', new Date(atMs - 30_000).toISOString());
    params.set('until', new Date(atMs + 30_000).toISOString());
  }
  const { rows, truncated } = await fetchRows(params, atMs !== null ? maxWindowEntries : searchWithoutTime, signal);
  const mine = rows.filter((r) => r.requestId === id);
  return { hops: hopChain(mine), rows: mine, searched: rows.length, complete: !truncated };
}
