/**
 * How an encoded `ExportLogsServiceRequest` reaches an OTLP receiver: unary gRPC to `host:port`,
 * or OTLP/HTTP protobuf to an `http(s)://` URL. Each throws a `PermanentDeliveryError` for answers
 * that retrying cannot fix and a plain error for the ones OTLP calls retryable.
 */
import * as grpc from '@grpc/grpc-js';
import { PermanentDeliveryError } from '../shared/delivery-errors.js';
import { isHostPort, parseHttpUrl } from '../shared/addresses.js';
import { exportMethodPath } from './export-request.js';

export interface OtlpTransport {
  send(request: Uint8Array, signal: AbortSignal): Promise<void>;
  close(): void;
}

export type OtlpEndpoint = { readonly protocol: 'grpc'; readonly target: string } | { readonly protocol: 'http'; readonly url: URL };

/**
 * The endpoint: an `http(s)://` URL is OTLP/HTTP (at `/v1/logs` when it names no path), a
 * `host:port` is OTLP/gRPC; undefined for anything else.
 */
export function parseOtlpEndpoint(endpoint: string): OtlpEndpoint | undefined {
  const url = parseHttpUrl(endpoint);
  if (url) {
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/logs';
    return { protocol: 'http', url };
  }
  return isHostPort(endpoint) ? { protocol: 'grpc', target: endpoint } : undefined;
}

/** OTLP's retryable gRPC codes, plus RESOURCE_EXHAUSTED (a receiver shedding load, like HTTP 429). */
const retryableCodes = new Set<number>([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

const identity = (b: Buffer) => b;

export interface GrpcReconnect {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function createGrpcTransport(target: string, timeoutMs: number, reconnect: GrpcReconnect): OtlpTransport {
  // The channel reconnects on its own backoff (up to 2 minutes by default); held to the sink's
  // retry policy, a receiver that comes back is used by the next retry rather than minutes later.
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': reconnect.initialMs,
    'grpc.max_reconnect_backoff_ms': reconnect.maxMs,
  });
  return {
    send(request, signal) {
      return new Promise((resolve, reject) => {
        const call = client.makeUnaryRequest<Buffer, Buffer>(
          exportMethodPath,
          identity,
          identity,
          Buffer.from(request.buffer, request.byteOffset, request.byteLength),
          new grpc.Metadata(),
          { deadline: Date.now() + timeoutMs },
          (error) => {
            signal.removeEventListener('abort', onAbort);
            if (!error) return resolve();
            const message = `OTLP Export answered ${grpc.status[error.code] ?? error.code}: ${error.details}`;
            reject(retryableCodes.has(error.code) ? new Error(message) : new PermanentDeliveryError(message));
          },
        );
        const onAbort = () => call.cancel();
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    close: () => client.close(),
  };
}

export function createHttpTransport(url: URL, timeoutMs: number): OtlpTransport {
  return {
    async send(request, signal) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: request,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      // Read the answer whole so the connection goes back to the pool.
      await response.arrayBuffer();
      if (response.ok) return;
      const message = `OTLP/HTTP POST ${url.pathname} answered ${response.status}`;
      // OTLP/HTTP: 429, 502, 503 and 504 are retryable; other 5xx are retried too, they are the server's fault.
      if (response.status === 429 || response.status === 408 || response.status >= 500) throw new Error(message);
      throw new PermanentDeliveryError(message);
    },
    close() {},
  };
}
