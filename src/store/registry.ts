/**
 * The store engines, listed by hand, and the `--store` flag that picks one: `sqlite` (the default,
 * a file database in `--data-dir`) or `clickhouse://USER:PASS@HOST:8123/DB` (shared by several
 * servers). An engine is one line here and a folder beside the others; everything above the store
 * sees only `LogStore`.
 */
import type { Logger } from '../telemetry/logger.js';
import { type ClickHouseFlags, clickHouseTarget, createClickHouseStore, isClickHouseSpec } from './clickhouse/index.js';
import { createSqliteStore } from './sqlite/index.js';
import type { LogStore } from './types.js';

/** What every engine is opened with, whatever it stores in. */
export interface StoreOpenOptions {
  /** The server's data directory (SQLite keeps its file there; other engines may keep state there). */
  readonly dataDir: string;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly logger?: Logger;
  /** `--clickhouse-*`: TLS and cluster for a ClickHouse store. */
  readonly clickhouse?: ClickHouseFlags;
}

interface StoreEngine {
  /** What `--store` says for this engine: `sqlite`, or a URL scheme. */
  readonly matches: (spec: string) => boolean;
  /** `--store` values this engine takes, for the error that lists them. */
  readonly example: string;
  open(spec: string, options: StoreOpenOptions): Promise<LogStore>;
}

const engines: readonly StoreEngine[] = [
  { matches: (spec) => spec === 'sqlite', example: 'sqlite', open: (_spec, options) => createSqliteStore(options) },
  {
    matches: isClickHouseSpec,
    example: 'clickhouse://USER:PASS@HOST:8123/DB',
    open: (spec, { retention, logger, clickhouse }) => createClickHouseStore({ target: clickHouseTarget(spec, clickhouse), retention, logger }),
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

/** A store URL in an error message without its password. */
function redactCredentials(spec: string): string {
  return spec.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
