/**
 * `LogQuery` → ClickHouse, newest first by (ts, id), in two steps.
 *
 * First the keys: `ts, id` (and the workload) of the newest `limit + 1` matching rows, read from
 * narrow columns. It looks back through growing windows (a second, 10 seconds, a minute, 10
 * minutes, an hour, a day, then everything) from the newest entry the workloads table knows of for the workloads in question, so
 * "the latest 10" of a busy store reads only its newest granules, whether or not those workloads
 * logged lately. Then the rows themselves, only those keys, with the encoded entry. Reading whole
 * rows for every candidate would read the entry column of the whole range.
 *
 * A window is a lower bound only: every row newer than it is read, so an anchor that is too old
 * (`last_ts` is brought forward every few seconds) costs reading more, never a wrong answer.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { LogQuery, QueryResult, StoredEntry, StoredWorkload } from '../types.js';
import { filtersWorkloads, selectWorkloads } from '../workload-select.js';
import { directionName, kindName } from './codes.js';
import type { Schema } from './schema.js';
import { int, rowConditions, selectorKeyMatch, workloadMatch } from './sql.js';

/** Lower bounds tried in turn: a miss on a narrow window costs a round trip of a few ms, a window too wide reads its whole span. */
const windowsUs = [1_000_000, 10_000_000, 60_000_000, 600_000_000, 3_600_000_000, 86_400_000_000];

interface KeyRow {
  ts: string | number;
  id: string | number;
  cluster: string;
  namespace: string;
  workload: string;
}

interface EntryJson extends KeyRow {
  kind: number;
  labels: string;
  instance: string;
  direction: number;
  src_cluster: string | null;
  src_namespace: string | null;
  src_workload: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_cluster: string | null;
  dst_namespace: string | null;
  dst_workload: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  dst_service: string | null;
  entry_hex: string;
}

export const entryReadColumns =
  'ts, id, cluster, namespace, workload, kind, labels, instance, direction, src_cluster, src_namespace, src_workload, src_ip, src_port, dst_cluster, dst_namespace, dst_workload, dst_ip, dst_port, dst_service, hex(entry) AS entry_hex';

