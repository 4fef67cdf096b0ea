/**
 * `meshlog serve`: collector + store + API in one process.
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { type RunningServer, runServer, type ServerOptions } from '../runtime/serve.js';
import { exposureProblem, isLoopbackHost } from '../server/http-limits.js';
import { withClickHouseFlags } from '../store/clickhouse/index.js';
import { storeEngineFor } from '../store/registry.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { parseByteSize, parseDuration } from '../util/duration.js';
import { readSecretFile } from './secret-file.js';

interface ServeOnlyFlags extends SinkFlags {
  dataDir: string;
  store: string;
  alsHost: string;
  /** Absent in `meshlog server` unless given: no ALS port of its own. */
  alsPort?: string;
  httpHost: string;
  httpPort: string;
  configDir?: string;
  authToken?: string;
  authTokenFile?: string;
  insecureNoAuth?: boolean;
  retentionAge: string;
  retentionSize: string;
  logLevel: string;
  clickhouseTls?: boolean;
  clickhouseCa?: string;
  clickhouseCert?: string;
  clickhouseKey?: string;
  clickhouseCluster?: string;
  ingestWorkers?: string;
}

/** The ALS port's limits, taken by every command that serves ALS (`serve`, `server`, `agent`). */
export interface AlsLimitFlags {
  maxStreams: string;
  maxStreamsPerPeer: string;
  alsIdleTimeout: string;
  maxMessageBytes: string;
}

/** Where policy backends may write and connect, and what is redacted: wherever entries are ingested (`serve`, `server`, `agent`). */
export interface SinkFlags {
  fileSinkRoot: string[];
  sinkAllowHost: string[];
  sensitiveHeader: string[];
  revealHeader: string[];
  redactQueryParam: string[];
}

export interface ServeFlags extends ServeOnlyFlags, AlsLimitFlags {}

const repeatable = (value: string, previous: string[]) => [...previous, value];

/** `alsPort: null`: the port is off unless the flag is given (`meshlog server`). */
export function addServeOptions(command: Command, defaults: { dataDir: string; alsPort?: string | null }): Command {
  const alsPort =
    defaults.alsPort === null
      ? ['--als-port <port>', 'also take Envoy gRPC access logs on this port (off unless given)']
      : ['--als-port <port>', 'port for Envoy gRPC access logs', defaults.alsPort ?? '9977'];
  command
    .option('--data-dir <dir>', 'where the store and applied resources live', defaults.dataDir)
    .addOption(
      new Option(
        '--store <store>',
        'which store keeps the entries: sqlite (in --data-dir) or clickhouse://USER:PASS@HOST:8123/DB (clickhouse+https:// for TLS)',
      )
        .env('MESHLOG_STORE')
        .default('sqlite'),
    )
    .option('--clickhouse-tls', 'reach ClickHouse over HTTPS, the server verified by the system CAs')
    .option('--clickhouse-ca <file>', 'CA certificate (PEM) that signed the ClickHouse server certificate; implies HTTPS')
    .option('--clickhouse-cert <file>', 'client certificate (PEM) for ClickHouse, with --clickhouse-key and --clickhouse-ca')
    .option('--clickhouse-key <file>', 'private key (PEM) of --clickhouse-cert')
    .option('--clickhouse-cluster <name>', 'create the ClickHouse tables ON CLUSTER, replicated on every node of this cluster')
    .option('--als-host <host>', 'address for Envoy gRPC access logs', '0.0.0.0')
    .option(alsPort[0]!, alsPort[1]!, alsPort[2])
    .option('--http-host <host>', 'address for the HTTP API (127.0.0.1 keeps logs off the network)', '127.0.0.1')
    .option('--http-port <port>', 'port for the HTTP API', '8080')
    .option('--config-dir <dir>', 'directory of resource YAML files, watched for changes')
    .addOption(new Option('--auth-token <token>', 'require "Authorization: Bearer <token>" on /v0 and /api').env('MESHLOG_AUTH_TOKEN'))
    .addOption(
      new Option('--auth-token-file <file>', 'the same, read from a file (a mounted Secret); keeps the token out of the process list').conflicts('authToken'),
    )
    .option('--insecure-no-auth', 'serve the HTTP API off loopback without --auth-token (refused otherwise)')
    .option('--retention-age <duration>', 'delete entries older than this', '7d')
    .option('--retention-size <size>', 'keep the store under this size', '2GiB')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--ingest-workers <n>', 'threads that decode, filter and store entries, each with its own store shard (default: one per core)');
  return addSinkOptions(addAlsLimitOptions(command));
}

