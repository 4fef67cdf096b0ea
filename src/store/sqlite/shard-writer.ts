/**
 * The writer of one shard file, synchronous: it runs inside the thread that owns the shard (an
 * ingest worker, or the store's writer worker), inserts each batch's chunks in one transaction,
 * keeps the workloads table, and applies retention by deleting whole chunks, oldest first, a few at
 * a time so that a retention pass never holds the writer for long.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { WorkloadRef } from '../../model/proxy-identity.js';
import type { EntryRow } from '../types.js';
import type { ChunkBatch } from './chunk-batch.js';
import { packBatch } from './chunk-batch.js';
import { checkWal, copyAside, moveAside } from './integrity.js';
import { createSchema, hasLegacyEntries, markCurrent, shardFile, tune } from './schema.js';

export interface Retention {
  readonly maxAgeMs?: number;
  readonly maxBytes?: number;
}

export interface ShardWriter {
  readonly file: string;
  /** Inserts a batch in one transaction; throws (and stores nothing of it) when SQLite fails. */
  write(batch: ChunkBatch): void;
  /**
   * Deletes what retention says, in small steps, for at most about `budgetMs`: returns the entries
   * deleted and whether more is due (the caller comes back after letting writes through).
   */
  applyRetention(retention: Retention, budgetMs?: number): { deleted: number; more: boolean };
  entries(): number;
  bytesOnDisk(): number;
  close(): void;
}

/** Chunks deleted per statement: small steps keep a retention pass from stalling writes. */
const retentionStep = 64;

/** What opening a shard found wrong, and where the damaged files went. */
export type IntegrityReport = (problem: string) => void;

/**
 * Opens the shard, checking it first (`integrity.ts`): a damaged WAL is copied aside before SQLite
 * drops what follows the damage; a database that fails `quick_check` is moved aside and the shard
 * starts empty. Each finding is reported.
 */
