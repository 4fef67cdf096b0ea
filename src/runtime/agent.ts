/**
 * `meshlog agent`: one per cluster. It takes Envoy ALS (9977), identifies proxies (stamping
 * `--cluster` on those that do not name theirs), and runs the same ingest pool and pipeline as
 * `serve` with the resources the server pushes: MeshAccessLog file, TCP and OTLP backends are
 * delivered here, where the proxies run, and what some AccessLogRecord collects or a policy sends
 * to `store` goes to the relay buffer and on to the server (`relay/exporter.ts`).
 *
 * An ALS stream is answered OK once its entries are in the buffer and fdatasync'ed. It serves
 * `/metrics`, `/healthz` and `/readyz` on its own small HTTP port.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { kinds } from '../api/kinds.js';
import { loadResources } from '../api/load-yaml.js';
import { createProxyRegistry, type ProxyRegistry } from '../collector/proxy-registry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { createLiveTail } from '../pipeline/live-tail.js';
import { createRedactionPolicy } from '../pipeline/redaction.js';
import { createSinkSet } from '../pipeline/sink-set.js';
import { buildPolicyContext } from '../policy/index.js';
import { type RelayExporter, startRelayExporter } from '../relay/exporter.js';
import type { Compression } from '../relay/protocol.js';
import { createSinkPolicy } from '../sinks/index.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { type AlsLimits, createAlsInput } from './als-input.js';
import { startIngestPool } from './ingest/pool.js';
import type { ServerOptions } from './serve.js';

/**
 * The sink bounds and redaction are `serve`'s, applied here (the file root defaults to `logs/` in the
 * buffer directory): the agent writes the backends, and entries leave it redacted.
 */
export interface AgentOptions
  extends AlsLimits,
    Pick<ServerOptions, 'fileSinkRoots' | 'sinkAllowHosts' | 'redaction' | 'logger' | 'logLevel' | 'ingestWorkers'> {
  /** `--cluster`: the cluster this agent speaks for. */
  readonly cluster: string;
  /** `--server`: HOST:PORT of the server's relay port. */
  readonly server: string;
  readonly relayCredentials: grpc.ChannelCredentials;
  readonly bufferDir: string;
  readonly bufferBytes: number;
  readonly alsHost?: string;
  readonly alsPort?: number;
  readonly alsCredentials?: grpc.ServerCredentials;
  readonly metricsHost?: string;
  readonly metricsPort?: number;
  readonly compression?: Compression;
}

export interface RunningAgent {
  readonly agentId: string;
  readonly alsPort: number;
  readonly metricsPort: number;
  readonly metrics: Metrics;
  readonly exporter: RelayExporter;
  reopenLogFiles(): Promise<void>;
  /** Stops taking ALS, buffers what it took, gives the server a few seconds to take the buffer, stops. */
  shutdown(): Promise<void>;
}

/** The last resources the server sent, kept for a restart while the server is away. */
const resourcesFile = 'resources.yaml';

