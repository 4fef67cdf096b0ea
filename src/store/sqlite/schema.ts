/**
 * The SQLite schema, shared by the writer worker (which creates it) and the reader.
 *
 * `entries.id` is the arrival order; queries read newest first by (ts, id), which both indexes
 * cover (an index implicitly ends with the rowid), so "latest N" never sorts.
 */
import type Database from 'better-sqlite3';

/** 2: direction, both ends of the call, bytes and the upstream failure reason (added to a v1 store in place). */
export const schemaVersion = 2;

export const databaseFile = 'meshlog.db';

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
    CREATE TABLE IF NOT EXISTS entries (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      kind INTEGER NOT NULL,
      workload_id INTEGER NOT NULL,
      instance TEXT NOT NULL,
      method TEXT,
      authority TEXT,
      path TEXT,
      status INTEGER,
      duration_us INTEGER,
      response_flags TEXT NOT NULL,
      upstream_cluster TEXT,
      request_id TEXT,
      entry BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_ts ON entries (ts);
    CREATE INDEX IF NOT EXISTS entries_workload_ts ON entries (workload_id, ts);
  `);
  const present = new Set((db.prepare('PRAGMA table_info(entries)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, type] of v2Columns) if (!present.has(name)) db.exec(`ALTER TABLE entries ADD COLUMN ${name} ${type}`);
  db.pragma(`user_version = ${schemaVersion}`);
}

/** Columns of schema 2, in insert order after the v1 ones. `direction`: 0 unknown, 1 inbound, 2 outbound. */
export const v2Columns: ReadonlyArray<readonly [string, string]> = [
  ['direction', 'INTEGER NOT NULL DEFAULT 0'],
  ['src_cluster', 'TEXT'],
  ['src_namespace', 'TEXT'],
  ['src_workload', 'TEXT'],
  ['src_ip', 'TEXT'],
  ['src_port', 'INTEGER'],
  ['dst_cluster', 'TEXT'],
  ['dst_namespace', 'TEXT'],
  ['dst_workload', 'TEXT'],
  ['dst_ip', 'TEXT'],
  ['dst_port', 'INTEGER'],
  ['dst_service', 'TEXT'],
  ['bytes_received', 'INTEGER NOT NULL DEFAULT 0'],
  ['bytes_sent', 'INTEGER NOT NULL DEFAULT 0'],
  ['upstream_failure', 'TEXT'],
];

export const directionCode = { inbound: 1, outbound: 2 } as const;
export const directionName = [null, 'inbound', 'outbound'] as const;

/**
 * Measured on this machine, 300k rows of ~460-byte entries in 2,000-row transactions: 106k rows/s
 * with SQLite's defaults, 140k with 8 KiB pages (new databases only), a 16 MiB page cache and a
 * checkpoint every 10,000 pages (a 64 MiB cache measured no better). `synchronous = NORMAL` in WAL mode survives a process crash.
 */
export function tune(db: Database.Database): void {
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -16384');
  db.pragma('wal_autocheckpoint = 10000');
}

export const kindCode = { http: 0, tcp: 1 } as const;
export const kindName = ['http', 'tcp'] as const;