export function openShardWriter(dataDir: string, shard: number, report: IntegrityReport = () => undefined, autocheckpointPages?: number): ShardWriter {
  const file = path.join(dataDir, shardFile(shard));
  const wal = existsSync(file) ? checkWal(`${file}-wal`) : undefined;
  if (wal && wal.droppedCommits > 0) {
    const aside = copyAside(file);
    report(
      `the write-ahead log of ${file} is damaged after frame ${wal.usable} of ${wal.frames}: ${wal.droppedCommits} committed transactions after the damage cannot be read; the files were copied to ${aside} (try sqlite3 ${aside} .recover)`,
    );
  }
  const db = openChecked(file, report);
  tune(db, autocheckpointPages);
  createSchema(db);
  if (hasLegacyEntries(db)) convertLegacyEntries(db);
  markCurrent(db);
  const insertChunk = db.prepare('INSERT INTO chunks (workload_id, min_ts, max_ts, count, bloom, columns, entries) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const upsertWorkload = db.prepare(`INSERT INTO workloads (cluster, namespace, name, labels, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (cluster, namespace, name) DO UPDATE SET labels = excluded.labels, last_seen = excluded.last_seen RETURNING id`);
  const touchWorkload = db.prepare('UPDATE workloads SET last_seen = ? WHERE id = ?');
  const upsertMark = db.prepare('INSERT INTO marks (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)');
  /** `cluster\nnamespace\nname` → [id, labels JSON, last time last_seen was written]. */
  const workloadCache = new Map<string, [number, string, number]>();
  let entries = (db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM chunks').get() as { n: number }).n;
  const setMaxSpan = db.prepare("INSERT INTO meta (key, value) VALUES ('max_span', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  let maxSpan = (db.prepare("SELECT value FROM meta WHERE key = 'max_span'").get() as { value: number } | undefined)?.value ?? -1;
  if (maxSpan < 0) {
    maxSpan = (db.prepare('SELECT COALESCE(MAX(max_ts - min_ts), 0) AS n FROM chunks').get() as { n: number }).n;
    setMaxSpan.run(maxSpan);
  }

  const workloadId = (ref: WorkloadRef, labelMap: Readonly<Record<string, string>>, now: number): number => {
    const key = `${ref.clusterName}\n${ref.namespace}\n${ref.name}`;
    const labels = JSON.stringify(labelMap ?? {});
    const cached = workloadCache.get(key);
    if (cached && cached[1] === labels) {
      // last_seen is kept to the minute; writing it per batch would be wasted work.
      if (now - cached[2] > 60_000) {
        touchWorkload.run(now, cached[0]);
        cached[2] = now;
      }
      return cached[0];
    }
    const { id } = upsertWorkload.get(ref.clusterName, ref.namespace, ref.name, labels, now, now) as { id: number };
    workloadCache.set(key, [id, labels, now]);
    return id;
  };

  const insertBatch = db.transaction((batch: ChunkBatch) => {
    const now = Date.now();
    const ids = batch.workloads.map((w) => workloadId(w.ref, w.labels, now));
    let span = maxSpan;
    for (const { workload, chunk } of batch.chunks) {
      insertChunk.run(ids[workload]!, chunk.minTs, chunk.maxTs, chunk.count, chunk.bloom, chunk.columns, chunk.entries);
      span = Math.max(span, chunk.maxTs - chunk.minTs);
    }
    if (span > maxSpan) setMaxSpan.run(span);
    for (const [key, value] of batch.marks ?? []) upsertMark.run(key, value);
    return span;
  });

  const usedBytes = (): number => {
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return (pageCount - free) * pageSize;
  };

  const deleteWhere = (sql: string, limit: number, ...params: unknown[]): number => {
    const victims = db.prepare(`SELECT id, count FROM chunks ${sql} LIMIT ${limit}`).all(...params) as Array<{ id: number; count: number }>;
    if (victims.length === 0) return 0;
    db.prepare(`DELETE FROM chunks WHERE id IN (${victims.map((v) => v.id).join(',')})`).run();
    const removed = victims.reduce((n, v) => n + v.count, 0);
    entries -= removed;
    return removed;
  };

  return {
    file,
    write(batch) {
      try {
        maxSpan = insertBatch(batch);
      } catch (err) {
        // The transaction rolled back: no chunk of this batch is stored, and cached ids may be stale.
        workloadCache.clear();
        throw err;
      }
      entries += batch.count;
    },
    applyRetention(retention, budgetMs = 20) {
      const deadline = performance.now() + budgetMs;
      let removed = 0;
      if (retention.maxAgeMs !== undefined) {
        const cutoff = (Date.now() - retention.maxAgeMs) * 1000;
        for (;;) {
          const step = deleteWhere('WHERE max_ts < ? ORDER BY max_ts', retentionStep, cutoff);
          removed += step;
          if (step === 0) break;
          if (performance.now() > deadline) return { deleted: removed, more: true };
        }
      }
      if (retention.maxBytes !== undefined) {
        // Freed pages are reused by later inserts, so used (not file) bytes are what retention bounds.
        for (let used = usedBytes(); used > retention.maxBytes; used = usedBytes()) {
          // About as many of the oldest chunks as the store is over by, at most a step's worth.
          const chunks = (db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
          if (chunks === 0) break;
          const over = Math.ceil(((used - retention.maxBytes) / used) * chunks);
          const step = deleteWhere('ORDER BY max_ts, id', Math.max(1, Math.min(retentionStep, over)));
          removed += step;
          if (step === 0) break;
          if (performance.now() > deadline) return { deleted: removed, more: true };
        }
      }
      return { deleted: removed, more: false };
    },
    entries: () => entries,
    bytesOnDisk() {
      let total = 0;
      for (const suffix of ['', '-wal', '-shm']) {
        try {
          total += statSync(file + suffix).size;
        } catch {
          // The WAL may not exist.
        }
      }
      return total;
    },
    close() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/** The shard's database, opened once `quick_check` says it is sound; a damaged one is moved aside first. */
function openChecked(file: string, report: IntegrityReport): Database.Database {
  let db: Database.Database | undefined;
  let check: string;
  try {
    db = new Database(file);
    check = (db.pragma('quick_check', { simple: true }) as string | undefined) ?? 'ok';
  } catch (err) {
    // A header too damaged to open at all ("file is not a database").
    check = err instanceof Error ? err.message : String(err);
  }
  if (check === 'ok' && db) return db;
  db?.close();
  // quick_check lists one problem per line: one line of the report.
  check = check.replace(/\s*\n\s*/g, '; ');
  const aside = moveAside(file);
  report(`${file} is damaged (quick_check: ${check}); it was moved to ${aside} and the shard starts empty (try sqlite3 ${aside} .recover)`);
  return new Database(file);
}

/** Schema 1/2 → chunks, a few thousand rows per transaction, then the old table goes. */
function convertLegacyEntries(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(entries)').all() as Array<{ name: string }>).map((c) => c.name));
  const v2 = columns.has('direction');
  const workloads = new Map(
    (
      db.prepare('SELECT id, cluster, namespace, name, labels FROM workloads').all() as Array<{
        id: number;
        cluster: string;
        namespace: string;
        name: string;
        labels: string;
      }>
    ).map((w) => [w.id, { ref: { name: w.name, namespace: w.namespace, clusterName: w.cluster }, labels: JSON.parse(w.labels) as Record<string, string> }]),
  );
  const read = db.prepare(`SELECT * FROM entries WHERE id > ? ORDER BY id LIMIT 5000`);
  const insert = db.prepare('INSERT INTO chunks (workload_id, min_ts, max_ts, count, bloom, columns, entries) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const ids = new Map<WorkloadRef, number>();
  for (const [id, w] of workloads) ids.set(w.ref, id);
  let after = 0;
  const step = db.transaction(() => {
    const rows = read.all(after) as Array<Record<string, unknown>>;
    if (rows.length === 0) return false;
    after = rows[rows.length - 1]!['id'] as number;
    const entryRows: EntryRow[] = rows.map((r) => legacyRow(r, workloads.get(r['workload_id'] as number), v2));
    const batch = packBatch(entryRows);
    for (const { workload, chunk } of batch.chunks) {
      const ref = batch.workloads[workload]!.ref;
      insert.run(ids.get(ref) ?? 0, chunk.minTs, chunk.maxTs, chunk.count, chunk.bloom, chunk.columns, chunk.entries);
    }
    return true;
  });
  while (step()) {
    // One transaction per few thousand rows.
  }
  db.exec('DROP TABLE entries');
}

const unknownWorkload = { ref: { name: '', namespace: '', clusterName: '' }, labels: {} };

function legacyRow(r: Record<string, unknown>, workload: { ref: WorkloadRef; labels: Record<string, string> } | undefined, v2: boolean): EntryRow {
  const w = workload ?? unknownWorkload;
  const text = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : null);
  const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : null);
  return {
    ts: num('ts') ?? 0,
    kind: r['kind'] === 1 ? 'tcp' : 'http',
    workload: w.ref,
    labels: w.labels,
    instance: text('instance') ?? '',
    method: text('method'),
    authority: text('authority'),
    path: text('path'),
    status: num('status'),
    durationUs: num('duration_us'),
    responseFlags: text('response_flags') ?? '',
    upstreamCluster: text('upstream_cluster'),
    requestId: text('request_id'),
    direction: v2 ? (r['direction'] === 1 ? 'inbound' : r['direction'] === 2 ? 'outbound' : null) : null,
    source: {
      cluster: text('src_cluster'),
      namespace: text('src_namespace'),
      workload: text('src_workload'),
      ip: text('src_ip'),
      port: num('src_port'),
      service: null,
    },
    destination: {
      cluster: text('dst_cluster'),
      namespace: text('dst_namespace'),
      workload: text('dst_workload'),
      ip: text('dst_ip'),
      port: num('dst_port'),
      service: text('dst_service'),
    },
    bytesReceived: num('bytes_received') ?? 0,
    bytesSent: num('bytes_sent') ?? 0,
    upstreamFailure: text('upstream_failure'),
    entry: (r['entry'] as Uint8Array | undefined) ?? new Uint8Array(0),
  };
}
