/**
 * `meshlog serve`: collector + store + API in one process.
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { runServer, type RunningServer, type ServerOptions } from '../runtime/serve.js';
import { storeEngineFor } from '../store/registry.js';
import { createLogger } from '../telemetry/logger.js';
import { parseByteSize, parseDuration } from '../util/duration.js';

interface ServeOnlyFlags {
  dataDir: string;
  store: string;
  alsHost: string;
  /** Absent in `meshlog server` unless given: no ALS port of its own. */
  alsPort?: string;
  httpHost: string;
  httpPort: string;
  configDir?: string;
  authToken?: string;
  retentionAge: string;
  retentionSize: string;
  logLevel: string;
  ingestWorkers?: string;
}

/** The ALS port's limits, taken by every command that serves ALS (`serve`, `server`, `agent`). */
export interface AlsLimitFlags {
  maxStreams: string;
  maxStreamsPerPeer: string;
  alsIdleTimeout: string;
  maxMessageBytes: string;
}

export interface ServeFlags extends ServeOnlyFlags, AlsLimitFlags {}

/** `alsPort: null`: the port is off unless the flag is given (`meshlog server`). */
export function addServeOptions(command: Command, defaults: { dataDir: string; alsPort?: string | null }): Command {
  const alsPort =
    defaults.alsPort === null
      ? ['--als-port <port>', 'also take Envoy gRPC access logs on this port (off unless given)']
      : ['--als-port <port>', 'port for Envoy gRPC access logs', defaults.alsPort ?? '9977'];
  command
    .option('--data-dir <dir>', 'where the store and applied resources live', defaults.dataDir)
    .option('--store <store>', 'which store keeps the entries: sqlite (in --data-dir)', 'sqlite')
    .option('--als-host <host>', 'address for Envoy gRPC access logs', '0.0.0.0')
    .option(alsPort[0]!, alsPort[1]!, alsPort[2])
    .option('--http-host <host>', 'address for the HTTP API (127.0.0.1 keeps logs off the network)', '127.0.0.1')
    .option('--http-port <port>', 'port for the HTTP API', '8080')
    .option('--config-dir <dir>', 'directory of resource YAML files, watched for changes')
    .addOption(new Option('--auth-token <token>', 'require "Authorization: Bearer <token>" on /v0 and /api').env('MESHLOG_AUTH_TOKEN'))
    .option('--retention-age <duration>', 'delete entries older than this', '7d')
    .option('--retention-size <size>', 'keep the store under this size', '2GiB')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--ingest-workers <n>', 'threads that decode, filter and store entries, each with its own store shard (default: one per core)');
  return addAlsLimitOptions(command);
}

export function addAlsLimitOptions(command: Command): Command {
  return command
    .option('--max-streams <n>', 'ALS streams served at once; more are refused (RESOURCE_EXHAUSTED)', '1024')
    .option('--max-streams-per-peer <n>', 'ALS streams served at once from one client address', '64')
    .option('--als-idle-timeout <duration>', 'close an ALS stream that sends nothing for this long (Envoy reopens it)', '5m')
    .option('--max-message-bytes <size>', 'largest ALS message accepted', '1MiB');
}

export function parsePort(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number, not "${text}".`);
  return n;
}

/** `--ingest-workers`: default one per core. */
export function parseIngestWorkers(text: string | undefined): number {
  const n = text === undefined ? availableParallelism() : Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--ingest-workers must be a whole number from 1 to 64, not "${text}".`);
  return n;
}

export function serverOptionsFrom(flags: ServeFlags): ServerOptions {
  const port = parsePort;
  const maxAgeMs = parseDuration(flags.retentionAge);
  if (maxAgeMs === undefined) throw new Error(`--retention-age must be a duration like 7d or 12h, not "${flags.retentionAge}".`);
  const maxBytes = parseByteSize(flags.retentionSize);
  if (maxBytes === undefined) throw new Error(`--retention-size must be a size like 2GiB or 500MB, not "${flags.retentionSize}".`);
  const logger = createLogger({ level: flags.logLevel });
  const ingestWorkers = parseIngestWorkers(flags.ingestWorkers);
  if (flags.httpHost !== '127.0.0.1' && flags.httpHost !== '::1' && flags.httpHost !== 'localhost' && !flags.authToken) {
    logger.warn({ httpHost: flags.httpHost }, 'The HTTP API is reachable from the network without authentication; set --auth-token.');
  }
  storeEngineFor(flags.store);
  return {
    dataDir: flags.dataDir,
    store: flags.store,
    alsHost: flags.alsHost,
    als: flags.alsPort !== undefined,
    alsPort: flags.alsPort === undefined ? undefined : port('als-port', flags.alsPort),
    httpHost: flags.httpHost,
    httpPort: port('http-port', flags.httpPort),
    configDir: flags.configDir,
    authToken: flags.authToken,
    retention: { maxAgeMs, maxBytes },
    logger,
    logLevel: flags.logLevel,
    ingestWorkers,
    ...alsLimitsFrom(flags),
  };
}

export function alsLimitsFrom(flags: AlsLimitFlags): { maxStreams: number; maxStreamsPerPeer: number; alsIdleTimeoutMs: number; maxMessageBytes: number } {
  const count = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1, not "${text}".`);
    return n;
  };
  const alsIdleTimeoutMs = parseDuration(flags.alsIdleTimeout);
  if (alsIdleTimeoutMs === undefined || alsIdleTimeoutMs < 1000)
    throw new Error(`--als-idle-timeout must be a duration of at least 1s like 5m, not "${flags.alsIdleTimeout}".`);
  const maxMessageBytes = parseByteSize(flags.maxMessageBytes);
  if (maxMessageBytes === undefined || maxMessageBytes < 1024)
    throw new Error(`--max-message-bytes must be a size of at least 1KiB like 1MiB, not "${flags.maxMessageBytes}".`);
  return {
    maxStreams: count('max-streams', flags.maxStreams),
    maxStreamsPerPeer: count('max-streams-per-peer', flags.maxStreamsPerPeer),
    alsIdleTimeoutMs,
    maxMessageBytes,
  };
}

/** Shuts down on SIGINT/SIGTERM (a second signal exits at once), reopens log files on SIGHUP. Only CLI entry points exit. */
export function stopOnSignals(server: Pick<RunningServer, 'shutdown' | 'reopenLogFiles'>, before?: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\nmeshlog: ${signal} received; flushing and stopping (again to force).\n`);
    (before ?? (async () => {}))()
      .then(() => server.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`meshlog: shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // logrotate's `postrotate kill -HUP`: file backends reopen their paths.
  process.on('SIGHUP', () => {
    server.reopenLogFiles().catch(() => undefined);
  });
}

export function serveCommand(): Command {
  return addServeOptions(new Command('serve').description('Run the collector, the store and the API in one process.'), { dataDir: './meshlog-data' }).action(
    async (flags: ServeFlags) => {
      const server = await runServer(serverOptionsFrom(flags));
      stopOnSignals(server);
    },
  );
}
