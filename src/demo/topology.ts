/**
 * The Gloo guide's relay topology on one machine, as separate processes on loopback: one
 * `meshlog server` (HTTP API, relay port) and an agent per cluster (`mgmt-cluster`,
 * `remote-cluster`), each with its own ALS port, buffer and metrics port, speaking mTLS with
 * certificates made for this run. The children run in their own process group, so that Ctrl-C
 * reaches the demo only and it stops them in order: agents first (they hand their buffers to the
 * server), then the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { makeDemoCertificates } from '../util/certificates.js';

export interface TopologyOptions {
  readonly dir: string;
  readonly clusters: readonly string[];
  readonly httpHost: string;
  readonly httpPort: number;
  readonly relayPort: number;
  /** The first cluster's ALS port; the next cluster's is one more, and so on. */
  readonly alsPort: number;
  readonly alsHost: string;
  /** The first agent's metrics port; likewise one more per cluster. */
  readonly metricsPort: number;
  /** Flags passed to `meshlog server` as they are (store, retention, log level, ...). */
  readonly serverFlags: readonly string[];
  /** Flags passed to each `meshlog agent` as they are (its ALS limits). */
  readonly agentFlags: readonly string[];
  readonly logLevel: string;
}

export interface Topology {
  readonly certificatesDir: string;
  /** Each cluster's ALS address (`host:port`). */
  readonly als: Readonly<Record<string, string>>;
  readonly metricsPorts: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

interface TlsFlags {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

const tlsArgs = (tls: TlsFlags) => ['--tls-cert', tls.cert, '--tls-key', tls.key, '--tls-ca', tls.ca];

/** `meshlog server` on loopback's relay port, with mTLS (also what the relay's tests and bench start). */
export function serverCommandArgs(o: {
  dataDir: string;
  httpHost?: string;
  httpPort: number;
  relayPort: number;
  tls: TlsFlags;
  extra?: readonly string[];
}): string[] {
  const http = ['--http-host', o.httpHost ?? '127.0.0.1', '--http-port', String(o.httpPort)];
  return ['server', '--data-dir', o.dataDir, ...http, '--relay-host', '127.0.0.1', '--relay-port', String(o.relayPort), ...tlsArgs(o.tls), ...(o.extra ?? [])];
}

/** `meshlog agent` with mTLS, its metrics on loopback. */
export function agentCommandArgs(o: {
  cluster: string;
  server: string;
  alsHost: string;
  alsPort: number;
  metricsPort: number;
  bufferDir: string;
  tls: TlsFlags;
  extra?: readonly string[];
}): string[] {
  const ports = ['--als-host', o.alsHost, '--als-port', String(o.alsPort), '--metrics-host', '127.0.0.1', '--metrics-port', String(o.metricsPort)];
  return ['agent', '--cluster', o.cluster, '--server', o.server, '--buffer-dir', o.bufferDir, ...ports, ...tlsArgs(o.tls), ...(o.extra ?? [])];
}

/** How this very program is run again as a child (`node [--import tsx] <main> ...`). */
function self(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
}

async function waitReady(what: string, url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} stopped (exit code ${child.exitCode}) before it was ready; its log is above.`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} was not ready after ${timeoutMs / 1000} s.`);
}

function stopChild(child: ChildProcess, deadlineMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const certificatesDir = path.join(options.dir, 'certs');
  const certs = await makeDemoCertificates(certificatesDir, options.clusters);
  const children: ChildProcess[] = [];
  // Whatever happens to the demo, its children do not outlive it.
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  try {
    const server = self(
      serverCommandArgs({
        dataDir: path.join(options.dir, 'server'),
        httpHost: options.httpHost,
        httpPort: options.httpPort,
        relayPort: options.relayPort,
        tls: { ...certs.server, ca: certs.ca },
        extra: options.serverFlags,
      }),
    );
    children.push(server);
    const httpHost = options.httpHost === '0.0.0.0' ? '127.0.0.1' : options.httpHost;
    await waitReady('meshlog server', `http://${httpHost.includes(':') ? `[${httpHost}]` : httpHost}:${options.httpPort}/readyz`, server);
    const als: Record<string, string> = {};
    const metricsPorts: Record<string, number> = {};
    const agents = options.clusters.map((cluster, i) => {
      const alsPort = options.alsPort + i;
      const metricsPort = options.metricsPort + i;
      als[cluster] = `${options.alsHost === '0.0.0.0' ? '127.0.0.1' : options.alsHost}:${alsPort}`;
      metricsPorts[cluster] = metricsPort;
      const agent = self(
        agentCommandArgs({
          cluster,
          server: `localhost:${options.relayPort}`,
          alsHost: options.alsHost,
          alsPort,
          metricsPort,
          bufferDir: path.join(options.dir, `agent-${cluster}`),
          tls: { ...certs.agents[cluster]!, ca: certs.ca },
          extra: ['--buffer-size', '256MiB', '--ingest-workers', '1', '--log-level', options.logLevel, ...options.agentFlags],
        }),
      );
      children.push(agent);
      return { cluster, agent, metricsPort };
    });
    await Promise.all(agents.map((a) => waitReady(`meshlog agent (${a.cluster})`, `http://127.0.0.1:${a.metricsPort}/readyz`, a.agent)));
    return {
      certificatesDir,
      als,
      metricsPorts,
      async stop() {
        await Promise.all(agents.map((a) => stopChild(a.agent)));
        await stopChild(server);
        process.off('exit', killAll);
      },
    };
  } catch (err) {
    killAll();
    throw err;
  }
}
