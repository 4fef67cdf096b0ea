/**
 * Runs the `meshlog` command as a user would: a child process (through tsx, from source), with an
 * environment of the test's choosing (a temporary HOME, no colour variables unless given).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface MeshlogResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runMeshlog(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<MeshlogResult> {
  const base = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'MESHLOG_SERVER', 'MESHLOG_AUTH_TOKEN', 'MESHLOG_CONFIG', 'XDG_CONFIG_HOME']) delete base[name];
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', main, ...args], { timeout: 90_000, env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