export async function runAgent(options: AgentOptions): Promise<RunningAgent> {
  const { logger, cluster } = options;
  const metrics = createMetrics();
  // The operator's bounds for this node: the backends the server sends are checked against them here.
  const sinkPolicy = createSinkPolicy({ fileRoots: options.fileSinkRoots ?? [path.join(options.bufferDir, 'logs')], allowHosts: options.sinkAllowHosts });
  const redaction = createRedactionPolicy(options.redaction);
  const sinks = createSinkSet({ metrics, logger, policy: sinkPolicy });
  const liveTail = createLiveTail({ onLost: () => undefined });
  const proxies = stampingRegistry(createProxyRegistry(), cluster);
  let exporter: RelayExporter | undefined;
  const pool = await startIngestPool({
    workers: options.ingestWorkers ?? 1,
    dataDir: options.bufferDir,
    store: 'sqlite',
    output: { relay: { compression: options.compression ?? 'zstd' } },
    logLevel: options.logLevel ?? 'warn',
    liveTail,
    sinks,
    metrics,
    logger,
    onRelay: (batches) => exporter!.append(batches),
    sensitiveHeaders: [...redaction.sensitiveHeaders],
    redactQueryParams: [...redaction.queryParams],
  });

  let known = false;
  const applyResources = (documents: string, source: string) => {
    const { resources, problems } = loadResources(documents, source, kinds, { sinks: sinkPolicy });
    for (const p of problems)
      logger.warn({ source: p.source, line: p.line, field: p.field, problem: p.message }, 'A resource from the server does not load here; it is left out.');
    const context = buildPolicyContext(resources.map((r) => r.resource));
    pool.setResources(context.records, context.set, context.proxies);
    known = true;
    return resources.length;
  };
  const kept = path.join(options.bufferDir, resourcesFile);
  if (existsSync(kept)) applyResources(readFileSync(kept, 'utf8'), kept);

  exporter = startRelayExporter({
    server: options.server,
    credentials: options.relayCredentials,
    bufferDir: options.bufferDir,
    bufferBytes: options.bufferBytes,
    cluster,
    metrics,
    logger,
    onResources(documents, generation) {
      const count = applyResources(documents, 'relay server');
      writeFileSync(`${kept}.tmp`, documents);
      renameSync(`${kept}.tmp`, kept);
      logger.info({ resources: count, generation }, 'Filtering by the resources the server sent.');
    },
    inventory: () =>
      proxies.list().map((p) => ({ proxy: p.identity, activeStreams: p.activeStreams, entries: p.entries, firstSeenMs: p.firstSeen, lastSeenMs: p.lastSeen })),
  });
  if (!known) logger.info({ server: options.server }, 'No resources known yet: nothing is collected until the server sends its AccessLogRecords and policies.');
  proxies.onChange((identity) => {
    if (identity.ip) pool.peer(identity.ip, identity);
    exporter!.inventoryChanged();
  });

  metrics.gauge('meshlog_ingest_batches_outstanding', 'ALS batches handed to ingest workers and not yet taken.', () => pool.outstanding());
  const relayExporter = exporter;
  const als = createAlsInput({
    host: options.alsHost,
    port: options.alsPort,
    credentials: options.alsCredentials,
    // A stream is answered OK once what it sent is in the buffer and on disk.
    consumer: {
      consume: (batch) => pool.consume(batch),
      onDrain: (listener) => pool.onDrain(listener),
      settle: (stream) => pool.settle(stream).then(() => relayExporter.sync()),
      streamClosed: (stream) => pool.streamClosed(stream),
    },
    registry: proxies,
    metrics,
    logger,
    limits: options,
  });

  let http: HttpServer | undefined;
  const stopInputs = async () => {
    await pool.close();
    await sinks.shutdown(5_000);
    await relayExporter.close(5_000);
  };
  try {
    await als.start();
    http = await listenMetrics(metrics, options.metricsHost ?? '0.0.0.0', options.metricsPort ?? 9091);
  } catch (err) {
    await als.shutdown(0);
    await stopInputs();
    throw err;
  }
  const metricsPort = (http.address() as { port: number }).port;
  logger.info(
    { cluster, server: options.server, alsPort: als.port, metricsPort, agentId: relayExporter.agentId, bufferDir: options.bufferDir },
    'meshlog agent is running.',
  );

  let stopping: Promise<void> | undefined;
  return {
    agentId: relayExporter.agentId,
    alsPort: als.port,
    metricsPort,
    metrics,
    exporter: relayExporter,
    reopenLogFiles: () => sinks.reopenFiles(),
    shutdown() {
      stopping ??= (async () => {
        await als.shutdown();
        await stopInputs();
        await new Promise<void>((resolve) => http!.close(() => resolve()));
        logger.info({}, 'meshlog agent stopped.');
      })();
      return stopping;
    },
  };
}

/** The proxy registry, with `--cluster` stamped on every proxy that does not name its cluster. */
function stampingRegistry(inner: ProxyRegistry, cluster: string): ProxyRegistry {
  const stamp = (identity: ProxyIdentity): ProxyIdentity =>
    identity.workload.clusterName ? identity : { ...identity, workload: { ...identity.workload, clusterName: cluster } };
  return { ...inner, streamOpened: (identity) => inner.streamOpened(stamp(identity)) };
}

function listenMetrics(metrics: Metrics, host: string, port: number): Promise<HttpServer> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.exposition().then(
        ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`metrics failed: ${String(err)}\n`),
      );
    } else if (req.url === '/healthz' || req.url === '/readyz') res.writeHead(200).end('ok\n');
    else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no route for ${req.method} ${req.url}` }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`Cannot serve metrics on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}
