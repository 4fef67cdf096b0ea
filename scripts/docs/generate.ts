/**
 * Every generated section of the docs, computed in memory: the CLI reference (from the commander
 * program; the serve flags again in the operations guide), the resource kinds (from `src/api/kinds.ts`) and the HTTP routes (from the server's
 * Hono app). `npm run docs` writes the result; `src/cli/docs.test.ts` compares it with the files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { kinds } from '../../src/api/kinds.js';
import { buildProgram } from '../../src/cli/program.js';
import { cliSectionName, commandSection, optionsTable } from './cli-reference.js';
import { listRoutes, routesTable } from './http-routes.js';
import { kindsTable } from './kinds-table.js';
import { replaceSection, sectionNames } from './markers.js';

function command(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`the CLI has no "${name}" command any more; update scripts/docs/generate.ts`);
  return found;
}

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly file: string;
  /** The whole file as it should be. */
  readonly content: string;
}

export async function generateDocs(root: string): Promise<GeneratedFile[]> {
  const program = buildProgram();
  const sections: Record<string, Record<string, string>> = {
    // Hidden commands (the completion scripts' `__complete`) are not for people to type.
    'docs/reference/cli.md': Object.fromEntries(
      program.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => [cliSectionName(c), commandSection(c, program.name())]),
    ),
    'docs/reference/resources.md': { kinds: kindsTable(kinds) },
    'docs/operations/running.md': { 'serve-flags': optionsTable(command(program, 'serve')) },
    'docs/reference/http-api.md': { routes: routesTable(await listRoutes()) },
  };
  return Object.entries(sections).map(([file, bodies]) => {
    const original = readFileSync(path.join(root, file), 'utf8');
    const stale = sectionNames(original).filter((name) => !(name in bodies));
    if (stale.length > 0) throw new Error(`${file}: generated sections with nothing to generate them from: ${stale.join(', ')}; remove them.`);
    let content = original;
    for (const [name, body] of Object.entries(bodies)) content = replaceSection(content, name, body, file);
    return { file, content };
  });
}
