/**
 * One meshlog process: collector (ALS gRPC) + pipeline + embedded store + HTTP API + resources.
 * `meshlog serve`, `meshlog demo`, the end-to-end tests and the benchmark all start it here.
 */
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createAlsServer } from '../collector/als-server.js';
import { createProxyRegistry } from '../collector/proxy-registry.js';
import { createLiveTail } from '../pipeline/live-tail.js';
import { type Pipeline, createPipeline } from '../pipeline/pipeline.js';
import { createPolicyDelivery } from '../pipeline/policy-delivery.js';
import type { ClickHouseFlags } from '../store/clickhouse/index.js';
import { openStore } from '../store/registry.js';
import type { LogStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import { type Metrics, createMetrics } from '../telemetry/metrics.js';
import { createApp } from '../server/app.js';
import { collectedFromRows } from './remote-entries.js';
import { type ResourcesRuntime, startResources } from './resources.js';

export interface ServerOptions {
  readonly dataDir: string;
  /** `--store`: which engine keeps the entries (default `sqlite`, in `dataDir`). */
  readonly store?: string;
  /** `--clickhouse-*`: TLS and cluster when `store` is a ClickHouse URL. */
  readonly clickhouse?: ClickHouseFlags;
  readonly alsHost?: string;
  readonly alsPort?: number;
  readonly httpHost?: string;
  readonly httpPort?: number;
  readonly configDir?: string;
  readonly authToken?: string;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly logger: Logger;
  readonly maxStreams?: number;
  readonly maxMessageBytes?: number;
}

export interface RunningServer {
  readonly alsPort: number;
  readonly httpPort: number;
  readonly store: LogStore;
  readonly pipeline: Pipeline;
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
  const metrics = createMetrics();
  const store = await openStore(options.store ?? 'sqlite', { dataDir: options.dataDir, retention: options.retention, logger, clickhouse: options.clickhouse });
  const liveTail = createLiveTail((n) => metrics.watchDropped.inc(n));
  // Several servers on one store (ClickHouse): what the others store reaches the watchers here too,
  // polled only while someone watches. The local pipeline publishes this server's own entries.
  const remoteTail = store.followRemote?.((rows) => liveTail.publish(collectedFromRows(rows)), () => liveTail.watchers > 0);
  const proxies = createProxyRegistry();
  const delivery = createPolicyDelivery({ metrics, logger, proxyByIp: (ip) => proxies.byIp(ip) });
  const pipeline = createPipeline({ store, liveTail, metrics, logger, delivery, proxyByIp: (ip) => proxies.byIp(ip) });
  const resources = await startResources({ dataDir: options.dataDir, configDir: options.configDir, pipeline, proxies, logger });

  metrics.gauge('meshlog_store_queue_depth', 'Entries accepted and not yet committed to the store.', () => store.stats().pending);
  metrics.gauge('meshlog_store_entries', 'Entries in the store.', () => store.stats().entries);
  metrics.gauge('meshlog_store_bytes', 'Bytes the store uses on disk.', () => store.stats().bytesOnDisk);
  metrics.gauge('meshlog_store_write_failures', 'Entries the store failed to write.', () => store.stats().failed);
  metrics.gauge('meshlog_watchers', 'Live watchers attached.', () => liveTail.watchers);

  const als = createAlsServer({
    host: options.alsHost ?? '0.0.0.0',
    port: options.alsPort ?? 9977,
    consumer: pipeline,
    registry: proxies,
    metrics,
    logger,
    maxStreams: options.maxStreams,
    maxMessageBytes: options.maxMessageBytes,
  });
  metrics.gauge('meshlog_als_streams_active', 'ALS streams open now.', () => als.activeStreams());

  let listening = false;
  const app = createApp({
    store,
    liveTail,
    metrics,
    proxies,
    logger,
    authToken: options.authToken,
    ready: () => listening,
    policyContext: () => resources.context(),
    extraRoutes: [resources.routes],
  });

  let http: HttpServer | undefined;
  try {
    await als.start();
    http = await listen(app, options.httpHost ?? '127.0.0.1', options.httpPort ?? 8080);
  } catch (err) {
    await als.shutdown(0);
    await delivery.shutdown(0);
    await resources.close();
    await store.close();
    throw err;
  }
  listening = true;
  const httpPort = (http.address() as { port: number }).port;
  logger.info({ alsPort: als.port, httpPort, dataDir: options.dataDir }, 'meshlog is serving.');

  let stopping: Promise<void> | undefined;
  return {
    alsPort: als.port,
    httpPort,
    store,
    pipeline,
    resources,
    metrics,
    app,
    reopenLogFiles: () => delivery.reopenFiles(),
    shutdown() {
      stopping ??= (async () => {
        listening = false;
        await als.shutdown();
        // Sinks get what the collector accepted; a peer that is away gets a few seconds.
        await delivery.shutdown(5_000);
        await new Promise<void>((resolve) => {
          http!.close(() => resolve());
          // Watch streams never end by themselves.
          http!.closeAllConnections();
        });
        await resources.close();
        await remoteTail?.close();
        await store.close();
        logger.info({}, 'meshlog stopped.');
      })();
      return stopping;
    },
  };
}

function listen(app: Hono, hostname: string, port: number): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }) as HttpServer;
    server.once('listening', () => resolve(server));
    server.once('error', (err) => reject(new Error(`Cannot serve the HTTP API on ${hostname}:${port}: ${err.message}`)));
  });
}
