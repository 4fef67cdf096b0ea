/**
 * The Envoy gRPC Access Log Service: `envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs`
 * and its v2 twin, on one grpc-js server.
 *
 * Envoy opens a client stream per worker thread and logger, sends the identifier only in the
 * first message and never expects an answer; so the identity is kept per stream, and the stream
 * is answered only when the client ends it, or with an error status when its input is bad. A bad
 * stream never disturbs the others, and entries it delivered before the error stay accepted.
 * The v2 service is decoded with the v3 types: the messages are wire-compatible (see
 * `envoy/v2-compat.test.ts`), and the v2 `envoy.api.v2.core` protos do not ship in our proto source.
 */
import { setDefaultHighWaterMark } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { loadAlsTypes } from '../envoy/protos.js';
import type { LogConsumer } from '../model/als-batch.js';
import type { Logger } from '../telemetry/logger.js';
import type { AlsErrorReason, Metrics } from '../telemetry/metrics.js';
import { MalformedMessageError, scanAlsMessage } from './als-message.js';
import { identifyProxy } from './identify-proxy.js';
import type { ProxyRegistry, SeenProxy } from './proxy-registry.js';

export interface AlsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly consumer: LogConsumer;
  readonly registry: ProxyRegistry;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Largest accepted message (default 1 MiB). Envoy flushes at 16 KiB by default. */
  readonly maxMessageBytes?: number;
  /** Streams served at once across all connections; more are refused with RESOURCE_EXHAUSTED (default 1024). */
  readonly maxStreams?: number;
  /** Streams served at once from one client address (default 64: an Envoy with 32 workers and two loggers). */
  readonly maxStreamsPerPeer?: number;
  /** A stream that sends nothing for this long is answered and closed; Envoy opens a new one when it logs again (default 5 min). */
  readonly idleTimeoutMs?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. */
  readonly maxStreamsPerConnection?: number;
  /** TLS for the port (`meshlog agent --als-tls-*`); plaintext when absent. */
  readonly credentials?: grpc.ServerCredentials;
}

export interface AlsServer {
  /** The bound port (known after `start`). */
  readonly port: number;
  start(): Promise<void>;
  activeStreams(): number;
  /** Ends every stream and stops; waits for in-flight messages until the deadline. Idempotent. */
  shutdown(deadlineMs?: number): Promise<void>;
}

/** Trailing-metadata key that carries our reason for ending a stream, for the status counter. */
const reasonKey = 'meshlog-error-reason';

