/**
 * `LogQuery` → ClickHouse, newest first by (ts, id), in two steps.
 *
 * First the keys: `ts, id` (and the workload) of the newest `limit + 1` matching rows, read from
 * narrow columns. It looks back through growing windows (a minute, 10 minutes, a day, then everything) so
 * "the latest 10" of a busy store reads only its newest granules. Then the rows themselves, only
 * those keys, with the encoded entry. Reading whole rows for every candidate would read the
 * entry column of the whole range.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { LogQuery, QueryResult, StoredEntry, StoredWorkload } from '../types.js';
import { filtersWorkloads, selectWorkloads } from '../workload-select.js';
import { directionName, kindName } from './codes.js';
import type { Schema } from './schema.js';
import { int, rowConditions, workloadTuples } from './sql.js';

const windowsUs = [60_000_000, 600_000_000, 86_400_000_000];

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
  let cached: { at: number; list: Promise<StoredWorkload[]> } | undefined;
  async function workloads(): Promise<StoredWorkload[]> {
    const now = Date.now();
    if (!cached || now - cached.at > 1000) {
      cached = { at: now, list: readWorkloads() };
      cached.list.catch(() => {
        cached = undefined;
      });
    }
    return cached.list;
  }

  async function readWorkloads(): Promise<StoredWorkload[]> {
    const all = await rows<{ cluster: string; namespace: string; name: string; current_labels: string; first: string; last: string }>(
      `SELECT cluster, namespace, name, argMax(labels, last_seen) AS current_labels, min(first_seen) AS first, max(last_seen) AS last FROM ${schema.workloads} GROUP BY cluster, namespace, name ORDER BY cluster, namespace, name`,
    );
    return all.map((w) => ({
      id: workloadId(w.cluster, w.namespace, w.name),
      ref: { name: w.name, namespace: w.namespace, clusterName: w.cluster },
      labels: parseLabels(w.current_labels),
      firstSeen: Number(w.first),
      lastSeen: Number(w.last),
    }));
  }

  /** Conditions for a query's filters; undefined when its workload filters leave no workload. */
  async function whereFor(q: Omit<LogQuery, 'limit' | 'cursor'>): Promise<string[] | undefined> {
    const where = rowConditions(q);
    // Selectors and labels need the workloads' labels; other workload filters are plain columns.
    if (filtersWorkloads(q) && ((q.selectors?.length ?? 0) > 0 || q.labels !== undefined)) {
      const selected = selectWorkloads(q, await workloads()) ?? [];
      if (selected.length === 0) return undefined;
      where.push(`(cluster, namespace, workload) IN (${workloadTuples(selected.map((w) => w.ref))})`);
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
    const anchor = cursor?.ts ?? q.until ?? Date.now() * 1000;
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
