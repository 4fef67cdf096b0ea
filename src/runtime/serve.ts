/**
 * One meshlog process: collector (ALS gRPC) + ingest workers (pipeline and store shards) + HTTP API
 * + resources. `meshlog serve`, `meshlog demo`, the end-to-end tests and the benchmark all start
 * it here.
 */

import { mkdirSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createProxyRegistry, type ProxyRegistry } from '../collector/proxy-registry.js';
import { createLiveTail } from '../pipeline/live-tail.js';
import { createRedactionPolicy, type RedactionOptions } from '../pipeline/redaction.js';
import { createSinkSet } from '../pipeline/sink-set.js';
import { createApp } from '../server/app.js';
import { exposureProblem, httpServerOptions, maxConnections } from '../server/http-limits.js';
import { createSinkPolicy } from '../sinks/index.js';
import { openStoreReaderFor } from '../store/registry.js';
import type { StoreHandle } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { createAlsInput } from './als-input.js';
import { type IngestPool, startIngestPool } from './ingest/pool.js';
import { followRemoteEntries } from './remote-entries.js';
import { type ResourcesRuntime, startResources } from './resources.js';

export interface ServerOptions {
  readonly dataDir: string;
  /** `--store`: which engine keeps the entries (default `sqlite`, in `dataDir`). */
  readonly store?: string;
  readonly alsHost?: string;
  readonly alsPort?: number;
  readonly httpHost?: string;
  readonly httpPort?: number;
  readonly configDir?: string;
  readonly authToken?: string;
  /** `--insecure-no-auth`: serve the API off loopback without a token. */
  readonly insecureNoAuth?: boolean;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly logger: Logger;
  /** `--log-level`, for the ingest workers' own loggers. */
  readonly logLevel?: string;
  /** Ingest worker threads (`--ingest-workers`); default 1 here, the cores in `meshlog serve`. */
  readonly ingestWorkers?: number;
  readonly maxStreams?: number;
  readonly maxStreamsPerPeer?: number;
  readonly alsIdleTimeoutMs?: number;
  readonly maxMessageBytes?: number;
  /** `--file-sink-root`: where file backends may write; default `logs/` in the data directory. */
  readonly fileSinkRoots?: readonly string[];
  /** `--sink-allow-host`: hosts and CIDRs tcp / openTelemetry backends may connect to. */
  readonly sinkAllowHosts?: readonly string[];
  /** `--sensitive-header`, `--reveal-header`, `--redact-query-param`. */
  readonly redaction?: RedactionOptions;
  /** false: no ALS port (`meshlog server`, fed by agents only). */
  readonly als?: boolean;
  /** More inputs into the same pool, started once the rest is up (`meshlog server`'s relay receiver). */
  readonly inputs?: ReadonlyArray<(core: ServerCore) => Promise<ServerInput>>;
}

/** What another input is given to feed entries in and list proxies. */
export interface ServerCore {
  readonly pool: IngestPool;
  readonly proxies: ProxyRegistry;
  readonly store: StoreHandle;
  readonly resources: ResourcesRuntime;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

export interface ServerInput {
  /** Stops taking input and waits until what it took is settled. */
  shutdown(): Promise<void>;
}

export interface RunningServer {
  readonly alsPort: number;
  readonly httpPort: number;
  readonly store: StoreHandle;
  readonly resources: ResourcesRuntime;
  readonly metrics: Metrics;
  readonly app: Hono;
  /** Reopens the files of `file` backends (after an external rotation; `serve` does it on SIGHUP). */
  reopenLogFiles(): Promise<void>;
  /** Stops taking input, flushes everything accepted, closes. Idempotent. */
  shutdown(): Promise<void>;
}

export async function runServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const exposure = exposureProblem({ host: options.httpHost ?? '127.0.0.1', authToken: options.authToken, insecureNoAuth: options.insecureNoAuth });
  if (exposure !== undefined) throw new Error(`Refusing to start: ${exposure}.`);
  // The operator's bounds, handed explicitly to validation on write, the sinks and the workers' redaction.
  const sinkPolicy = createSinkPolicy({ fileRoots: options.fileSinkRoots ?? [path.join(options.dataDir, 'logs')], allowHosts: options.sinkAllowHosts });
  const validation = { sinks: sinkPolicy };
  const redaction = createRedactionPolicy(options.redaction);
  const storeSpec = options.store ?? 'sqlite';
  const metrics = createMetrics();
  const liveTail = createLiveTail({ onLost: (n) => metrics.watchDropped.inc(n) });
  const sinks = createSinkSet({ metrics, logger, policy: sinkPolicy });
  mkdirSync(options.dataDir, { recursive: true });
  const pool = await startIngestPool({
    workers: options.ingestWorkers ?? 1,
    dataDir: options.dataDir,
    store: storeSpec,
    retention: options.retention,
    logLevel: options.logLevel ?? 'warn',
    liveTail,
    sinks,
    metrics,
    logger,
    sensitiveHeaders: [...redaction.sensitiveHeaders],
    redactQueryParams: [...redaction.queryParams],
  });
  const reader = await openStoreReaderFor(storeSpec, { dataDir: options.dataDir, logger });
  const store: StoreHandle = {
    query: (q) => reader.query(q),
    workloads: () => reader.workloads(),
    aggregate: (q) => reader.aggregate(q),
    marks: async () => (await reader.marks?.()) ?? new Map(),
    flush: () => pool.flush(),
    stats: () => pool.storeStats(),
    close: () => reader.close(),
  };
  // Several servers on one store (ClickHouse): what the others store reaches the watchers here too,
  // polled only while someone watches. This server's own entries come from its ingest workers.
  const remoteTail = followRemoteEntries(reader, liveTail);
  const proxies = createProxyRegistry();
  proxies.onChange((identity) => {
    if (identity.ip) pool.peer(identity.ip, identity);
  });
  const resources = await startResources({
    dataDir: options.dataDir,
    configDir: options.configDir,
    proxies,
    logger,
    validation,
    onContext: (context) => pool.setResources(context.records, context.set, context.proxies),
  });

