/**
 * The `meshlog` program: every subcommand, built without parsing anything, so that the entry
 * point (`main.ts`) runs it and the reference generator (`scripts/gen-docs.ts`) reads it.
 */
import { Command } from 'commander';
import { buildInfo } from '../telemetry/build-info.js';
import { agentCommand } from './agent.js';
import { applyCommand } from './apply.js';
import { completeCommand, completionCommand } from './completion.js';
import { configCommand } from './config.js';
import { deleteCommand } from './delete.js';
import { demoCommand } from './demo.js';
import { describeCommand, getCommand } from './get.js';
import { inspectCommand } from './inspect.js';
import { logsCommand } from './logs.js';
import { proxiesCommand } from './proxies.js';
import { renderCommand } from './render.js';
import { schemaCommand } from './schema.js';
import { serveCommand } from './serve.js';
import { serverCommand } from './server.js';
import { topCommand } from './top.js';
import { traceCommand } from './trace.js';
import { validateCommand } from './validate.js';
import { versionCommand } from './version.js';

export function buildProgram(): Command {
  const program = new Command('meshlog')
    .description('Access logging for Envoy-based service meshes.')
    .version(buildInfo().version, '-V, --version', 'print the client version (meshlog version also asks the server)')
    .showHelpAfterError();

  program.addCommand(serveCommand());
  program.addCommand(agentCommand());
  program.addCommand(serverCommand());
  program.addCommand(demoCommand());
  program.addCommand(logsCommand());
  program.addCommand(traceCommand());
  program.addCommand(topCommand());
  program.addCommand(applyCommand());
  program.addCommand(deleteCommand());
  program.addCommand(getCommand());
  program.addCommand(describeCommand());
  program.addCommand(proxiesCommand());
  program.addCommand(inspectCommand());
  program.addCommand(renderCommand());
  program.addCommand(validateCommand());
  program.addCommand(schemaCommand());
  program.addCommand(configCommand());
  program.addCommand(versionCommand());
  program.addCommand(completionCommand());
  program.addCommand(completeCommand(buildProgram), { hidden: true });
  return program;
}
