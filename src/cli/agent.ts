/**
 * `meshlog agent --cluster NAME --server HOST:9900`: takes Envoy ALS in one cluster, filters and
 * delivers policy backends at the edge, and relays what the store should keep to the server,
 * through a bounded disk buffer.
 */
import * as grpc from '@grpc/grpc-js';
import { Command } from 'commander';
import { clientCredentials, hasTls, serverCredentials } from '../relay/tls.js';
import { runAgent } from '../runtime/agent.js';
import { createLogger } from '../telemetry/logger.js';
import { parseByteSize } from '../util/duration.js';
import { addRelayTlsOptions, type RelayTlsFlags, relayTls } from './relay-flags.js';
import {
  type AlsLimitFlags,
  addAlsLimitOptions,
  addSinkOptions,
  alsLimitsFrom,
  parseIngestWorkers,
  parsePort,
  type SinkFlags,
  sinkOptionsFrom,
  stopOnSignals,
} from './serve.js';

interface AgentFlags extends RelayTlsFlags, AlsLimitFlags, SinkFlags {
  cluster: string;
  server: string;
  alsHost: string;
  alsPort: string;
  alsTlsCert?: string;
  alsTlsKey?: string;
  alsTlsCa?: string;
  bufferDir: string;
  bufferSize: string;
  metricsHost: string;
  metricsPort: string;
  compression: string;
  logLevel: string;
  ingestWorkers?: string;
}

export function agentCommand(): Command {
  const command = new Command('agent')
    .description('Take Envoy access logs in one cluster and relay them to a meshlog server.')
    .requiredOption('--cluster <name>', 'the cluster this agent speaks for (stamped on proxies that do not name theirs)')
    .requiredOption('--server <host:port>', "the server's relay address (its --relay-port)")
    .option('--als-host <host>', 'address for Envoy gRPC access logs', '0.0.0.0')
    .option('--als-port <port>', 'port for Envoy gRPC access logs', '9977')
    .option('--als-tls-cert <file>', 'serve ALS over TLS with this certificate (PEM)')
    .option('--als-tls-key <file>', 'its private key (PEM)')
    .option('--als-tls-ca <file>', 'require sidecars to present a certificate this CA signed')
    .option('--buffer-dir <dir>', 'where entries wait for the server (kept across restarts)', './meshlog-agent-buffer')
    .option('--buffer-size <size>', 'the most the buffer keeps on disk; past it the oldest entries are dropped and counted', '1GiB')
    .option('--metrics-host <host>', 'address for /metrics, /healthz and /readyz', '0.0.0.0')
    .option('--metrics-port <port>', 'port for /metrics, /healthz and /readyz', '9091')
    .option('--compression <algorithm>', 'how batches are compressed on disk and on the wire: zstd, gzip or none', 'zstd')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--ingest-workers <n>', 'threads that decode, filter and pack entries (default: one per core)');
  return addRelayTlsOptions(addSinkOptions(addAlsLimitOptions(command), '--buffer-dir'), "the server's").action(async (flags: AgentFlags) => {
    const logger = createLogger({ level: flags.logLevel });
    if (!flags.cluster.trim()) throw new Error('--cluster must name a cluster.');
    if (!/^[^\s:]+:\d+$|^\[[0-9a-fA-F:.]+\]:\d+$/.test(flags.server)) throw new Error(`--server must be HOST:PORT, not "${flags.server}".`);
    const bufferBytes = parseByteSize(flags.bufferSize);
    if (bufferBytes === undefined || bufferBytes < 1024 * 1024)
      throw new Error(`--buffer-size must be a size of at least 1MiB like 1GiB or 500MB, not "${flags.bufferSize}".`);
    if (flags.compression !== 'zstd' && flags.compression !== 'gzip' && flags.compression !== 'none')
      throw new Error(`--compression must be zstd, gzip or none, not "${flags.compression}".`);
    const compression = flags.compression;
    const tls = relayTls(flags, logger, 'entries cross the network unencrypted and the server cannot tell this agent from another.');
    const alsTls = { cert: flags.alsTlsCert, key: flags.alsTlsKey, ca: flags.alsTlsCa };
    const agent = await runAgent({
      cluster: flags.cluster,
      server: flags.server,
      relayCredentials: tls ? clientCredentials(tls, '--tls') : grpc.credentials.createInsecure(),
      bufferDir: flags.bufferDir,
      bufferBytes,
      alsHost: flags.alsHost,
      alsPort: parsePort('als-port', flags.alsPort),
      alsCredentials: hasTls(alsTls) ? serverCredentials(alsTls, '--als-tls', false) : undefined,
      metricsHost: flags.metricsHost,
      metricsPort: parsePort('metrics-port', flags.metricsPort),
      logger,
      logLevel: flags.logLevel,
      ingestWorkers: parseIngestWorkers(flags.ingestWorkers),
      compression,
      ...alsLimitsFrom(flags),
      ...sinkOptionsFrom(flags),
    });
    stopOnSignals(agent, logger);
  });
}