  metrics.gauge('meshlog_store_queue_depth', 'Entries accepted and not yet committed to the store.', () => store.stats().pending);
  metrics.gauge('meshlog_store_entries', 'Entries in the store.', () => store.stats().entries);
  metrics.gauge('meshlog_store_bytes', 'Bytes the store uses on disk.', () => store.stats().bytesOnDisk);
  metrics.counter('meshlog_store_write_failures_total', 'Entries the store failed to write.', () => store.stats().failed);
  metrics.gauge(
    'meshlog_store_retention_bytes',
    'The store size that retention keeps under (--retention-size); 0 when unlimited.',
    () => options.retention?.maxBytes ?? 0,
  );
  metrics.gauge(
    'meshlog_store_retention_seconds',
    'How long retention keeps entries (--retention-age); 0 when unlimited.',
    () => (options.retention?.maxAgeMs ?? 0) / 1000,
  );
  metrics.gauge('meshlog_watchers', 'Live watchers attached.', () => liveTail.watchers);
  metrics.gauge('meshlog_ingest_batches_outstanding', 'ALS batches handed to ingest workers and not yet taken.', () => pool.outstanding());

  const als = createAlsInput({ host: options.alsHost, port: options.alsPort, consumer: pool, registry: proxies, metrics, logger, limits: options });

  let listening = false;
  const app = createApp({
    store,
    liveTail,
    metrics,
    proxies,
    logger,
    authToken: options.authToken,
    readiness: () => (listening ? pool.problem() : 'not listening yet'),
    policyContext: () => resources.context(),
    extraRoutes: [resources.routes],
  });

  const closeInputs = async () => {
    await remoteTail?.close();
    await pool.close();
    // Records the workers formatted last reached the sinks before the workers closed.
    await sinks.shutdown(5_000);
    await resources.close();
    await store.close();
  };
  let http: HttpServer | undefined;
  const inputs: ServerInput[] = [];
  const stopInputs = () => Promise.all(inputs.map((i) => i.shutdown()));
  try {
    if (options.als !== false) await als.start();
    for (const start of options.inputs ?? []) inputs.push(await start({ pool, proxies, store, resources, metrics, logger }));
    http = await listen(app, options.httpHost ?? '127.0.0.1', options.httpPort ?? 8080);
  } catch (err) {
    await als.shutdown(0);
    await stopInputs();
    await closeInputs();
    throw err;
  }
  listening = true;
  const httpPort = (http.address() as { port: number }).port;
  logger.info({ alsPort: als.port, httpPort, dataDir: options.dataDir, ingestWorkers: options.ingestWorkers ?? 1 }, 'meshlog is serving.');

  let stopping: Promise<void> | undefined;
  return {
    alsPort: als.port,
    httpPort,
    store,
    resources,
    metrics,
    app,
    reopenLogFiles: () => sinks.reopenFiles(),
    shutdown() {
      stopping ??= (async () => {
        listening = false;
        await als.shutdown();
        await stopInputs();
        await closeInputs();
        await new Promise<void>((resolve) => {
          http!.close(() => resolve());
          // Watch streams never end by themselves.
          http!.closeAllConnections();
        });
        logger.info({}, 'meshlog stopped.');
      })();
      return stopping;
    },
  };
}

function listen(app: Hono, hostname: string, port: number): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port, serverOptions: httpServerOptions }) as HttpServer;
    server.maxConnections = maxConnections;
    server.once('listening', () => resolve(server));
    server.once('error', (err) => reject(new Error(`Cannot serve the HTTP API on ${hostname}:${port}: ${err.message}`)));
  });
}
