#!/usr/bin/env node
/**
 * The `meshlog` command. One file per subcommand; `program.ts` lists them; this file runs it.
 */
import { buildProgram } from './program.js';

// `meshlog logs -f | head`: a closed pipe ends the command quietly, as for any Unix tool.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`meshlog: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
