/**
 * The `meshlog` program: every subcommand, built without parsing anything, so that the entry
 * point (`main.ts`) runs it and the reference generator (`scripts/gen-docs.ts`) reads it.
 */
import { Command } from 'commander';
import { agentCommand } from './agent.js';
import { applyCommand } from './apply.js';
import { deleteCommand } from './delete.js';
import { demoCommand } from './demo.js';
import { inspectCommand } from './inspect.js';
import { logsCommand } from './logs.js';
import { renderCommand } from './render.js';
import { schemaCommand } from './schema.js';
import { serveCommand } from './serve.js';
import { serverCommand } from './server.js';
import { topCommand } from './top.js';
import { validateCommand } from './validate.js';

export function buildProgram(): Command {
  const program = new Command('meshlog').description('Access logging for Envoy-based service meshes.').version('0.1.0').showHelpAfterError();

  program.addCommand(serveCommand());
  program.addCommand(agentCommand());
  program.addCommand(serverCommand());
  program.addCommand(demoCommand());
  program.addCommand(logsCommand());
  program.addCommand(topCommand());
  program.addCommand(applyCommand());
  program.addCommand(deleteCommand());
  program.addCommand(inspectCommand());
  program.addCommand(renderCommand());
  program.addCommand(validateCommand());
  program.addCommand(schemaCommand());
  return program;
}