export function createAlsServer(options: AlsServerOptions): AlsServer {
  const types = loadAlsTypes();
  const { consumer, registry, metrics, logger } = options;
  const maxStreams = options.maxStreams ?? 1024;
  const maxPerPeer = options.maxStreamsPerPeer ?? 64;
  const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
  const maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  const perPeer = new Map<string, number>();
  // A paused stream must not read ahead: with grpc-js's default of 16 queued messages per stream,
  // every stream paused by backpressure would hold up to 16 messages. One is the bound here.
  setDefaultHighWaterMark(true, 1);
  const paused = new Set<grpc.ServerReadableStream<Buffer, Buffer>>();
  let active = 0;
  let nextStream = 1;
  let boundPort = 0;
  let shutdownPromise: Promise<void> | undefined;

  consumer.onDrain(() => {
    for (const call of paused) call.resume();
    paused.clear();
  });

  const server = new grpc.Server({
    // grpc-js refuses larger messages itself, below any interceptor, so it could not say why or count
    // them; the handler enforces `maxMessageBytes` and grpc-js's limit is only a memory guard above it.
    'grpc.max_receive_message_length': 2 * maxMessageBytes,
    'grpc.max_concurrent_streams': options.maxStreamsPerConnection ?? 1000,
    interceptors: [countErrorStatuses(metrics)],
  });

  function handler(apiVersion: 'v2' | 'v3'): grpc.handleClientStreamingCall<Buffer, Buffer> {
    return (call, callback) => {
      (apiVersion === 'v2' ? metrics.als.streamsV2 : metrics.als.streamsV3).inc();
      if (active >= maxStreams) {
        callback(statusError(grpc.status.RESOURCE_EXHAUSTED, 'too_many_streams', `The collector already serves ${maxStreams} streams; retry later.`));
        return;
      }
      const peer = peerAddress(call.getPeer());
      const fromPeer = perPeer.get(peer) ?? 0;
      if (fromPeer >= maxPerPeer) {
        callback(
          statusError(grpc.status.RESOURCE_EXHAUSTED, 'too_many_streams', `The collector already serves ${maxPerPeer} streams from ${peer}; retry later.`),
        );
        return;
      }
      perPeer.set(peer, fromPeer + 1);
      active++;
      const stream = nextStream++;
      let idle: NodeJS.Timeout | undefined;
      const touch = () => {
        if (idle) idle.refresh();
        else {
          idle = setTimeout(() => {
            logger.info(
              { node: proxy?.identity.nodeId, idleMs: idleTimeoutMs },
              'Closed an ALS stream that sent nothing for a while; Envoy opens a new one when it logs again.',
            );
            settle();
          }, idleTimeoutMs);
          idle.unref();
        }
      };
      touch();
      let proxy: SeenProxy | undefined;
      let finished = false;
      const finish = (error?: grpc.ServiceError | null) => {
        if (finished) return;
        finished = true;
        active--;
        if (idle) clearTimeout(idle);
        const left = (perPeer.get(peer) ?? 1) - 1;
        if (left > 0) perPeer.set(peer, left);
        else perPeer.delete(peer);
        paused.delete(call);
        if (proxy) registry.streamClosed(proxy);
        consumer.streamClosed?.(stream);
        if (error) callback(error);
        else callback(null, Buffer.alloc(0));
      };
      /** The client ended the stream: answer OK only once what it sent is stored. */
      const settle = () => {
        if (finished) return;
        if (!consumer.settle || !proxy) {
          finish();
          return;
        }
        consumer.settle(stream).then(
          () => finish(),
          (err: unknown) => {
            logger.warn({ node: proxy?.identity.nodeId, error: String(err) }, 'Answered an ALS stream UNAVAILABLE: its entries could not be stored.');
            finish(
              statusError(
                grpc.status.UNAVAILABLE,
                'not_stored',
                `The entries of this stream could not be stored (${err instanceof Error ? err.message : String(err)}); Envoy counts them as lost.`,
              ),
            );
          },
        );
      };

      call.on('data', (message: Buffer) => {
        if (finished) return;
        touch();
        metrics.als.messages.inc();
        if (message.length > maxMessageBytes) {
          finish(
            statusError(
              grpc.status.RESOURCE_EXHAUSTED,
              'oversized',
              `A message of ${message.length} bytes is over the ${maxMessageBytes}-byte limit (--max-message-bytes).`,
            ),
          );
          return;
        }
        let scanned: ReturnType<typeof scanAlsMessage>;
        try {
          scanned = scanAlsMessage(message, types);
        } catch (err) {
          const detail = err instanceof MalformedMessageError ? err.message : String(err);
          logger.warn({ node: proxy?.identity.nodeId, error: detail }, 'Ended an ALS stream that sent a malformed message.');
          finish(statusError(grpc.status.INVALID_ARGUMENT, 'malformed', `Malformed StreamAccessLogsMessage: ${detail}.`));
          return;
        }
        if (!proxy) {
          if (!scanned.identifier?.node) {
            finish(statusError(grpc.status.INVALID_ARGUMENT, 'missing_identifier', 'The first message of a stream must carry an identifier with a node.'));
            return;
          }
          proxy = registry.streamOpened(identifyProxy(scanned.identifier, apiVersion));
          // A proxy's first stream is news an operator wants on the first day; later ones are routine.
          if (proxy.activeStreams === 1 && proxy.entries === 0) {
            const { workload, flavor, nodeId } = proxy.identity;
            logger.info(
              { node: nodeId, flavor, cluster: workload.clusterName, namespace: workload.namespace, workload: workload.name, apiVersion },
              'A proxy opened its first ALS stream.',
            );
          }
        }
        const count = scanned.encoded.length;
        if (count === 0 || scanned.kind === undefined) return;
        proxy.lastSeen = Date.now();
        proxy.entries += count;
        (scanned.kind === 'http' ? metrics.entries.receivedHttp : metrics.entries.receivedTcp).inc(count);
        const more = consumer.consume({
          stream,
          proxy: proxy.identity,
          kind: scanned.kind,
          encoded: scanned.encoded,
          receivedAt: proxy.lastSeen,
        });
        if (!more) {
          // Backpressure: stop reading so HTTP/2 flow control holds Envoy back, instead of dropping.
          call.pause();
          paused.add(call);
        }
      });
      call.on('end', settle);
      call.on('error', () => finish());
      call.on('cancelled', () => finish());
    };
  }

  const serviceFor = (version: 'v2' | 'v3'): grpc.ServiceDefinition => ({
    StreamAccessLogs: {
      path: `/envoy.service.accesslog.${version}.AccessLogService/StreamAccessLogs`,
      requestStream: true,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  });
  server.addService(serviceFor('v3'), { StreamAccessLogs: handler('v3') });
  server.addService(serviceFor('v2'), { StreamAccessLogs: handler('v2') });

  return {
    get port() {
      return boundPort;
    },
    start() {
      return new Promise((resolve, reject) => {
        server.bindAsync(`${formatHost(options.host)}:${options.port}`, options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, port) => {
          if (err) {
            reject(new Error(`Cannot listen for Envoy access logs on ${options.host}:${options.port}: ${err.message}`));
            return;
          }
          boundPort = port;
          resolve();
        });
      });
    },
    activeStreams: () => active,
    shutdown(deadlineMs = 5000) {
      shutdownPromise ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, deadlineMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return shutdownPromise;
    },
  };
}

function statusError(code: grpc.status, reason: AlsErrorReason, details: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set(reasonKey, reason);
  return Object.assign(new Error(details), { code, details, metadata });
}

/**
 * Counts every error status sent on the ALS services, including those grpc-js sends by itself
 * (a message over the size limit never reaches the handler).
 */
function countErrorStatuses(metrics: Metrics): grpc.ServerInterceptor {
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      sendStatus(status, next) {
        // A cancelled stream is the client going away, not an error of ours or of its input.
        if (status.code !== grpc.status.OK && status.code !== grpc.status.CANCELLED) {
          const ours = status.metadata?.get(reasonKey)[0];
          const reason: AlsErrorReason =
            typeof ours === 'string' && ours in metrics.als.errors
              ? (ours as AlsErrorReason)
              : status.code === grpc.status.RESOURCE_EXHAUSTED
                ? 'oversized'
                : 'internal';
          metrics.als.errors[reason].inc();
        }
        next(status);
      },
    });
}

/** `10.0.0.1:50312` or `[::1]:50312` (as grpc-js gives it) → the address without the port. */
function peerAddress(peer: string): string {
  const colon = peer.lastIndexOf(':');
  const host = colon > 0 && /^\d+$/.test(peer.slice(colon + 1)) ? peer.slice(0, colon) : peer;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // A dual-stack socket shows IPv4 clients as IPv4-mapped IPv6 addresses.
  return bare.startsWith('::ffff:') && bare.includes('.') ? bare.slice('::ffff:'.length) : bare;
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
