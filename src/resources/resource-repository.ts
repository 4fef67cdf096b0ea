/**
 * The resources a server knows, from two origins: applied through the API (persisted in the data
 * directory as one JSON file, written atomically) and read from `--config-dir` (watched; see
 * `config-dir.ts`). A resource from a file cannot be changed or deleted through the API.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../api/load-yaml.js';
import type { KindDefinition, ValidationContext } from '../api/types.js';
import { type Resource, resourceKey } from '../api/types.js';
import type { Logger } from '../telemetry/logger.js';
import { type ConfigDirWatcher, watchConfigDir } from './config-dir.js';

export interface StoredResource {
  readonly resource: Resource;
  /** `api`, or the config file it came from. */
  readonly origin: string;
  readonly generation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export class ResourceConflictError extends Error {
  override readonly name = 'ResourceConflictError';
}

export interface ResourceRepository {
  apply(resources: readonly Resource[]): Array<{ resource: Resource; outcome: ApplyOutcome }>;
  /** Throws ResourceConflictError when the resource is file-owned or others depend on it; false when absent. */
  delete(kind: string, scope: string, name: string): boolean;
  list(kind?: string): StoredResource[];
  get(kind: string, scope: string, name: string): StoredResource | undefined;
  /** Problems of config-dir files (each keeps its last valid resources meanwhile). */
  problems(): readonly Problem[];
  subscribe(listener: (all: readonly StoredResource[]) => void): void;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RepositoryOptions {
  readonly dataDir: string;
  readonly configDir?: string;
  readonly kinds: readonly KindDefinition[];
  readonly logger: Logger;
  /** The server's bounds that --config-dir files are validated against too. */
  readonly validation?: ValidationContext;
}

const fileName = 'resources.json';

export function createResourceRepository(options: RepositoryOptions): ResourceRepository {
  const { kinds, logger } = options;
  const stateFile = path.join(options.dataDir, fileName);
  const fromApi = new Map<string, StoredResource>(loadState(stateFile).map((r) => [resourceKey(r.resource), r]));
  let fromFiles = new Map<string, StoredResource>();
  const listeners: Array<(all: readonly StoredResource[]) => void> = [];
  let watcher: ConfigDirWatcher | undefined;

  const all = () => [...fromFiles.values(), ...fromApi.values()];
  const changed = () => {
    const snapshot = all();
    for (const listener of listeners) listener(snapshot);
  };
  const persist = () => {
    mkdirSync(options.dataDir, { recursive: true });
    const tmp = `${stateFile}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify([...fromApi.values()], null, 2)}\n`);
    renameSync(tmp, stateFile);
  };

  return {
    apply(resources) {
      for (const r of resources) {
        const owner = fromFiles.get(resourceKey(r));
        if (owner) throw new ResourceConflictError(`${describe(r)} is defined in ${owner.origin}; change it there.`);
      }
      const now = new Date().toISOString();
      const results = resources.map((resource) => {
        const key = resourceKey(resource);
        const previous = fromApi.get(key);
        if (previous && JSON.stringify(previous.resource) === JSON.stringify(resource)) return { resource, outcome: 'unchanged' as const };
        fromApi.set(key, { resource, origin: 'api', generation: (previous?.generation ?? 0) + 1, createdAt: previous?.createdAt ?? now, updatedAt: now });
        return { resource, outcome: previous ? ('configured' as const) : ('created' as const) };
      });
      if (results.some((r) => r.outcome !== 'unchanged')) {
        persist();
        changed();
      }
      return results;
    },
    delete(kind, scope, name) {
      const key = resourceKey({ kind, scope, name });
      const owner = fromFiles.get(key);
      if (owner) throw new ResourceConflictError(`${kind} ${scope ? `${scope}/` : ''}${name} is defined in ${owner.origin}; remove it there.`);
      const existing = fromApi.get(key);
      if (!existing) return false;
      const vetoes =
        kinds
          .find((k) => k.kind === kind)
          ?.beforeDelete?.(
            existing.resource,
            all().map((r) => r.resource),
          ) ?? [];
      if (vetoes.length > 0) throw new ResourceConflictError(`${describe(existing.resource)} is still in use: ${vetoes.join('; ')}`);
      fromApi.delete(key);
      persist();
      changed();
      return true;
    },
    list(kind) {
      return all().filter((r) => kind === undefined || r.resource.kind === kind);
    },
    get(kind, scope, name) {
      const key = resourceKey({ kind, scope, name });
      return fromFiles.get(key) ?? fromApi.get(key);
    },
    problems() {
      return watcher?.problems() ?? [];
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async start() {
      if (!options.configDir) return;
      watcher = watchConfigDir({
        dir: options.configDir,
        kinds,
        logger,
        ...(options.validation ? { validation: options.validation } : {}),
        onChange(resources) {
          const now = new Date().toISOString();
          const next = new Map<string, StoredResource>();
          for (const { resource, origin } of resources) {
            const key = resourceKey(resource);
            if (fromApi.has(key)) {
              logger.warn({ resource: describe(resource), file: origin }, 'A config file redefines a resource applied through the API; the file wins.');
              fromApi.delete(key);
              persist();
            }
            const previous = fromFiles.get(key);
            const same = previous && JSON.stringify(previous.resource) === JSON.stringify(resource);
            next.set(
              key,
              same ? previous : { resource, origin, generation: (previous?.generation ?? 0) + 1, createdAt: previous?.createdAt ?? now, updatedAt: now },
            );
          }
          fromFiles = next;
          changed();
        },
      });
      await watcher.ready;
    },
    async close() {
      watcher?.close();
    },
  };
}

export function describe(r: Pick<Resource, 'kind' | 'scope' | 'name'>): string {
  return `${r.kind} ${r.scope ? `${r.scope}/` : ''}${r.name}`;
}

function loadState(file: string): StoredResource[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as StoredResource[]) : [];
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); fix or remove it.`);
  }
}
