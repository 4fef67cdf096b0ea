/**
 * Test helpers that run `meshlog server` and `meshlog agent` as real child processes from source
 * (as `cli.test.ts` runs the CLI), send them ALS traffic, and read what the server stored.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createAlsClient, httpEntry, istioIdentifier } from '../../collector/testing/als-client.js';
import { agentCommandArgs, serverCommandArgs } from '../../demo/topology.js';
import { loadAlsTypes } from '../../envoy/protos.js';
import { openStoreReader } from '../../store/sqlite/reader.js';
import type { DemoCertificates } from '../../util/certificates.js';

const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  /** Everything it wrote to stderr (its JSON log). */
  stderr(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function startMeshlog(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    stderr: () => stderr,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = await check();
    } catch {
      value = undefined;
    }
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sum of a metric's samples from a `/metrics` endpoint. */
export async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

export interface ServerPorts {
  readonly relay: number;
  readonly http: number;
}

export function serverArgs(dataDir: string, ports: ServerPorts, certs: DemoCertificates, extra: readonly string[] = []): string[] {
  const tls = { ...certs.server, ca: certs.ca };
  return serverCommandArgs({ dataDir, httpPort: ports.http, relayPort: ports.relay, tls, extra: ['--ingest-workers', '1', '--log-level', 'warn', ...extra] });
}

export function agentArgs(
  cluster: string,
  bufferDir: string,
  relayPort: number,
  alsPort: number,
  metricsPort: number,
  certs: DemoCertificates,
  extra: readonly string[] = [],
): string[] {
  const tls = { ...certs.agents[cluster]!, ca: certs.ca };
  const server = `localhost:${relayPort}`;
  return agentCommandArgs({
    cluster,
    server,
    alsHost: '127.0.0.1',
    alsPort,
    metricsPort,
    bufferDir,
    tls,
    extra: ['--ingest-workers', '1', '--log-level', 'warn', ...extra],
  });
}

export const collectEverything =
  'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n';

export async function applyResources(httpPort: number, yaml: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/api/v1/resources`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: yaml,
  });
  if (!response.ok) throw new Error(`apply failed: ${await response.text()}`);
}

/**
 * Sends `streams` ALS streams of `perStream` entries to an agent, one after another, each entry's
 * path `/<tag>/<stream>/<i>`. Returns the paths of streams the agent answered OK (accepted).
 */
export async function sendStreams(
  alsPort: number,
  tag: string,
  streams: number,
  perStream: number,
  options: { padding?: number } = {},
): Promise<{ accepted: string[]; refused: number }> {
  const als = createAlsClient(`127.0.0.1:${alsPort}`);
  const accepted: string[] = [];
  let refused = 0;
  // Random padding does not compress: it fills the agent's buffer as fast as raw bytes would.
  const pad = () => (options.padding ? `?${randomBytes(options.padding / 2).toString('hex')}` : '');
  try {
    for (let s = 0; s < streams; s++) {
      const paths = Array.from({ length: perStream }, (_, i) => `/${tag}/${s}/${i}${pad()}`);
      const stream = als.open();
      await stream.write({ identifier: istioIdentifier('reviews-v1', ''), httpLogs: { logEntry: paths.map((p) => httpEntry(p)) } });
      const { error } = await stream.end();
      if (error) refused++;
      else accepted.push(...paths);
    }
  } finally {
    als.close();
  }
  return { accepted, refused };
}

/** Every stored entry's path, in the order the store committed them (one shard: `--ingest-workers 1`). */
export function storedPaths(dataDir: string): string[] {
  const reader = openStoreReader(dataDir);
  const types = loadAlsTypes();
  try {
    const items = [...reader.query({ limit: 1_000_000 }).items].sort((a, b) => a.id - b.id);
    return items.map((i) => (types.HTTPAccessLogEntry.decode(i.entry) as unknown as { request: { path: string } }).request.path);
  } finally {
    reader.close();
  }
}
