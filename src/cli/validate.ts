/**
 * `meshlog validate [FILE...] [-f FILE|DIR] [-R]`: check resources locally, with no server; no
 * input at all is an error, not a silent success. Every problem of every
 * file is printed as `FILE:LINE:COL field: message`; a resource defined twice in one file is one
 * too, since applying the file would silently keep only the last. Files are checked independently.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type LoadedResource, type Problem, formatProblem, loadResources } from '../api/load-yaml.js';
import { resourceKey } from '../api/types.js';
import { collectFiles, inputFiles } from './apply.js';

interface ValidateFlags {
  filename: string[];
  recursive?: boolean;
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check resources in YAML or JSON files without a server; problems as FILE:LINE:COL field: message.')
    .argument('[files...]', 'files or directories to check')
    .option('-f, --filename <file>', 'file or directory to check ("-" for standard input), repeatable', collectFiles, [])
    .option('-R, --recursive', 'read the folders below a directory too')
    .action((positional: string[], flags: ValidateFlags) => {
      let failed = false;
      for (const file of inputFiles(positional, flags, 'validate')) {
        const text = readText(file);
        if (text === undefined) {
          failed = true;
          continue;
        }
        const { resources, problems } = loadResources(text, file);
        problems.push(...duplicates(resources));
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        if (problems.length > 0) failed = true;
        else process.stdout.write(`${file}: ${resources.length} resource${resources.length === 1 ? '' : 's'} valid\n`);
      }
      if (failed) process.exitCode = 1;
    });
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    process.stderr.write(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  }
}

function duplicates(resources: readonly LoadedResource[]): Problem[] {
  const seen = new Map<string, LoadedResource>();
  const problems: Problem[] = [];
  for (const loaded of resources) {
    const key = resourceKey(loaded.resource);
    const first = seen.get(key);
    if (first) {
      const { kind, scope, name } = loaded.resource;
      problems.push({ source: loaded.source, line: loaded.line, col: 1, field: '', message: `${kind} ${scope ? `${scope}/` : ''}${name} is defined twice (first at line ${first.line})` });
    } else {
      seen.set(key, loaded);
    }
  }
  return problems;
}
