/**
 * `LogQuery` over every shard file of a data directory, newest first by (ts, id).
 *
 * Per shard: workload filters are resolved against the (small) workloads table; candidate chunks
 * come newest first through (workload_id, max_ts) when a few workloads are selected, else through
 * (max_ts); each chunk's columns are filtered with `rowMatches`, the in-memory twin of the query
 * semantics, and the scan stops as soon as no chunk left can hold a newer match. Shards' results
 * are merged by (ts, id). An entry's id is its chunk, its row in the chunk and its shard.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Direction, unknownEnd } from '../../model/entry.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { compileQueryRegexes, rowMatches } from '../row-match.js';
import { createStatsAccumulator } from '../stats-accumulate.js';
import type { EntryRow, LogQuery, QueryResult, StatsQuery, StatsResult, StoredEntry, StoredWorkload } from '../types.js';
import { selectWorkloads } from '../workload-select.js';
import { bloomMayContain } from './chunk-bloom.js';
import { ChunkRow, unpackColumns } from './chunk-codec.js';
import { shardOf } from './schema.js';

export const maxShards = 64;
const perWorkloadPlanMax = 32;
/** Candidate pages grow from a few chunks (latest-N needs few) to many (scans). */
const firstPage = 4;
const maxPage = 256;

export interface StoreReader {
  query(q: LogQuery): QueryResult;
  workloads(): StoredWorkload[];
  aggregate(q: StatsQuery): StatsResult;
  /** Every shard's marks (`LogWriter.mark`), each key at its highest value. */
  marks(): Map<string, number>;
  close(): void;
}

interface Shard {
  readonly index: number;
  readonly db: Database.Database;
  readonly statements: Map<string, Database.Statement>;
  /** The workloads table as last read, and what it looked like then (row count and newest change). */
  workloads?: { readonly stamp: string; readonly list: StoredWorkload[] };
}

interface Hit {
  readonly ts: number;
  readonly id: number;
  readonly shard: Shard;
  readonly chunk: number;
  readonly row: number;
  readonly workload: StoredWorkload;
}

interface Candidate {
  readonly id: number;
  readonly workload_id: number;
  readonly min_ts: number;
  readonly max_ts: number;
  readonly bloom?: Uint8Array;
}

export function entryId(chunk: number, row: number, shard: number): number {
  return (chunk * 65_536 + row) * maxShards + shard;
}

const newestFirst = (a: { ts: number; id: number }, b: { ts: number; id: number }) => b.ts - a.ts || b.id - a.id;