export function createReader(client: ClickHouseClient, schema: Schema) {
  const rows = async <T>(query: string): Promise<T[]> => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  /**
   * The workloads table, kept for a second: selector queries resolve against it. This server's
   * own new workloads clear it at once (`invalidateWorkloads`); other servers' show within a second.
   */
  let cached: { at: number; known: Promise<KnownWorkloads> } | undefined;
  async function known(): Promise<KnownWorkloads> {
    const now = Date.now();
    if (!cached || now - cached.at > 1000) {
      cached = { at: now, known: readWorkloads() };
      cached.known.catch(() => {
        cached = undefined;
      });
    }
    return cached.known;
  }
  const workloads = async (): Promise<StoredWorkload[]> => (await known()).list;

  async function readWorkloads(): Promise<KnownWorkloads> {
    const all = await rows<{ cluster: string; namespace: string; name: string; current_labels: string; first: string; last: string; last_ts: string }>(
      `SELECT cluster, namespace, name, argMax(labels, last_seen) AS current_labels, min(first_seen) AS first, max(last_seen) AS last, max(last_ts) AS last_ts FROM ${schema.workloads} GROUP BY cluster, namespace, name ORDER BY cluster, namespace, name`,
    );
    const list: StoredWorkload[] = [];
    const newestTs = new Map<number, number>();
    for (const w of all) {
      const id = workloadId(w.cluster, w.namespace, w.name);
      list.push({
        id,
        ref: { name: w.name, namespace: w.namespace, clusterName: w.cluster },
        labels: parseLabels(w.current_labels),
        firstSeen: Number(w.first),
        lastSeen: Number(w.last),
      });
      newestTs.set(id, Number(w.last_ts));
    }
    return { list, newestTs };
  }

  /** Where to start looking back: the newest entry known of the workloads the query may match (0 when none is known). */
  async function newestKnownTs(q: Omit<LogQuery, 'limit' | 'cursor'>): Promise<number> {
    const { list, newestTs } = await known();
    let newest = 0;
    for (const w of selectWorkloads(q, list) ?? list) newest = Math.max(newest, newestTs.get(w.id) ?? 0);
    return newest;
  }

  /** Conditions for a query's filters; undefined when its workload filters leave no workload. */
  async function whereFor(q: Omit<LogQuery, 'limit' | 'cursor'>): Promise<string[] | undefined> {
    const where = rowConditions(q);
    // Selectors and labels need the workloads' labels; other workload filters are plain columns.
    const selectors = q.selectors ?? [];
    if (selectors.length > 0 && q.labels === undefined && selectors.every((m) => Object.keys(m.labels ?? {}).length === 0)) {
      // No labels asked for: the selectors are conditions on the key's cluster and namespace.
      const match = selectorKeyMatch(selectors);
      if (match) where.push(match);
    } else if (filtersWorkloads(q) && (selectors.length > 0 || q.labels !== undefined)) {
      const selected = selectWorkloads(q, await workloads()) ?? [];
      if (selected.length === 0) return undefined;
      where.push(workloadMatch(selected.map((w) => w.ref)));
    }
    return where;
  }

  async function query(q: LogQuery): Promise<QueryResult> {
    const cursor = q.cursor !== undefined ? decodeCursor(q.cursor) : undefined;
    const limit = Math.max(0, Math.floor(q.limit));
    if (limit === 0) return { items: [] };
    const where = await whereFor(q);
    if (!where) return { items: [] };
    if (cursor) where.push(`(ts < ${int(cursor.ts)} OR (ts = ${int(cursor.ts)} AND id < ${int(cursor.id)}))`);
    const bound = Math.min(cursor?.ts ?? Number.POSITIVE_INFINITY, q.until ?? Number.POSITIVE_INFINITY, Date.now() * 1000);
    const newest = await newestKnownTs(q);
    const anchor = newest > 0 ? Math.min(bound, newest) : bound;
    let items: StoredEntry[] = [];
    for (const window of [...windowsUs, undefined]) {
      const lower = window === undefined ? undefined : anchor - window;
      // A window reaching past `since` is no narrower than the query itself.
      if (lower !== undefined && q.since !== undefined && lower <= q.since) continue;
      const all = lower === undefined ? where : [...where, `ts >= ${int(lower)}`];
      const whereText = all.length ? ` WHERE ${all.join(' AND ')}` : '';
      // The keys of the newest rows from narrow columns (the subquery), then only those rows with
      // their entries: one round trip, and the entry column read only for what is returned.
      // A row a retry stored twice takes two keys; then ask for as many more as it took.
      for (let keys = limit + 1; ; ) {
        const found = await rows<EntryJson>(
          `SELECT ${entryReadColumns} FROM ${schema.entries} PREWHERE (ts, id) IN (SELECT ts, id FROM ${schema.entries}${whereText} ORDER BY ts DESC, id DESC LIMIT ${keys})${whereText}`,
        );
        items = newestFirst(found);
        if (found.length === items.length || items.length > limit || found.length < keys) break;
        keys += found.length - items.length;
      }
      if (items.length > limit) break;
    }
    const more = items.length > limit;
    if (more) items.length = limit;
    const last = items.at(-1);
    return more && last ? { items, nextCursor: encodeCursor(last.ts, last.id) } : { items };
  }

  /** Sorted by (ts, id) newest first; a row stored twice by a retry comes once. */
  function newestFirst(found: readonly EntryJson[]): StoredEntry[] {
    const seen = new Set<string>();
    const items: StoredEntry[] = [];
    for (const r of found) {
      const key = `${r.ts}:${r.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push(storedEntry(r));
    }
    return items.sort((a, b) => b.ts - a.ts || b.id - a.id);
  }

  return {
    query,
    workloads,
    whereFor,
    invalidateWorkloads() {
      cached = undefined;
    },
  };
}

export type Reader = ReturnType<typeof createReader>;

interface KnownWorkloads {
  readonly list: StoredWorkload[];
  /** `StoredWorkload.id` → the newest `ts` stored for it (`workloads.last_ts`, brought forward every few seconds). */
  readonly newestTs: ReadonlyMap<number, number>;
}

export function storedEntry(r: EntryJson): StoredEntry {
  return {
    id: Number(r.id),
    ts: Number(r.ts),
    kind: kindName[r.kind] ?? 'http',
    workload: { name: r.workload, namespace: r.namespace, clusterName: r.cluster },
    labels: parseLabels(r.labels),
    instance: r.instance,
    direction: directionName[r.direction] ?? null,
    source: { cluster: r.src_cluster, namespace: r.src_namespace, workload: r.src_workload, ip: r.src_ip, port: r.src_port, service: null },
    destination: { cluster: r.dst_cluster, namespace: r.dst_namespace, workload: r.dst_workload, ip: r.dst_ip, port: r.dst_port, service: r.dst_service },
    entry: Buffer.from(r.entry_hex, 'hex'),
  };
}

export type { EntryJson };

function parseLabels(text: string): Record<string, string> {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
}

/** A stable number for a workload (FNV-1a of its key): `StoredWorkload.id`. */
function workloadId(cluster: string, namespace: string, name: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${cluster}/${namespace}/${name}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
