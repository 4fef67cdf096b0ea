/**
 * The embedded store: SQLite (better-sqlite3) in a data directory, batched writes from a worker
 * thread, indexed newest-first reads, retention by age and size. It survives restarts.
 */
export { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
