/**
 * Runs the `meshlog` command for a test: the real program (`buildProgram`), in this process, with
 * the arguments, environment, standard output and error and exit status a user would see, as
 * `main.ts` gives them. In-process because a child process costs seconds of start-up per call;
 * tests that need a separate process (signals, a shell) spawn `main.ts` themselves.
 *
 * Calls must not overlap: standard output and the environment are the process's own.
 */
import { CommanderError } from 'commander';
import { buildProgram } from '../program.js';

export interface MeshlogResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Variables a developer's shell may hold that would change what the command does. */
const cleared = ['NO_COLOR', 'FORCE_COLOR', 'MESHLOG_SERVER', 'MESHLOG_AUTH_TOKEN', 'MESHLOG_CONFIG', 'XDG_CONFIG_HOME'];

export async function runMeshlog(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<MeshlogResult> {
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  const out: string[] = [];
  const err: string[] = [];
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as typeof process.stdout.write;
  for (const name of cleared) delete process.env[name];
  Object.assign(process.env, env);
  process.exitCode = undefined;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code = 0;
  try {
    const program = buildProgram().exitOverride();
    for (const command of program.commands) command.exitOverride();
    await program.parseAsync(['node', 'meshlog', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else {
      // What main.ts does with an error.
      err.push(`meshlog: ${e instanceof Error ? e.message : String(e)}\n`);
      code = 1;
    }
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
    process.exitCode = savedExitCode;
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
