/**
 * The SQLite schema of one shard file, shared by its writer (which creates it) and the reader.
 *
 * Entries are stored in chunks (`chunk-codec.ts`): one row per workload per write. `chunks.id` is
 * the arrival order; queries find chunks newest first through (max_ts) or (workload_id, max_ts)
 * and read the rows inside. A store written by an earlier meshlog (schema 1 or 2: a row per entry)
 * is converted to chunks when it is opened, then its old table is dropped.
 */
import type Database from 'better-sqlite3';

/** 3: chunks instead of a row per entry. */
export const schemaVersion = 3;

/** Shard 0 keeps the name stores have always had; shard N is `meshlog-N.db`. */
export function shardFile(shard: number): string {
  return shard === 0 ? 'meshlog.db' : `meshlog-${shard}.db`;
}

/** The shard number of a file name, or undefined for other files. */
export function shardOf(file: string): number | undefined {
  if (file === 'meshlog.db') return 0;
  const m = /^meshlog-(\d+)\.db$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

export function createSchema(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > schemaVersion) {
    throw new Error(`The store was written by a newer meshlog (schema ${version}; this one knows ${schemaVersion}).`);
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS workloads (
      id INTEGER PRIMARY KEY,
      cluster TEXT NOT NULL,
      namespace TEXT NOT NULL,
      name TEXT NOT NULL,
      labels TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      UNIQUE (cluster, namespace, name)
    );
    CREATE TABLE IF NOT EXISTS chunks (
      id INTEGER PRIMARY KEY,
      workload_id INTEGER NOT NULL,
      min_ts INTEGER NOT NULL,
      max_ts INTEGER NOT NULL,
      count INTEGER NOT NULL,
      bloom BLOB NOT NULL,
      columns BLOB NOT NULL,
      entries BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS chunks_max_ts ON chunks (max_ts);
    CREATE INDEX IF NOT EXISTS chunks_workload ON chunks (workload_id, max_ts);
    -- max_span: the widest (max_ts - min_ts) of any chunk, so that a query bounded by a time or a
    -- cursor can start its newest-first scan there instead of at the newest chunk.
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    -- LogWriter.mark: written in the transaction of the chunks they came with.
    CREATE TABLE IF NOT EXISTS marks (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `);
}

/** The per-entry table of schemas 1 and 2, if this file still has one. */
export function hasLegacyEntries(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'").get() !== undefined;
}

export function markCurrent(db: Database.Database): void {
  db.pragma(`user_version = ${schemaVersion}`);
}

/**
 * Measured on this machine: 32 KiB pages (new databases only), a 4 MiB page cache for the writer,
 * and `autocheckpointPages`: 1,024 (32 MiB) where the writer checkpoints itself, a backstop of
 * 8,192 where a checkpointer thread does it (`checkpointer.ts`). `synchronous = NORMAL` in WAL mode
 * survives a process crash; a power loss can lose the last transactions
 * (docs/operations/security.md says so).
 */
export function tune(db: Database.Database, autocheckpointPages = 1024): void {
  db.pragma('page_size = 32768');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // The writer appends: its cache holds the indexes' right edges, not the chunks it wrote.
  db.pragma('cache_size = -4096');
  // A checkpoint copies the WAL into the database inside the commit that crosses the mark, holding
  // the writer (and its watchers' texts) that long: 1,024 pages of 32 KiB is about 32 MiB a time.
  db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
}
