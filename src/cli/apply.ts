/**
 * `meshlog apply [FILE...] [-f FILE|DIR] [-R]`: validate locally (problems as FILE:LINE:COL), then
 * apply to a server. A directory stands for its resource files (`-R`: and those below it).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatProblem, loadResources } from '../api/load-yaml.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { expandInputs } from './local-resources.js';

interface ApplyFlags extends ServerFlags {
  filename: string[];
  recursive?: boolean;
}

export const collectFiles = (v: string, prev: string[]) => [...prev, v];

/** Every input of a file-taking command: positional files and `-f`, directories expanded; none is an error. */
export function inputFiles(positional: readonly string[], flags: { filename: readonly string[]; recursive?: boolean }, command: string): string[] {
  const inputs = [...positional, ...flags.filename];
  if (inputs.length === 0) throw new Error(`${command}: name the files to read (meshlog ${command} FILE..., -f FILE or -f DIR; "-" for standard input)`);
  return expandInputs(inputs, flags.recursive === true);
}

export function applyCommand(): Command {
  const command = new Command('apply')
    .description('Create or replace resources from YAML or JSON files (many documents per file).')
    .argument('[files...]', 'files or directories to apply')
    .option('-f, --filename <file>', 'file or directory to apply ("-" for standard input), repeatable', collectFiles, [])
    .option('-R, --recursive', 'read the folders below a directory too');
  return addServerOptions(command).action(async (positional: string[], flags: ApplyFlags) => {
    const texts = inputFiles(positional, flags, 'apply').map((file) => ({ file, text: readFileSync(file === '-' ? 0 : file, 'utf8') }));
    const problems = texts.flatMap(({ file, text }) => loadResources(text, file).problems);
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
      process.exitCode = 1;
      return;
    }
    for (const { file, text } of texts) {
      const response = await request(flags, 'api/v1/resources', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: text });
      if (!response.ok) throw new Error(`${file}: ${await errorMessage(response)}`);
      const { results } = (await response.json()) as { results: Array<{ kind: string; name: string; scope: string; outcome: string }> };
      for (const r of results) process.stdout.write(`${r.kind.toLowerCase()}/${r.name}${r.scope ? ` (${r.scope})` : ''} ${r.outcome}\n`);
    }
  });
}
