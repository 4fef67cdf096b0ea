/**
 * The store engines, listed by hand, and the `--store` flag that picks one: `sqlite` (the default,
 * a file database in `--data-dir`) or `clickhouse://USER:PASS@HOST:8123/DB` (shared by several
 * servers). An engine is one line here and a folder beside the others. Everything above the store
 * sees `LogStore`, or its halves: ingest workers write shards through `openWriter`, the server
 * reads them all through `openReader`.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from '../telemetry/logger.js';
import { type ClickHouseStoreOptions, clickHouseTarget, createClickHouseStore, isClickHouseSpec } from './clickhouse/index.js';
import { createSqliteStore } from './sqlite/index.js';
import { openStoreReader } from './sqlite/reader.js';
import { createShardStore } from './sqlite/shard-store.js';
import type { LogReader, LogStore, LogWriter } from './types.js';

/** What every engine is opened with, whatever it stores in. */
export interface StoreOpenOptions {
  /** The server's data directory (SQLite keeps its file there; other engines may keep state there). */
  readonly dataDir: string;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly logger?: Logger;
}

interface StoreEngine {
  /** What `--store` says for this engine: `sqlite`, or a URL scheme. */
  readonly matches: (spec: string) => boolean;
  /** `--store` values this engine takes, for the error that lists them. */
  readonly example: string;
  /** Both halves in one object, for a process that writes from one thread. */
  open(spec: string, options: StoreOpenOptions): Promise<LogStore>;
  /** The writer of one shard, opened in the ingest worker that owns it. */
  openWriter(spec: string, shard: number, options: StoreOpenOptions & { readonly onError?: (error: string) => void }): Promise<LogWriter>;
  /** The reader over every shard, opened where queries are answered. */
  openReader(spec: string, options: StoreOpenOptions): Promise<LogReader>;
}

const engines: readonly StoreEngine[] = [
  {
    matches: (spec) => spec === 'sqlite',
    example: 'sqlite',
    open: (_spec, options) => createSqliteStore(options),
    openWriter: async (_spec, shard, options) =>
      createShardStore({ dataDir: options.dataDir, shard, retention: options.retention, onError: options.onError, checkpointer: true }),
    async openReader(_spec, options) {
      const reader = openStoreReader(options.dataDir);
      return {
        query: async (q) => reader.query(q),
        workloads: async () => reader.workloads(),
        aggregate: async (q) => reader.aggregate(q),
        marks: async () => reader.marks(),
        close: async () => reader.close(),
      };
    },
  },
  {
    matches: isClickHouseSpec,
    example: 'clickhouse://USER:PASS@HOST:8123/DB',
    open: async (spec, options) => createClickHouseStore(clickHouseOptions(spec, options)),
    openWriter: async (spec, shard, options) => createClickHouseStore({ ...clickHouseOptions(spec, options), role: { writer: shard } }),
    openReader: async (spec, options) => createClickHouseStore({ ...clickHouseOptions(spec, options), role: 'reader' }),
  },
];

export class StoreSpecError extends Error {
  override readonly name = 'StoreSpecError';
}

/** The engine `--store` names, or a `StoreSpecError` that lists what is accepted. */
export function storeEngineFor(spec: string): StoreEngine {
  const engine = engines.find((e) => e.matches(spec));
  if (!engine)
    throw new StoreSpecError(`--store: "${redactCredentials(spec)}" is not a store meshlog knows (use ${engines.map((e) => e.example).join(' or ')})`);
  return engine;
}

export function openStore(spec: string, options: StoreOpenOptions): Promise<LogStore> {
  return storeEngineFor(spec).open(spec, options);
}

export function openStoreWriter(spec: string, shard: number, options: StoreOpenOptions & { readonly onError?: (error: string) => void }): Promise<LogWriter> {
  return storeEngineFor(spec).openWriter(spec, shard, options);
}

export function openStoreReaderFor(spec: string, options: StoreOpenOptions): Promise<LogReader> {
  return storeEngineFor(spec).openReader(spec, options);
}

/**
 * A ClickHouse store's options from `--store` (its query carries the `--clickhouse-*` flags, so
 * ingest workers get them with the spec). Every writer of this server is named by its host and
 * data directory, so the server's tail can tell its own rows from other servers'.
 */
function clickHouseOptions(spec: string, options: StoreOpenOptions): ClickHouseStoreOptions {
  return { target: clickHouseTarget(spec), retention: options.retention, logger: options.logger, instance: `${hostname()}:${path.resolve(options.dataDir)}` };
}

/** A store URL in an error message without its password. */
function redactCredentials(spec: string): string {
  return spec.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