export function openStoreReader(dataDir: string): StoreReader {
  const shards = new Map<number, Shard>();
  let scannedAt = 0;

  /** Shard files appear when writers start; look for new ones at most every few seconds. */
  const refresh = (force = false) => {
    if (!force && Date.now() - scannedAt < 2_000) return;
    scannedAt = Date.now();
    for (const file of readdirSync(dataDir)) {
      const index = shardOf(file);
      if (index === undefined || index >= maxShards || shards.has(index)) continue;
      try {
        const db = new Database(path.join(dataDir, file), { readonly: true, fileMustExist: true });
        // A file its writer has not given a schema yet is not a shard to read.
        if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunks'").get()) {
          db.close();
          continue;
        }
        shards.set(index, { index, db, statements: new Map() });
      } catch {
        // Being created right now: the next refresh picks it up.
      }
    }
  };
  refresh(true);

  const prepare = (shard: Shard, sql: string) => {
    let stmt = shard.statements.get(sql);
    if (!stmt) {
      stmt = shard.db.prepare(sql);
      shard.statements.set(sql, stmt);
      if (shard.statements.size > 200) shard.statements.delete(shard.statements.keys().next().value!);
    }
    return stmt;
  };

  /** The workloads table, parsed again only when it changed (a query must not parse thousands of labels). */
  const shardWorkloads = (shard: Shard): StoredWorkload[] => {
    const { n, seen } = prepare(shard, 'SELECT COUNT(*) AS n, MAX(last_seen) AS seen FROM workloads').get() as { n: number; seen: number | null };
    const stamp = `${n}:${seen}`;
    if (shard.workloads?.stamp !== stamp) shard.workloads = { stamp, list: readWorkloads(shard) };
    return shard.workloads.list;
  };

  const readWorkloads = (shard: Shard): StoredWorkload[] =>
    (
      prepare(shard, 'SELECT id, cluster, namespace, name, labels, first_seen, last_seen FROM workloads').all() as Array<{
        id: number;
        cluster: string;
        namespace: string;
        name: string;
        labels: string;
        first_seen: number;
        last_seen: number;
      }>
    ).map((w) => ({
      id: w.id,
      ref: { name: w.name, namespace: w.namespace, clusterName: w.cluster },
      labels: JSON.parse(w.labels) as Record<string, string>,
      firstSeen: w.first_seen,
      lastSeen: w.last_seen,
    }));

  function queryShard(shard: Shard, q: LogQuery, limit: number, cursor: { ts: number; id: number } | undefined): Hit[] {
    const known = new Map(shardWorkloads(shard).map((w) => [w.id, w]));
    const selected = selectWorkloads(q, [...known.values()])?.map((w) => w.id);
    if (selected?.length === 0) return [];
    const regexes = compileQueryRegexes(q);
    const wantBloom = (q.requestIds?.length ?? 0) > 0;
    const conditions: string[] = [];
    const params: number[] = [];
    if (q.since !== undefined) {
      conditions.push('max_ts >= ?');
      params.push(Math.floor(q.since));
    }
    if (q.until !== undefined) {
      conditions.push('min_ts < ?');
      params.push(Math.floor(q.until));
    }
    if (cursor) {
      conditions.push('min_ts <= ?');
      params.push(cursor.ts);
    }
    const columns = `id, workload_id, min_ts, max_ts${wantBloom ? ', bloom' : ''}`;
    // No chunk wider than max_span can hold a row before `until` or the cursor once its max_ts is
    // past the bound by more than that: start the newest-first scan there.
    const maxSpan = (prepare(shard, "SELECT value FROM meta WHERE key = 'max_span'").get() as { value: number } | undefined)?.value;
    const bounds = [q.until !== undefined ? Math.floor(q.until) : undefined, cursor ? cursor.ts + 1 : undefined].filter((b): b is number => b !== undefined);
    const start = maxSpan !== undefined && bounds.length > 0 ? Math.min(...bounds) + maxSpan : Number.MAX_SAFE_INTEGER;
    const where = conditions.map((c) => ` AND ${c}`).join('');
    // Pages of candidates, newest first by (max_ts, id), after the page's last one.
    const pager = (workload: number | undefined) => {
      const sql =
        workload !== undefined
          ? `SELECT ${columns} FROM chunks INDEXED BY chunks_workload WHERE workload_id = ? AND (max_ts < ? OR (max_ts = ? AND id < ?))${where} ORDER BY max_ts DESC, id DESC LIMIT ?`
          : `SELECT ${columns} FROM chunks INDEXED BY chunks_max_ts WHERE (max_ts < ? OR (max_ts = ? AND id < ?))${where}${selected ? ` AND workload_id IN (${selected.join(',')})` : ''} ORDER BY max_ts DESC, id DESC LIMIT ?`;
      const stmt = prepare(shard, sql);
      let page: Candidate[] = [];
      let at = 0;
      let size = firstPage;
      let after = { max: start, id: Number.MAX_SAFE_INTEGER };
      let done = false;
      return {
        peek(): Candidate | undefined {
          if (at < page.length) return page[at];
          if (done) return undefined;
          const bound = [after.max, after.max, after.id, ...params, size];
          page = (workload !== undefined ? stmt.all(workload, ...bound) : stmt.all(...bound)) as Candidate[];
          at = 0;
          if (page.length < size) done = true;
          size = Math.min(maxPage, size * 4);
          const last = page[page.length - 1];
          if (last) after = { max: last.max_ts, id: last.id };
          return page[0];
        },
        next() {
          at++;
        },
      };
    };
    const pagers = selected && selected.length <= perWorkloadPlanMax ? selected.map((w) => pager(w)) : [pager(undefined)];
    const readColumns = prepare(shard, 'SELECT columns FROM chunks WHERE id = ?').pluck();
    let hits: Hit[] = [];
    const keep = limit + 1;
    for (;;) {
      // The newest candidate across the pagers.
      let best: { p: (typeof pagers)[number]; c: Candidate } | undefined;
      for (const p of pagers) {
        const c = p.peek();
        if (c && (!best || c.max_ts > best.c.max_ts || (c.max_ts === best.c.max_ts && c.id > best.c.id))) best = { p, c };
      }
      if (!best) break;
      best.p.next();
      const chunk = best.c;
      if (hits.length >= keep) {
        hits.sort(newestFirst);
        hits.length = keep;
        if (chunk.max_ts < hits[keep - 1]!.ts) break;
      }
      if (wantBloom && chunk.bloom && !q.requestIds!.some((id) => bloomMayContain(chunk.bloom!, id))) continue;
      const workload = known.get(chunk.workload_id);
      if (!workload) continue;
      const cols = unpackColumns(readColumns.get(chunk.id) as Uint8Array);
      const row = new ChunkRow(cols, workload.ref, workload.labels);
      for (let i = 0; i < cols.count; i++) {
        const ts = cols.ts[i]!;
        const id = entryId(chunk.id, i, shard.index);
        if (cursor && !(ts < cursor.ts || (ts === cursor.ts && id < cursor.id))) continue;
        if (!rowMatches(q, row.at(i), regexes)) continue;
        hits.push({ ts, id, shard, chunk: chunk.id, row: i, workload });
      }
      if (hits.length > 4 * keep) {
        hits.sort(newestFirst);
        hits.length = keep;
      }
    }
    hits.sort(newestFirst);
    if (hits.length > keep) hits = hits.slice(0, keep);
    return hits;
  }

  /** Every row of the shard that matches `q` in its range, to `each` (a view, reused after the call): what `aggregate` reads. */
  function scanShard(shard: Shard, q: LogQuery, each: (row: EntryRow) => void): void {
    const known = new Map(shardWorkloads(shard).map((w) => [w.id, w]));
    const selected = selectWorkloads(q, [...known.values()])?.map((w) => w.id);
    if (selected?.length === 0) return;
    const regexes = compileQueryRegexes(q);
    const where = [
      ...(q.since !== undefined ? ['max_ts >= ?'] : []),
      ...(q.until !== undefined ? ['min_ts < ?'] : []),
      ...(selected ? [`workload_id IN (${selected.join(',')})`] : []),
    ];
    const params = [q.since, q.until].filter((v): v is number => v !== undefined).map(Math.floor);
    const chunks = prepare(shard, `SELECT workload_id, columns FROM chunks${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`).iterate(
      ...params,
    ) as Iterable<{ workload_id: number; columns: Uint8Array }>;
    for (const chunk of chunks) {
      const workload = known.get(chunk.workload_id);
      if (!workload) continue;
      const cols = unpackColumns(chunk.columns);
      const row = new ChunkRow(cols, workload.ref, workload.labels);
      for (let i = 0; i < cols.count; i++) if (rowMatches(q, row.at(i), regexes)) each(row);
    }
  }

  /** The stored entries of the hits: each chunk's entries and columns read once. */
  function materialise(hits: readonly Hit[]): StoredEntry[] {
    const opened = new Map<string, ChunkRow>();
    return hits.map((h) => {
      const key = `${h.shard.index}:${h.chunk}`;
      let row = opened.get(key);
      if (!row) {
        const r = prepare(h.shard, 'SELECT columns, entries FROM chunks WHERE id = ?').get(h.chunk) as { columns: Uint8Array; entries: Uint8Array };
        row = new ChunkRow(unpackColumns(r.columns), h.workload.ref, h.workload.labels, r.entries);
        opened.set(key, row);
      }
      row.at(h.row);
      return {
        id: h.id,
        ts: h.ts,
        kind: row.kind,
        workload: h.workload.ref,
        labels: h.workload.labels,
        instance: row.instance,
        direction: row.direction as Direction | null,
        source: row.source ?? unknownEnd,
        destination: row.destination ?? unknownEnd,
        // A copy: the chunk's blob is large, and an item may outlive the query.
        entry: row.entry.slice(),
      };
    });
  }

  return {
    query(q) {
      refresh();
      const limit = Math.max(0, Math.floor(q.limit));
      const cursor = q.cursor !== undefined ? decodeCursor(q.cursor) : undefined;
      if (limit === 0) return { items: [] };
      const all = [...shards.values()].flatMap((shard) => queryShard(shard, q, limit, cursor)).sort(newestFirst);
      const more = all.length > limit;
      const page = all.slice(0, limit);
      const items = materialise(page);
      const last = page[page.length - 1];
      return more && last ? { items, nextCursor: encodeCursor(last.ts, last.id) } : { items };
    },
    aggregate(q) {
      refresh();
      const stats = createStatsAccumulator(q);
      const filter: LogQuery = { ...q.filter, since: q.since, until: q.until, limit: 0 };
      for (const shard of shards.values()) scanShard(shard, filter, (row) => stats.add(row));
      return stats.result();
    },
    workloads() {
      refresh();
      const merged = new Map<string, StoredWorkload>();
      for (const shard of shards.values()) {
        for (const w of shardWorkloads(shard)) {
          const key = `${w.ref.clusterName}\n${w.ref.namespace}\n${w.ref.name}`;
          const seen = merged.get(key);
          if (!seen) merged.set(key, w);
          else
            merged.set(key, {
              ...(w.lastSeen > seen.lastSeen ? w : seen),
              firstSeen: Math.min(w.firstSeen, seen.firstSeen),
              lastSeen: Math.max(w.lastSeen, seen.lastSeen),
            });
        }
      }
      return [...merged.values()];
    },
    marks() {
      refresh(true);
      const out = new Map<string, number>();
      for (const shard of shards.values()) {
        // A shard written before marks existed has no table yet.
        if (!prepare(shard, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'marks'").get()) continue;
        for (const { key, value } of prepare(shard, 'SELECT key, value FROM marks').all() as Array<{ key: string; value: number }>) {
          out.set(key, Math.max(value, out.get(key) ?? value));
        }
      }
      return out;
    },
    close() {
      for (const shard of shards.values()) shard.db.close();
      shards.clear();
    },
  };
}
