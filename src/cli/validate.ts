/**
 * `meshlog validate [FILE...] [-f FILE|DIR] [-R]`: check resources locally, with no server; no
 * input at all is an error, not a silent success. Every problem of every
 * file is printed as `FILE:LINE:COL field: message`; a resource defined twice in one file is one
 * too, since applying the file would silently keep only the last. Then the backend references of
 * the policies are checked across all the files given: one that resolves to nothing is an error
 * where the files hold the backends it could name, else a warning (`... field: warning: ...`)
 * naming what must exist where the policy is applied. Only errors make the exit code 1.
 *
 * With `--server`, a file that passes is also checked by the server (`POST
 * /api/v1/resources?dryRun=1`, nothing applied): its own rules as well, such as where file backends
 * may write and which hosts sinks may reach, which only the server's flags know.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { formatProblem, type LoadedResource, loadResources, type Problem } from '../api/load-yaml.js';
import { resourceKey } from '../api/types.js';
import { checkReferences, placeReferenceProblems, type ReferenceProblem } from '../policy/reference-check.js';
import { errorMessage, request } from './api-client.js';
import { collectFiles, inputFiles } from './apply.js';

interface ValidateFlags {
  filename: string[];
  recursive?: boolean;
  server?: string;
  token?: string;
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check resources in YAML or JSON files without a server, and the backend references between them; problems as FILE:LINE:COL field: message.')
    .argument('[files...]', 'files or directories to check')
    .option('-f, --filename <file>', 'file or directory to check ("-" for standard input), repeatable', collectFiles, [])
    .option('-R, --recursive', 'read the folders below a directory too')
    .option('--server <url>', "also check against a server's own rules (sink roots, allowed hosts); nothing is applied")
    .addOption(new Option('--token <token>', 'bearer token, when the server requires one').env('MESHLOG_AUTH_TOKEN'))
    .action(async (positional: string[], flags: ValidateFlags) => {
      let failed = false;
      const files: Array<{ file: string; text: string; resources: LoadedResource[]; problems: Problem[] }> = [];
      for (const file of inputFiles(positional, flags, 'validate')) {
        const text = readText(file);
        if (text === undefined) {
          failed = true;
          continue;
        }
        const { resources, problems } = loadResources(text, file);
        problems.push(...duplicates(resources));
        files.push({ file, text, resources, problems });
      }
      const loaded = files.flatMap((f) => f.resources);
      const references = placeReferences(checkReferences(loaded.map((l) => l.resource)), loaded);
      for (const { file, text, resources, problems } of files) {
        const mine = references.filter((r) => r.source === file);
        const errors = [...problems, ...mine.filter((r) => !r.warning)];
        if (errors.length === 0 && flags.server) errors.push(...(await serverProblems({ server: flags.server, token: flags.token }, file, text)));
        for (const p of [...errors, ...mine.filter((r) => r.warning)]) process.stderr.write(`${formatProblem(p)}\n`);
        if (errors.length > 0) failed = true;
        else process.stdout.write(`${file}: ${resources.length} resource${resources.length === 1 ? '' : 's'} valid\n`);
      }
      if (failed) process.exitCode = 1;
    });
}

/** Reference problems as problems of the files their policies came from; a warning says so in its message. */
function placeReferences(problems: readonly ReferenceProblem[], loaded: readonly LoadedResource[]): Array<Problem & { warning: boolean }> {
  return placeReferenceProblems(problems, loaded).map(({ severity, ...p }) => ({
    ...p,
    message: severity === 'warning' ? `warning: ${p.message}` : p.message,
    warning: severity === 'warning',
  }));
}

/** The server's verdict on a file that passed locally: its problems, placed as the server placed them. */
async function serverProblems(server: { server: string; token?: string | undefined }, file: string, text: string): Promise<Problem[]> {
  const response = await request(server, 'api/v1/resources?dryRun=1', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: text });
  if (response.ok) return [];
  if (response.status !== 400) throw new Error(`${file}: ${await errorMessage(response)}`);
  const body = (await response.json()) as { violations?: Array<{ field: string; message: string; line: number; col: number }> };
  return (body.violations ?? []).map((v) => ({ source: file, line: v.line, col: v.col, field: v.field, message: v.message }));
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
      problems.push({
        source: loaded.source,
        line: loaded.line,
        col: 1,
        field: '',
        message: `${kind} ${scope ? `${scope}/` : ''}${name} is defined twice (first at line ${first.line})`,
      });
    } else {
      seen.set(key, loaded);
    }
  }
  return problems;
}
