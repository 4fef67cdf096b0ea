/**
 * `--config-dir`: every `*.yaml`, `*.yml` and `*.json` file in a directory, reloaded on change.
 *
 * fs.watch is fast but not reliable on every filesystem, so a periodic rescan backs it up. A file
 * that fails to load keeps its last valid resources; its problems are kept for the API and logged
 * once per change. Two files that define the same resource are a problem naming both. Nothing in
 * a file stops the server, at start or on reload: an unreadable, oversized or alias-bomb file is a
 * problem at its document, and the set in force stays the last good one.
 */
import { type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import { formatProblem, type LoadedResource, loadResources, maxResourceText, type Problem, tooLarge } from '../api/load-yaml.js';
import type { KindDefinition, ValidationContext } from '../api/types.js';
import { type Resource, resourceKey } from '../api/types.js';
import type { Logger } from '../telemetry/logger.js';

export interface ConfigDirWatcher {
  readonly ready: Promise<void>;
  problems(): readonly Problem[];
  close(): void;
}

interface FileState {
  mtimeMs: number;
  size: number;
  resources: Resource[];
  problems: Problem[];
}

/** A file's resources and problems; nothing it holds (an alias bomb, a huge file) can throw. */
function loadFile(
  file: string,
  size: number,
  kinds: readonly KindDefinition[],
  validation?: ValidationContext,
): { resources: LoadedResource[]; problems: Problem[] } {
  // Too large to read is decided before reading it.
  if (size > maxResourceText) return { resources: [], problems: [tooLarge(file, size)] };
  try {
    return loadResources(readFileSync(file, 'utf8'), file, kinds, validation);
  } catch (err) {
    return {
      resources: [],
      problems: [{ source: file, line: 1, col: 1, field: '', message: `cannot be read: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
}

export function watchConfigDir(options: {
  dir: string;
  kinds: readonly KindDefinition[];
  logger: Logger;
  rescanMs?: number;
  validation?: ValidationContext;
  onChange(resources: Array<{ resource: Resource; origin: string }>): void;
}): ConfigDirWatcher {
  const files = new Map<string, FileState>();
  let duplicates: Problem[] = [];
  let fsWatcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const scan = () => {
    let names: string[];
    try {
      names = readdirSync(options.dir)
        .filter((n) => /\.(ya?ml|json)$/i.test(n))
        .sort();
    } catch (err) {
      options.logger.warn({ dir: options.dir, error: String(err) }, 'Cannot read the config directory.');
      names = [];
    }
    let dirty = false;
    for (const name of [...files.keys()]) {
      if (!names.includes(name)) {
        files.delete(name);
        dirty = true;
      }
    }
    for (const name of names) {
      const file = path.join(options.dir, name);
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(file);
      } catch {
        continue;
      }
      const known = files.get(name);
      if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) continue;
      dirty = true;
      const { resources, problems } = loadFile(file, stat.size, options.kinds, options.validation);
      if (problems.length > 0) {
        options.logger.warn({ file, problems: problems.map(formatProblem) }, 'Config file has problems; keeping its last valid resources.');
        files.set(name, { mtimeMs: stat.mtimeMs, size: stat.size, resources: known?.resources ?? [], problems });
      } else {
        files.set(name, { mtimeMs: stat.mtimeMs, size: stat.size, resources: resources.map((r) => r.resource), problems: [] });
      }
    }
    if (!dirty) return;
    const seen = new Map<string, string>();
    const out: Array<{ resource: Resource; origin: string }> = [];
    duplicates = [];
    for (const [name, state] of files) {
      const origin = path.join(options.dir, name);
      for (const resource of state.resources) {
        const key = resourceKey(resource);
        const first = seen.get(key);
        if (first) {
          duplicates.push({ source: origin, line: 1, col: 1, field: '', message: `${key} is also defined in ${first}; the first definition is used` });
          continue;
        }
        seen.set(key, origin);
        out.push({ resource, origin });
      }
    }
    options.onChange(out);
  };

  // Timers call this: whatever fails in a rescan is logged, never thrown into the event loop.
  const safeScan = () => {
    try {
      scan();
    } catch (err) {
      options.logger.error({ dir: options.dir, error: String(err) }, 'Rescanning the config directory failed; the resources in force are unchanged.');
    }
  };

  const schedule = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(safeScan, 100);
  };

  scan();
  try {
    fsWatcher = watch(options.dir, schedule);
    fsWatcher.on('error', () => undefined);
  } catch {
    // Rescans alone then.
  }
  const rescan = setInterval(safeScan, options.rescanMs ?? 2000);
  rescan.unref();
  return {
    ready: Promise.resolve(),
    problems: () => [...[...files.values()].flatMap((f) => f.problems), ...duplicates],
    close() {
      clearInterval(rescan);
      if (debounce) clearTimeout(debounce);
      fsWatcher?.close();
    },
  };
}
