/**
 * The store's writer, in a worker thread: inserts batches in one transaction each, keeps the
 * workloads table, and applies retention. Runs on the second core while the main thread decodes.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WorkloadRef } from '../../model/proxy-identity.js';
import { type RowBatch, stringColumns } from './row-batch.js';
import { createSchema, databaseFile, kindCode, tune } from './schema.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('writer-worker.js runs as a worker thread only.');

const send = (message: FromWorker) => port.postMessage(message);

let db: Database.Database | undefined;
let insert: Database.Statement | undefined;
let insertBatch: ((batch: RowBatch) => void) | undefined;
let upsertWorkload: Database.Statement | undefined;
let touchWorkload: Database.Statement | undefined;
let dbPath = '';
let entries = 0;
let deleted = 0;
let sinceRetention = 0;
let retention: { maxAgeMs?: number; maxBytes?: number } = {};
let timer: NodeJS.Timeout | undefined;
/** `cluster\nnamespace\nname` → [id, labels JSON, last time last_seen was written]. */
const workloadCache = new Map<string, [number, string, number]>();

port.on('message', (message: ToWorker) => {
  try {
    handle(message);
  } catch (err) {
    send({ type: 'fatal', error: err instanceof Error ? err.message : String(err) });
  }
});

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'open':
      open(message);
      return;
    case 'write':
      write(message.seq, message.batch);
      return;
    case 'flush':
      send({ type: 'flushed', id: message.id });
      return;
    case 'retention':
      applyRetention();
      return;
    case 'close':
      if (timer) clearInterval(timer);
      db?.pragma('wal_checkpoint(TRUNCATE)');
      db?.close();
      db = undefined;
      send({ type: 'closed' });
      return;
  }
}

function open(message: Extract<ToWorker, { type: 'open' }>): void {
  dbPath = path.join(message.dataDir, databaseFile);
  db = new Database(dbPath);
  tune(db);
  createSchema(db);
  retention = { maxAgeMs: message.maxAgeMs, maxBytes: message.maxBytes };
  insert =
    db.prepare(`INSERT INTO entries (ts, kind, workload_id, instance, method, authority, path, status, duration_us, response_flags, upstream_cluster, request_id, entry,
      direction, src_cluster, src_namespace, src_workload, src_ip, src_port, dst_cluster, dst_namespace, dst_workload, dst_ip, dst_port, dst_service, bytes_received, bytes_sent, upstream_failure)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  upsertWorkload = db.prepare(`INSERT INTO workloads (cluster, namespace, name, labels, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (cluster, namespace, name) DO UPDATE SET labels = excluded.labels, last_seen = excluded.last_seen RETURNING id`);
  touchWorkload = db.prepare('UPDATE workloads SET last_seen = ? WHERE id = ?');
  insertBatch = db.transaction((batch: RowBatch) => {
    const now = Date.now();
    // Workloads are resolved once per batch, not per row.
    const ids = batch.workloads.map((w) => workloadId(w.ref, w.labels, now));
    const { strings, ts, status, durationUs, direction, srcPort, dstPort, bytesReceived, bytesSent, blob, offsets } = batch;
    for (let i = 0; i < batch.count; i++) {
      const s = i * stringColumns;
      insert!.run(
        finite(ts[i]!, now * 1000),
        batch.kind[i]!,
        ids[batch.workload[i]!]!,
        strings[s] ?? '',
        strings[s + 1] ?? null,
        strings[s + 2] ?? null,
        strings[s + 3] ?? null,
        finiteOrNull(status[i]!),
        finiteOrNull(durationUs[i]!),
        strings[s + 4] ?? '',
        strings[s + 5] ?? null,
        strings[s + 6] ?? null,
        blob.subarray(offsets[i]!, offsets[i + 1]!),
        direction[i]!,
        strings[s + 7] ?? null,
        strings[s + 8] ?? null,
        strings[s + 9] ?? null,
        strings[s + 10] ?? null,
        finiteOrNull(srcPort[i]!),
        strings[s + 11] ?? null,
        strings[s + 12] ?? null,
        strings[s + 13] ?? null,
        strings[s + 14] ?? null,
        finiteOrNull(dstPort[i]!),
        strings[s + 15] ?? null,
        finite(bytesReceived[i]!, 0),
        finite(bytesSent[i]!, 0),
        strings[s + 16] ?? null,
      );
    }
  });
  entries = (db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
  timer = setInterval(applyRetention, message.retentionIntervalMs);
  send({ type: 'ready', entries });
}

function workloadId(ref: WorkloadRef, labelMap: Readonly<Record<string, string>>, now: number): number {
  const key = `${ref.clusterName}\n${ref.namespace}\n${ref.name}`;
  const labels = JSON.stringify(labelMap ?? {});
  const cached = workloadCache.get(key);
  if (cached && cached[1] === labels) {
    // last_seen is kept to the minute; writing it per batch would be wasted work.
    if (now - cached[2] > 60_000) {
      touchWorkload!.run(now, cached[0]);
      cached[2] = now;
    }
    return cached[0];
  }
  const { id } = upsertWorkload!.get(ref.clusterName, ref.namespace, ref.name, labels, now, now) as { id: number };
  workloadCache.set(key, [id, labels, now]);
  return id;
}

function write(seq: number, batch: RowBatch): void {
  if (!insertBatch) {
    send({ type: 'failed', seq, count: batch.count, error: 'the store is not open' });
    return;
  }
  try {
    insertBatch(batch);
  } catch (err) {
    // The transaction rolled back; no row of this batch is stored.
    workloadCache.clear();
    send({ type: 'failed', seq, count: batch.count, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  entries += batch.count;
  sinceRetention += batch.count;
  send({ type: 'written', seq, count: batch.count, entries });
  if (sinceRetention >= 200_000) applyRetention();
}

const chunk = 10_000;

function applyRetention(): void {
  if (!db) return;
  sinceRetention = 0;
  let removed = 0;
  if (retention.maxAgeMs !== undefined) {
    const cutoff = (Date.now() - retention.maxAgeMs) * 1000;
    const stmt = db.prepare(`DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE ts < ? LIMIT ${chunk})`);
    for (let changes = chunk; changes === chunk; ) {
      changes = stmt.run(cutoff).changes;
      removed += changes;
    }
  }
  if (retention.maxBytes !== undefined) {
    const oldest = db.prepare('DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY id LIMIT ?)');
    for (let used = usedBytes(); used > retention.maxBytes; used = usedBytes()) {
      // Delete about the share of rows by which the store is over, a chunk at a time.
      const left = entries - removed;
      const over = Math.ceil((left * (used - retention.maxBytes)) / used) + 1;
      const changes = oldest.run(Math.min(chunk, Math.max(1, over))).changes;
      removed += changes;
      if (changes === 0) break;
    }
  }
  entries -= removed;
  deleted += removed;
  send({ type: 'stats', entries, bytesOnDisk: bytesOnDisk(), deleted });
}

/** Bytes in pages that hold data; freed pages are reused by later inserts. */
function usedBytes(): number {
  const pageCount = db!.pragma('page_count', { simple: true }) as number;
  const free = db!.pragma('freelist_count', { simple: true }) as number;
  const pageSize = db!.pragma('page_size', { simple: true }) as number;
  return (pageCount - free) * pageSize;
}

function bytesOnDisk(): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(dbPath + suffix).size;
    } catch {
      // The WAL may not exist.
    }
  }
  return total;
}

function finite(value: number, fallback: number): number {
  return Number.isFinite(value) ? Math.trunc(value) : fallback;
}

/** NaN (the batch's null) and infinities become NULL. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? Math.trunc(value) : null;
}
