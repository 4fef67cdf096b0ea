/**
 * A real ClickHouse for tests: Debian's `clickhouse-server` package, installed when missing
 * (`apt-get update && apt-get install -y clickhouse-server`) and started as a child process on
 * free loopback ports with a temporary data path. The package's config file is used as it is;
 * the ports and paths are overridden after `--`. Failing to install or start is an error with the
 * reason, never a silent skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../util/free-port.js';

const binary = '/usr/sbin/clickhouse-server';
const configFile = '/etc/clickhouse-server/config.xml';

export interface RunningClickHouse {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly httpPort: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Installs the Debian package unless it is there; throws with apt's own words when that fails. */
export function ensureClickHouseInstalled(): void {
  if (existsSync(binary) && existsSync(configFile)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${binary} is missing and this user is not root, so the tests cannot install it: run "apt-get update && apt-get install -y clickhouse-server" as root.`,
    );
  }
  const run = (args: string[]) => {
    try {
      execFileSync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    } catch (err) {
      const out = err as { stderr?: Buffer; stdout?: Buffer; message: string };
      const said = `${out.stderr?.toString() ?? ''}${out.stdout?.toString() ?? ''}`.trim().split('\n').slice(-8).join('\n');
      throw new Error(`apt-get ${args.join(' ')} failed, so the ClickHouse tests cannot run: ${said || out.message}`);
    }
  };
  // Another apt-get (a test setup of its own, an engineer) may hold dpkg's lock for a while: wait for it.
  const wait = ['-o', 'DPkg::Lock::Timeout=300'];
  run([...wait, 'update']);
  run([...wait, 'install', '-y', '--no-install-recommends', 'clickhouse-server']);
  if (!existsSync(binary)) throw new Error(`apt-get installed clickhouse-server but ${binary} is not there.`);
}

/** Starts a server of its own; resolves once it answers `/ping`. */
export async function startClickHouse(): Promise<RunningClickHouse> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-clickhouse-'));
  const [httpPort, tcpPort, interserverPort] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    binary,
    [
      `--config-file=${configFile}`,
      '--',
      `--http_port=${httpPort}`,
      `--tcp_port=${tcpPort}`,
      `--interserver_http_port=${interserverPort}`,
      '--listen_host=127.0.0.1',
      `--path=${dir}/data/`,
      `--tmp_path=${dir}/tmp/`,
      `--user_files_path=${dir}/user_files/`,
      `--format_schema_path=${dir}/format_schemas/`,
      `--logger.log=${dir}/server.log`,
      `--logger.errorlog=${dir}/server.err.log`,
    ],
    { stdio: 'ignore', cwd: dir },
  );
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  const errors = () => {
    try {
      return readFileSync(path.join(dir, 'server.err.log'), 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      return '';
    }
  };
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`clickhouse-server ${exited} before it answered: ${errors()}`);
    }
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`clickhouse-server did not answer on ${url} within 60 s: ${errors()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    httpPort,
    dataDir: dir,
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
