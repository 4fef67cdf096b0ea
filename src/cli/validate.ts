/**
 * `meshlog validate -f FILE...`: check resources locally, with no server. Every problem of every
 * file is printed as `FILE:LINE:COL field: message`; a resource defined twice in one file is one
 * too, since applying the file would silently keep only the last. Then the backend references of
 * the policies are checked across all the files given: one that resolves to nothing is an error
 * where the files hold the backends it could name, else a warning (`... field: warning: ...`)
 * naming what must exist where the policy is applied. Only errors make the exit code 1.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type LoadedResource, type Problem, formatProblem, loadResources } from '../api/load-yaml.js';
import { resourceKey } from '../api/types.js';
import { checkReferences, type ReferenceProblem } from '../policy/reference-check.js';

interface ValidateFlags {
  filename: string[];
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check resources in YAML or JSON files without a server, and the backend references between them; problems as FILE:LINE:COL field: message.')
    .requiredOption('-f, --filename <file>', 'file to check ("-" for standard input), repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .action((flags: ValidateFlags) => {
      let failed = false;
      const files: Array<{ file: string; resources: LoadedResource[]; problems: Problem[] }> = [];
      for (const file of flags.filename) {
        const text = readText(file);
        if (text === undefined) {
          failed = true;
          continue;
        }
        const { resources, problems } = loadResources(text, file);
        problems.push(...duplicates(resources));
        files.push({ file, resources, problems });
      }
      const loaded = files.flatMap((f) => f.resources);
      const references = placeReferences(checkReferences(loaded.map((l) => l.resource)), loaded);
      for (const { file, resources, problems } of files) {
        const mine = references.filter((r) => r.source === file);
        const errors = [...problems, ...mine.filter((r) => !r.warning)];
        for (const p of [...errors, ...mine.filter((r) => r.warning)]) process.stderr.write(`${formatProblem(p)}\n`);
        if (errors.length > 0) failed = true;
        else process.stdout.write(`${file}: ${resources.length} resource${resources.length === 1 ? '' : 's'} valid\n`);
      }
      if (failed) process.exitCode = 1;
    });
}

/** Reference problems as problems of the files their policies came from, at the reference's field. */
function placeReferences(problems: readonly ReferenceProblem[], loaded: readonly LoadedResource[]): Array<Problem & { warning: boolean }> {
  return problems.flatMap((p) => {
    const from = loaded.find((l) => l.resource === p.resource);
    if (!from) return [];
    const spots = p.fields.map((f) => ({ field: f, ...(from.locate?.(f) ?? { line: from.line, col: 1, exact: false }) }));
    const spot = spots.find((s) => s.exact) ?? spots[0]!;
    const warning = p.severity === 'warning';
    return [{ source: from.source, line: spot.line, col: spot.col, field: spot.field, message: warning ? `warning: ${p.message}` : p.message, warning }];
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
