import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { contractRow, describeStoreContract } from '../testing/contract.js';
import type { LogStore } from '../types.js';
import { packBatch } from './chunk-batch.js';
import { createSqliteStore } from './index.js';
import { openStoreReader } from './reader.js';
import { createShardStore } from './shard-store.js';
import { openShardWriter } from './shard-writer.js';

describeStoreContract('SQLite', {
  async open(options, location) {
    const dataDir = location ?? mkdtempSync(path.join(tmpdir(), 'meshlog-store-'));
    return { store: await createSqliteStore({ dataDir, ...options }), location: dataDir };
  },
  async remove(location) {
    rmSync(location, { recursive: true, force: true });
  },
});

describe('SQLite shards and upgrades', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-shards-'));
    dirs.push(dir);
    return dir;
  };

  it('checkpoints a shard from its own thread when asked, so the log restarts without the writer checkpointing', async () => {
    const dir = fresh();
    // Random bytes, so that pages are what was written: 100 rows of 10 kB is about 32 pages of log.
    const rows = (n: number) => Array.from({ length: n }, (_, i) => contractRow(i, { entry: randomBytes(10_000) }));
    const logPages = async (checkpointer: boolean, shard: number) => {
      const store = createShardStore({ dataDir: dir, shard, checkpointer, batchRows: 100 });
      for (let i = 0; i < 5; i++) store.write(rows(100));
      await store.flush();
      // The checkpointer runs every 200 ms: by now it has copied all of the log into the database...
      await new Promise((r) => setTimeout(r, 800));
      // ...so the writer's next commit starts the log again from its beginning.
      store.write(rows(100));
      await store.flush();
      const probe = new Database(path.join(dir, shard === 0 ? 'meshlog.db' : `meshlog-${shard}.db`));
      const log = (probe.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
      probe.close();
      await store.close();
      return log;
    };
    // About one batch in the log with the checkpointer; all six without it (the writer's own mark,
    // 1,024 pages, is not reached).
    expect(await logPages(true, 0)).toBeLessThan(100);
    expect(await logPages(false, 1)).toBeGreaterThan(150);
  });

  it('reads every shard of a directory as one store, newest first, with cursors across shards', async () => {
    const dir = fresh();
    const writers = [openShardWriter(dir, 0), openShardWriter(dir, 1), openShardWriter(dir, 2)];
    const rows = Array.from({ length: 90 }, (_, i) => contractRow(i, { ts: 1_700_000_000_000_000 + Math.floor(i / 3) }));
    writers.forEach((w, k) => {
      w.write(packBatch(rows.filter((_, i) => i % 3 === k)));
    });
    const reader = openStoreReader(dir);
    try {
      const all = reader.query({ limit: 1000 }).items;
      expect(all).toHaveLength(90);
      expect(all.map((i) => i.ts)).toEqual([...all.map((i) => i.ts)].sort((a, b) => b - a));
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 50; pages++) {
        const page = reader.query({ limit: 7, cursor, selectors: [{ labels: { app: 'reviews' } }] });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
      expect(reader.workloads()).toHaveLength(6);
    } finally {
      reader.close();
      for (const w of writers) w.close();
    }
  });

  it('commits marks with the rows written before them, and reads each key at its highest value across shards', async () => {
    const dir = fresh();
    const a = createShardStore({ dataDir: dir, shard: 0 });
    const b = createShardStore({ dataDir: dir, shard: 1 });
    a.write([contractRow(1)]);
    a.mark!('relay:agent-1', 7);
    a.mark!('relay:agent-1', 5);
    b.mark!('relay:agent-1', 9);
    b.mark!('relay:agent-2', 3);
    const reader = openStoreReader(dir);
    try {
      // Nothing is committed before a flush: no mark is visible without its rows.
      expect(reader.marks()).toEqual(new Map());
      await a.flush();
      expect(reader.marks()).toEqual(new Map([['relay:agent-1', 7]]));
      expect(reader.query({ limit: 10 }).items).toHaveLength(1);
      await b.flush();
      expect(reader.marks()).toEqual(
        new Map([
          ['relay:agent-1', 9],
          ['relay:agent-2', 3],
        ]),
      );
    } finally {
      reader.close();
      await a.close();
      await b.close();
    }
  });

  it('converts a store written by meshlog 0.1 (a row per entry) to chunks, keeping every entry', async () => {
    const dir = fresh();
    const old = new Database(path.join(dir, 'meshlog.db'));
    old.exec(`
      CREATE TABLE workloads (id INTEGER PRIMARY KEY, cluster TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, UNIQUE (cluster, namespace, name));
      CREATE TABLE entries (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind INTEGER NOT NULL, workload_id INTEGER NOT NULL, instance TEXT NOT NULL, method TEXT, authority TEXT, path TEXT, status INTEGER, duration_us INTEGER, response_flags TEXT NOT NULL, upstream_cluster TEXT, request_id TEXT, entry BLOB NOT NULL);
      CREATE INDEX entries_ts ON entries (ts);
      INSERT INTO workloads VALUES (1, 'c1', 'bookinfo', 'reviews-v1', '{"app":"reviews"}', 0, 0);
      PRAGMA user_version = 1;
    `);
    const insert = old.prepare(
      'INSERT INTO entries (ts, kind, workload_id, instance, method, authority, path, status, duration_us, response_flags, upstream_cluster, request_id, entry) VALUES (?, 0, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    old.exec('BEGIN');
    for (let i = 0; i < 12_000; i++)
      insert.run(
        1_700_000_000_000_000 + i,
        'reviews-v1-x',
        'GET',
        'reviews:9080',
        `/r/${i}`,
        i % 10 ? 200 : 503,
        10,
        i % 10 ? '' : 'UF',
        'outbound|9080||x',
        `id-${i}`,
        Uint8Array.from([i % 256]),
      );
    old.exec('COMMIT');
    old.close();
    const store = await createSqliteStore({ dataDir: dir });
    try {
      expect(store.stats().entries).toBe(12_000);
      const latest = await store.query({ limit: 2, status: [{ min: 500, max: 599 }], selectors: [{ labels: { app: 'reviews' } }] });
      expect(latest.items.map((i) => i.ts)).toEqual([1_700_000_000_000_000 + 11_990, 1_700_000_000_000_000 + 11_980]);
      expect((await store.query({ limit: 1, requestIds: ['id-7'] })).items.map((i) => [...i.entry])).toEqual([[7]]);
    } finally {
      await store.close();
    }
    const check = new Database(path.join(dir, 'meshlog.db'), { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'entries'").get()).toBeUndefined();
    check.close();
  });
});

// The shape `meshlog serve` uses: a shard written in the producing thread, read by the directory reader.
describeStoreContract('SQLite (shard writer + reader)', {
  async open(options, location) {
    const dataDir = location ?? mkdtempSync(path.join(tmpdir(), 'meshlog-shard-'));
    const writer = createShardStore({
      dataDir,
      shard: 0,
      batchRows: options.batchRows,
      highWaterRows: options.highWaterRows,
      retention: options.retention,
      retentionIntervalMs: options.retentionIntervalMs,
    });
    const reader = openStoreReader(dataDir);
    const store: LogStore = {
      write: (rows) => writer.write(rows),
      onDrain: (l) => writer.onDrain(l),
      flush: () => writer.flush(),
      stats: () => writer.stats(),
      problem: () => writer.problem(),
      query: async (q) => reader.query(q),
      workloads: async () => reader.workloads(),
      aggregate: async (q) => reader.aggregate(q),
      async close() {
        await writer.close();
        reader.close();
      },
    };
    return { store, location: dataDir };
  },
  async remove(location) {
    rmSync(location, { recursive: true, force: true });
  },
});

describe('SQLite store with a writer thread', () => {
  it('pushes back above its high-water mark while its writer is behind, and tells when it drained', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-store-'));
    const store = await createSqliteStore({ dataDir, highWaterRows: 100, lowWaterRows: 10, batchRows: 50 });
    try {
      let drained = 0;
      store.onDrain(() => drained++);
      expect(store.write(Array.from({ length: 50 }, (_, i) => contractRow(i)))).toBe(true);
      expect(store.write(Array.from({ length: 80 }, (_, i) => contractRow(i)))).toBe(false);
      await store.flush();
      expect(drained).toBe(1);
      expect(store.stats().entries).toBe(130);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SQLite shards that are damaged', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-damaged-'));
    dirs.push(dir);
    return dir;
  };

  it('copies aside a write-ahead log damaged before its last commits, instead of silently opening without them', () => {
    const live = fresh();
    const writer = openShardWriter(live, 0);
    for (let b = 0; b < 6; b++) writer.write(packBatch(Array.from({ length: 500 }, (_, i) => contractRow(b * 500 + i))));
    // A crash now: the database and its WAL as they are on disk, never checkpointed.
    const crashed = fresh();
    for (const suffix of ['', '-wal']) writeFileSync(path.join(crashed, `meshlog.db${suffix}`), readFileSync(path.join(live, `meshlog.db${suffix}`)));
    writer.close();
    const wal = readFileSync(path.join(crashed, 'meshlog.db-wal'));
    // One byte of the first frame's page (header 32 bytes, frame header 24).
    wal[32 + 24 + 100] = wal[32 + 24 + 100]! ^ 0xff;
    writeFileSync(path.join(crashed, 'meshlog.db-wal'), wal);
    const reports: string[] = [];
    const reopened = openShardWriter(crashed, 0, (p) => reports.push(p));
    reopened.close();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      /write-ahead log of .*meshlog\.db is damaged after frame 0 of \d+: \d+ committed transactions .* copied to .*meshlog\.db\.damaged-/,
    );
    const aside = readdirSync(crashed).filter((f) => f.includes('.damaged-'));
    expect(aside.sort()).toEqual([expect.stringMatching(/^meshlog\.db\.damaged-[^-]+.*[^l]$/), expect.stringMatching(/-wal$/)]);
  });

  it('moves aside a database whose pages are damaged and starts the shard empty, saying where the old one went', () => {
    const dir = fresh();
    const writer = openShardWriter(dir, 0);
    writer.write(packBatch(Array.from({ length: 3000 }, (_, i) => contractRow(i))));
    writer.close();
    const file = path.join(dir, 'meshlog.db');
    const db = readFileSync(file);
    // Scribble over a b-tree page in the middle of the file (page 1 holds the header, whose bytes 16-17 are the page size).
    const pageSize = db.readUInt16BE(16) === 1 ? 65536 : db.readUInt16BE(16);
    // The last b-tree page (a table or index page, by its first byte), where quick_check looks; overflow pages it does not read.
    const pages = Array.from({ length: db.length / pageSize }, (_, i) => i).filter((i) => i > 0 && [2, 5, 10, 13].includes(db[i * pageSize]!));
    const page = pages.at(-1)!;
    expect(page).toBeGreaterThan(0);
    db.fill(0x5a, page * pageSize + 8, page * pageSize + 400);
    writeFileSync(file, db);
    const reports: string[] = [];
    const reopened = openShardWriter(dir, 0, (p) => reports.push(p));
    expect(reports[0]).toMatch(/meshlog\.db is damaged \(quick_check: .+\); it was moved to .*meshlog\.db\.damaged-.* and the shard starts empty/);
    expect(reopened.entries()).toBe(0);
    reopened.write(packBatch([contractRow(1)]));
    expect(reopened.entries()).toBe(1);
    reopened.close();
    expect(readdirSync(dir).some((f) => f.startsWith('meshlog.db.damaged-'))).toBe(true);
  });
});

