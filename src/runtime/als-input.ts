/**
 * The ALS port of a process that takes Envoy's logs (`serve`, `server --als-port`, `agent`): the
 * collector with the operator's limits, and its gauge of open streams.
 */
import type * as grpc from '@grpc/grpc-js';
import { type AlsServer, createAlsServer } from '../collector/als-server.js';
import type { ProxyRegistry } from '../collector/proxy-registry.js';
import type { LogConsumer } from '../model/als-batch.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

/** `--max-streams`, `--max-streams-per-peer`, `--als-idle-timeout`, `--max-message-bytes`. */
export interface AlsLimits {
  readonly maxStreams?: number;
  readonly maxStreamsPerPeer?: number;
  readonly alsIdleTimeoutMs?: number;
  readonly maxMessageBytes?: number;
}

export function createAlsInput(options: {
  readonly host?: string;
  readonly port?: number;
  readonly credentials?: grpc.ServerCredentials;
  readonly consumer: LogConsumer;
  readonly registry: ProxyRegistry;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly limits: AlsLimits;
}): AlsServer {
  const { limits, metrics } = options;
  const als = createAlsServer({
    host: options.host ?? '0.0.0.0',
    port: options.port ?? 9977,
    credentials: options.credentials,
    consumer: options.consumer,
    registry: options.registry,
    metrics,
    logger: options.logger,
    maxStreams: limits.maxStreams,
    maxStreamsPerPeer: limits.maxStreamsPerPeer,
    idleTimeoutMs: limits.alsIdleTimeoutMs,
    maxMessageBytes: limits.maxMessageBytes,
  });
  metrics.gauge('meshlog_als_streams_active', 'ALS streams open now.', () => als.activeStreams());
  return als;
}
