/**
 * How an encoded `ExportLogsServiceRequest` reaches an OTLP receiver: unary gRPC to `host:port`,
 * or OTLP/HTTP protobuf to an `http(s)://` URL. Each throws a `PermanentDeliveryError` for answers
 * that retrying cannot fix and a plain error for the ones OTLP calls retryable.
 */
import https from 'node:https';
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { PermanentDeliveryError } from '../shared/delivery-errors.js';
import { isHostPort, parseHttpUrl } from '../shared/addresses.js';
import type { OtlpTls } from './destination.js';
import { exportMethodPath } from './export-request.js';
import { lazyTls } from './tls.js';

export interface OtlpTransport {
  send(request: Uint8Array, signal: AbortSignal): Promise<void>;
  close(): void;
}

export type OtlpEndpoint = { readonly protocol: 'grpc'; readonly target: string } | { readonly protocol: 'http'; readonly url: URL };

/** OTLP/gRPC's port, which Kuma assumes when an endpoint names none. */
export const defaultOtlpGrpcPort = 4317;

/**
 * The endpoint: an `http(s)://` URL is OTLP/HTTP (at `/v1/logs` when it names no path), a
 * `host:port` is OTLP/gRPC, and so is a bare host (at port 4317, as in Kuma); undefined for
 * anything else.
 */
export function parseOtlpEndpoint(endpoint: string): OtlpEndpoint | undefined {
  const url = parseHttpUrl(endpoint);
  if (url) {
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/logs';
    return { protocol: 'http', url };
  }
  if (isHostPort(endpoint)) return { protocol: 'grpc', target: endpoint };
  const withPort = `${isIP(endpoint) === 6 ? `[${endpoint}]` : endpoint}:${defaultOtlpGrpcPort}`;
  return isHostPort(withPort) ? { protocol: 'grpc', target: withPort } : undefined;
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

export function createGrpcTransport(target: string, timeoutMs: number, reconnect: GrpcReconnect, tls?: OtlpTls): OtlpTransport {
  const material = tls ? lazyTls(tls) : undefined;
  let client: grpc.Client | undefined;
  // The channel reconnects on its own backoff (up to 2 minutes by default); held to the sink's
  // retry policy, a receiver that comes back is used by the next retry rather than minutes later.
  const options: grpc.ChannelOptions = { 'grpc.initial_reconnect_backoff_ms': reconnect.initialMs, 'grpc.max_reconnect_backoff_ms': reconnect.maxMs };
  const open = async (): Promise<grpc.Client> => {
    if (client) return client;
    if (!material) return (client = new grpc.Client(target, grpc.credentials.createInsecure(), options));
    const m = await material();
    const credentials = grpc.credentials.createSsl(m.ca ?? null, m.key ?? null, m.cert ?? null, { rejectUnauthorized: m.rejectUnauthorized });
    client ??= new grpc.Client(target, credentials, m.servername ? { ...options, 'grpc.ssl_target_name_override': m.servername, 'grpc.default_authority': m.servername } : options);
    return client;
  };
  return {
    async send(request, signal) {
      const c = await open();
      return new Promise((resolve, reject) => {
        const call = c.makeUnaryRequest<Buffer, Buffer>(
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
    close: () => client?.close(),
  };
}

/** OTLP/HTTP: 429, 408 and 5xx are retried (the receiver's fault or load); anything else is not. */
function httpAnswer(url: URL, status: number): void {
  if (status >= 200 && status < 300) return;
  const message = `OTLP/HTTP POST ${url.pathname} answered ${status}`;
  if (status === 429 || status === 408 || status >= 500) throw new Error(message);
  throw new PermanentDeliveryError(message);
}

export function createHttpTransport(url: URL, timeoutMs: number, tls?: OtlpTls): OtlpTransport {
  if (tls) return createHttpsTransport(url, timeoutMs, tls);
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
      httpAnswer(url, response.status);
    },
    close() {},
  };
}

/** OTLP/HTTP over TLS with a backend's own CA, client certificate or server name: node's https, one keep-alive agent. */
function createHttpsTransport(url: URL, timeoutMs: number, tls: OtlpTls): OtlpTransport {
  const material = lazyTls(tls);
  let agent: https.Agent | undefined;
  return {
    async send(request, signal) {
      agent ??= new https.Agent({ keepAlive: true, ...(await material()) });
      const status = await new Promise<number>((resolve, reject) => {
        const req = https.request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': request.byteLength }, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) },
          (res) => {
            // Read the answer whole so the connection goes back to the pool.
            res.on('data', () => {});
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(request);
      });
      httpAnswer(url, status);
    },
    close() {
      agent?.destroy();
    },
  };
}