describe('a shard whose commits fail', () => {
  it('keeps a batch it could not commit intact while it packs the next ones, and stores both once the disk has room', async () => {
    const mountpoint = mkdtempSync(path.join(tmpdir(), 'meshlog-arena-'));
    // Root is needed to mount; this machine's tests run as root (a clear failure otherwise).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountpoint]);
    const store = createShardStore({ dataDir: mountpoint, shard: 0, batchRows: 10 });
    try {
      const rows = (from: number) => Array.from({ length: 10 }, (_, i) => contractRow(from + i, { entry: randomBytes(3_000) }));
      // Take the rest of the disk.
      const filler = path.join(mountpoint, 'filler');
      for (let i = 0; i < 200; i++) {
        try {
          appendFileSync(filler, Buffer.alloc(64 * 1024));
        } catch {
          break;
        }
      }
      const first = rows(0);
      const second = rows(10);
      store.write(first);
      expect(store.problem()).toMatch(/cannot write/);
      // Packed while the first batch waits for a retry: it must not take the first one's memory.
      store.write(second);
      rmSync(filler);
      await store.flush();
      expect(store.problem()).toBeNull();
      const reader = openStoreReader(mountpoint);
      let stored: ReturnType<typeof reader.query>['items'];
      try {
        stored = reader.query({ limit: 100 }).items;
      } finally {
        reader.close();
      }
      expect(stored).toHaveLength(20);
      const byTs = new Map(stored.map((s) => [s.ts, s]));
      for (const row of [...first, ...second]) expect(Buffer.from(byTs.get(row.ts)!.entry).equals(Buffer.from(row.entry))).toBe(true);
    } finally {
      await store.close();
      execFileSync('umount', [mountpoint]);
      rmSync(mountpoint, { recursive: true, force: true });
    }
  });
});
