/**
 * How an encoded `ExportLogsServiceRequest` reaches an OTLP receiver: unary gRPC to `host:port`,
 * or OTLP/HTTP protobuf to an `http(s)://` URL. Each throws a `PermanentDeliveryError` for answers
 * that retrying cannot fix and a plain error for the ones OTLP calls retryable.
 *
 * Under the operator's policy, the receiver's name is resolved by meshlog and every address checked
 * before a connection is made (`guardedLookup`): the gRPC channel is then opened to the checked
 * address (with the name as its authority), and re-resolved after the receiver becomes unavailable.
 */
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { isHostPort, parseHostPort, parseHttpUrl } from '../shared/addresses.js';
import { PermanentDeliveryError } from '../shared/delivery-errors.js';
import { guardedLookup, literalAddressProblem, type SinkPolicy } from '../shared/destination-policy.js';
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

/** Where a transport connects: the backend's TLS (its own CA, client certificate, server name) and the operator's policy. */
export interface TransportOptions {
  readonly tls?: OtlpTls;
  readonly policy?: SinkPolicy;
}

export function createGrpcTransport(target: string, timeoutMs: number, reconnect: GrpcReconnect, options: TransportOptions = {}): OtlpTransport {
  const { policy } = options;
  const material = options.tls ? lazyTls(options.tls) : undefined;
  let client: grpc.Client | null = null;
  // The channel reconnects on its own backoff (up to 2 minutes by default); held to the sink's
  // retry policy, a receiver that comes back is used by the next retry rather than minutes later.
  const channelOptions: grpc.ChannelOptions = { 'grpc.initial_reconnect_backoff_ms': reconnect.initialMs, 'grpc.max_reconnect_backoff_ms': reconnect.maxMs };
  const channel = async (): Promise<grpc.Client> => {
    if (client) return client;
    const dialled = policy ? await resolveTarget(target, policy) : target;
    // A checked address is dialled with the name as its authority (and, over TLS, its server name).
    const authority = dialled !== target ? { 'grpc.default_authority': target } : {};
    if (!material) {
      client = new grpc.Client(dialled, grpc.credentials.createInsecure(), { ...channelOptions, ...authority });
      return client;
    }
    const m = await material();
    const credentials = grpc.credentials.createSsl(m.ca ?? null, m.key ?? null, m.cert ?? null, { rejectUnauthorized: m.rejectUnauthorized });
    const servername = m.servername ?? (dialled !== target ? parseHostPort(target)!.host : undefined);
    client ??= new grpc.Client(
      dialled,
      credentials,
      servername
        ? { ...channelOptions, ...authority, 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': m.servername ?? target }
        : { ...channelOptions, ...authority },
    );
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

/** OTLP/HTTP: 429, 408 and 5xx are retried (the receiver's fault or load); anything else is not. */
function httpAnswer(url: URL, status: number): Error | undefined {
  if (status >= 200 && status < 300) return undefined;
  const message = `OTLP/HTTP POST ${url.pathname} answered ${status}`;
  return status === 429 || status === 408 || status >= 500 ? new Error(message) : new PermanentDeliveryError(message);
}

/** OTLP/HTTP(S) with one keep-alive agent: the backend's TLS material when it has some, names resolved under the operator's policy. */
export function createHttpTransport(url: URL, timeoutMs: number, options: TransportOptions = {}): OtlpTransport {
  const { policy } = options;
  const secure = url.protocol === 'https:';
  const material = options.tls && secure ? lazyTls(options.tls) : undefined;
  let agent: http.Agent | undefined;
  const client = secure ? https : http;
  const lookup = policy ? guardedLookup(policy) : undefined;
  const refused = literalAddressProblem(url.hostname, policy);
  return {
    async send(request, signal) {
      if (refused) throw new PermanentDeliveryError(`Refusing to connect: ${refused}.`);
      agent ??= secure ? new https.Agent({ keepAlive: true, ...(material ? await material() : {}) }) : new http.Agent({ keepAlive: true });
      const status = await new Promise<number>((resolve, reject) => {
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
            response.once('end', () => resolve(response.statusCode ?? 0));
          },
        );
        req.once('error', reject);
        req.end(request);
      });
      const error = httpAnswer(url, status);
      if (error) throw error;
    },
    close: () => agent?.destroy(),
  };
}
