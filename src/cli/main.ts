#!/usr/bin/env node
/**
 * The `meshlog` command. One file per subcommand; this file only lists them.
 */
import { Command } from 'commander';
import { applyCommand } from './apply.js';
import { deleteCommand } from './delete.js';
import { demoCommand } from './demo.js';
import { inspectCommand } from './inspect.js';
import { logsCommand } from './logs.js';
import { renderCommand } from './render.js';
import { schemaCommand } from './schema.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';

// `meshlog logs -f | head`: a closed pipe ends the command quietly, as for any Unix tool.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('meshlog')
  .description('Access logging for Envoy-based service meshes.')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(demoCommand());
program.addCommand(logsCommand());
program.addCommand(applyCommand());
program.addCommand(deleteCommand());
program.addCommand(inspectCommand());
program.addCommand(renderCommand());
program.addCommand(validateCommand());
program.addCommand(schemaCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`meshlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
