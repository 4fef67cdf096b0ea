/**
 * How an encoded `ExportLogsServiceRequest` reaches an OTLP receiver: unary gRPC to `host:port`,
 * or OTLP/HTTP protobuf to an `http(s)://` URL. Each throws a `PermanentDeliveryError` for answers
 * that retrying cannot fix and a plain error for the ones OTLP calls retryable.
 *
 * Under the operator's policy, the receiver's name is resolved by meshlog and every address checked
 * before a connection is made (`guardedLookup`): the gRPC channel is then opened to the checked
 * address (with the name as its authority), and re-resolved after the receiver becomes unavailable.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import * as grpc from '@grpc/grpc-js';
import { PermanentDeliveryError } from '../shared/delivery-errors.js';
import { isHostPort, parseHostPort, parseHttpUrl } from '../shared/addresses.js';
import { guardedLookup, literalAddressProblem, type SinkPolicy } from '../shared/destination-policy.js';
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

/** The host an endpoint dials, as written (no brackets around IPv6). */
export function endpointHost(endpoint: OtlpEndpoint): string {
  return endpoint.protocol === 'grpc' ? parseHostPort(endpoint.target)!.host : endpoint.url.hostname.replace(/^\[|\]$/g, '');
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

/** `target` with its host replaced by an address the policy allows (resolved now). */
function resolveTarget(target: string, policy: SinkPolicy): Promise<string> {
  const { host, port } = parseHostPort(target)!;
  return new Promise((resolve, reject) => {
    guardedLookup(policy)(host, { all: true }, (err, addresses) => {
      if (err) return reject(err);
      const first = (addresses as unknown as LookupAddress[])[0]!;
      resolve(first.family === 6 ? `[${first.address}]:${port}` : `${first.address}:${port}`);
    });
  });
}

export function createGrpcTransport(target: string, timeoutMs: number, reconnect: GrpcReconnect, policy?: SinkPolicy): OtlpTransport {
  let client: grpc.Client | null = null;
  // The channel reconnects on its own backoff (up to 2 minutes by default); held to the sink's
  // retry policy, a receiver that comes back is used by the next retry rather than minutes later.
  const channel = async (): Promise<grpc.Client> => {
    if (client) return client;
    const dialled = policy ? await resolveTarget(target, policy) : target;
    client = new grpc.Client(dialled, grpc.credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': reconnect.initialMs,
      'grpc.max_reconnect_backoff_ms': reconnect.maxMs,
      ...(dialled !== target ? { 'grpc.default_authority': target } : {}),
    });
    return client;
  };
  return {
    async send(request, signal) {
      const c = await channel();
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
            // A receiver that went away may come back elsewhere: resolve its name again next time.
            if (policy && error.code === grpc.status.UNAVAILABLE && client === c) {
              client = null;
              c.close();
            }
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

export function createHttpTransport(url: URL, timeoutMs: number, policy?: SinkPolicy): OtlpTransport {
  const agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const client = url.protocol === 'https:' ? https : http;
  const lookup = policy ? guardedLookup(policy) : undefined;
  const refused = literalAddressProblem(url.hostname, policy);
  return {
    send(request, signal) {
      return new Promise((resolve, reject) => {
        if (refused) return reject(new PermanentDeliveryError(`Refusing to connect: ${refused}.`));
        const req = client.request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/x-protobuf', 'content-length': request.byteLength },
            signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
            ...(lookup ? { lookup } : {}),
          },
          (response) => {
            // Read the answer whole so the connection goes back to the pool.
            response.resume();
            response.once('error', reject);
            response.once('end', () => {
              const status = response.statusCode ?? 0;
              if (status >= 200 && status < 300) return resolve();
              const message = `OTLP/HTTP POST ${url.pathname} answered ${status}`;
              // OTLP/HTTP: 429, 502, 503 and 504 are retryable; other 5xx are retried too, they are the server's fault.
              reject(status === 429 || status === 408 || status >= 500 ? new Error(message) : new PermanentDeliveryError(message));
            });
          },
        );
        req.once('error', reject);
        req.end(request);
      });
    },
    close: () => agent.destroy(),
  };
}