export function addAlsLimitOptions(command: Command): Command {
  return command
    .option('--max-streams <n>', 'ALS streams served at once; more are refused (RESOURCE_EXHAUSTED)', '1024')
    .option('--max-streams-per-peer <n>', 'ALS streams served at once from one client address', '64')
    .option('--als-idle-timeout <duration>', 'close an ALS stream that sends nothing for this long (Envoy reopens it)', '5m')
    .option('--max-message-bytes <size>', 'largest ALS message accepted', '1MiB');
}

/** `dataDir`: where `--file-sink-root` defaults to (its `logs/`). */
export function addSinkOptions(command: Command, dataDirFlag = '--data-dir'): Command {
  return command
    .option('--file-sink-root <dir>', `directory file backends may write under, repeatable (default: logs/ in ${dataDirFlag})`, repeatable, [])
    .option(
      '--sink-allow-host <host>',
      'host, IP or CIDR tcp / openTelemetry backends may connect to, repeatable (default: any but link-local and metadata)',
      repeatable,
      [],
    )
    .option('--sensitive-header <name>', 'also redact this header (beside authorization, cookie, ...), repeatable', repeatable, [])
    .option('--reveal-header <name>', 'never redact this header, even one of the defaults, repeatable', repeatable, [])
    .option('--redact-query-param <name>', 'also redact this query parameter in :path (beside token, access_token, sig, ...), repeatable', repeatable, []);
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
  const authToken = flags.authTokenFile !== undefined ? readSecretFile(flags.authTokenFile, '--auth-token-file') : flags.authToken;
  const ingestWorkers = parseIngestWorkers(flags.ingestWorkers);
  const exposure = exposureProblem({ host: flags.httpHost, authToken, insecureNoAuth: flags.insecureNoAuth });
  if (exposure !== undefined) throw new Error(`${exposure}.`);
  if (flags.insecureNoAuth && !isLoopbackHost(flags.httpHost) && !authToken) {
    logger.warn({ httpHost: flags.httpHost }, 'The HTTP API serves access logs to the network without authentication (--insecure-no-auth).');
  }
  storeEngineFor(flags.store);
  const store = withClickHouseFlags(flags.store, {
    tls: flags.clickhouseTls,
    caFile: flags.clickhouseCa,
    certFile: flags.clickhouseCert,
    keyFile: flags.clickhouseKey,
    cluster: flags.clickhouseCluster,
  });
  return {
    dataDir: flags.dataDir,
    store,
    alsHost: flags.alsHost,
    als: flags.alsPort !== undefined,
    alsPort: flags.alsPort === undefined ? undefined : port('als-port', flags.alsPort),
    httpHost: flags.httpHost,
    httpPort: port('http-port', flags.httpPort),
    configDir: flags.configDir,
    authToken,
    insecureNoAuth: flags.insecureNoAuth === true,
    ...sinkOptionsFrom(flags),
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

export function sinkOptionsFrom(flags: SinkFlags): Pick<ServerOptions, 'fileSinkRoots' | 'sinkAllowHosts' | 'redaction'> {
  return {
    ...(flags.fileSinkRoot.length > 0 ? { fileSinkRoots: flags.fileSinkRoot } : {}),
    sinkAllowHosts: flags.sinkAllowHost,
    redaction: { sensitiveHeaders: flags.sensitiveHeader, revealHeaders: flags.revealHeader, redactQueryParams: flags.redactQueryParam },
  };
}

/** Shuts down on SIGINT/SIGTERM (a second signal exits at once), reopens log files on SIGHUP. Only CLI entry points exit. */
export function stopOnSignals(server: Pick<RunningServer, 'shutdown' | 'reopenLogFiles'>, logger: Logger, before?: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'A second signal: exiting without waiting for the flush.');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'Flushing and stopping; send the signal again to exit at once.');
    (before ?? (async () => {}))()
      .then(() => server.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'The shutdown failed.');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // logrotate's `postrotate kill -HUP`: file backends reopen their paths.
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 'Reopening the files of file backends.');
    server.reopenLogFiles().catch((err: unknown) => logger.error({ err }, 'Reopening the files of file backends failed.'));
  });
}

export function serveCommand(): Command {
  return addServeOptions(new Command('serve').description('Run the collector, the store and the API in one process.'), { dataDir: './meshlog-data' }).action(
    async (flags: ServeFlags) => {
      const options = serverOptionsFrom(flags);
      const server = await runServer(options);
      stopOnSignals(server, options.logger);
    },
  );
}
