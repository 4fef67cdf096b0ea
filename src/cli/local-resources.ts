/**
 * Resources from the files a command names (`-f FILE`, repeatable, `-` for standard input) and from
 * a `--config-dir` (its `*.yaml`, `*.yml` and `*.json` files), validated as the server would.
 * A directory given as a file stands for its resource files, as with kubectl: its own files, or
 * with `-R` those of every folder below it too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadResources, type Problem } from '../api/load-yaml.js';
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

const resourceFile = /\.(ya?ml|json)$/i;

/** Files and directories → files, in a stable order; a directory without `recursive` gives only its own files. */
export function expandInputs(inputs: readonly string[], recursive: boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string, top: boolean) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      throw new Error(`cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (recursive) walk(full, false);
      } else if (resourceFile.test(e.name)) out.push(full);
    }
    if (top && out.length === 0) throw new Error(`${dir}: no .yaml, .yml or .json files${recursive ? '' : ' (-R also reads the folders below it)'}`);
  };
  for (const input of inputs) {
    if (input === '-') out.push(input);
    else if (isDirectory(input)) walk(input, true);
    else out.push(input);
  }
  return out;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    // A missing file is reported when it is read, with the other files' problems.
    return false;
  }
}
