/**
 * `meshlog apply -f FILE`: validate locally (problems as FILE:LINE:COL), then apply to a server.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatProblem, loadResources } from '../api/load-yaml.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';

interface ApplyFlags extends ServerFlags {
  filename: string[];
}

export function applyCommand(): Command {
  const command = new Command('apply')
    .description('Create or replace resources from YAML or JSON files (many documents per file).')
    .requiredOption('-f, --filename <file>', 'file to apply ("-" for standard input), repeatable', (v: string, prev: string[]) => [...prev, v], []);
  return addServerOptions(command).action(async (flags: ApplyFlags) => {
    const texts = flags.filename.map((file) => ({ file, text: readFileSync(file === '-' ? 0 : file, 'utf8') }));
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
