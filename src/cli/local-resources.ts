/**
 * Resources from the files a command names (`-f FILE`, repeatable, `-` for standard input) and from
 * a `--config-dir` (its `*.yaml`, `*.yml` and `*.json` files), validated as the server would.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type Problem, loadResources } from '../api/load-yaml.js';
import type { Resource } from '../api/types.js';

export function readLocalResources(files: readonly string[], configDir?: string): { resources: Resource[]; problems: Problem[] } {
  const sources = [...files];
  if (configDir) {
    let names: string[];
    try {
      names = readdirSync(configDir);
    } catch (err) {
      throw new Error(`cannot read --config-dir ${configDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    sources.push(
      ...names
        .filter((n) => /\.(ya?ml|json)$/i.test(n))
        .sort()
        .map((n) => path.join(configDir, n)),
    );
  }
  const resources: Resource[] = [];
  const problems: Problem[] = [];
  for (const file of sources) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const loaded = loadResources(text, file);
    resources.push(...loaded.resources.map((r) => r.resource));
    problems.push(...loaded.problems);
  }
  return { resources, problems };
}
