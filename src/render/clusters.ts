/**
 * The clusters meshlog's loggers send to: `meshlog_agent` (gRPC ALS to the agent) and one
 * `meshlog_otel_<host>_<port>` per OTLP/gRPC endpoint (with a TLS transport socket when its
 * `MeshOpenTelemetryBackend` asks for TLS). Both speak HTTP/2 (gRPC), are STRICT_DNS (an IP
 * address resolves to itself) and connect within 5s, as Kuma's OTel clusters do.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { type OtlpTls, parseOtlpEndpoint } from '../sinks/index.js';
import type { Json } from './filters.js';

export const agentClusterName = 'meshlog_agent';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** `host:port` or `[v6]:port`; undefined when there is no valid port. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: match[1]!, port };
}

/** An OpenTelemetry backend Envoy's logger can export to itself: OTLP/gRPC (a bare host at 4317), not OTLP/HTTP. */
export function otlpGrpcEndpoint(endpoint: string): Endpoint | undefined {
  const parsed = parseOtlpEndpoint(endpoint);
  return parsed?.protocol === 'grpc' ? parseEndpoint(parsed.target) : undefined;
}

/** Envoy allows any cluster name; this keeps them readable in stats (`cluster.<name>.*`). TLS clusters differ from plain ones. */
export function otelClusterName(endpoint: Endpoint, tls?: OtlpTls): string {
  const base = `meshlog_otel_${endpoint.host.replace(/[^A-Za-z0-9.-]/g, '_')}_${endpoint.port}`;
  if (!tls) return base;
  // Two backends with one endpoint and different TLS settings need two clusters.
  const settings = JSON.stringify([tls.caFile, tls.certFile, tls.keyFile, tls.serverName, tls.insecureSkipVerify]);
  return `${base}_tls_${createHash('sha256').update(settings).digest('hex').slice(0, 8)}`;
}

/** Where Envoy finds the system's CAs when a backend names none (Debian's and Envoy's images' bundle). */
export const systemCaBundle = '/etc/ssl/certs/ca-certificates.crt';

/** `envoy.transport_sockets.tls` for a backend's TLS settings: its CAs (or the system's), client certificate, SNI. */
export function tlsTransportSocket(tls: OtlpTls, host: string): Json {
  const common: Json = {};
  if (tls.insecureSkipVerify !== true) common['validation_context'] = { trusted_ca: { filename: tls.caFile ?? systemCaBundle } };
  if (tls.certFile && tls.keyFile) common['tls_certificates'] = [{ certificate_chain: { filename: tls.certFile }, private_key: { filename: tls.keyFile } }];
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: tls.serverName ?? host,
      common_tls_context: common,
    },
  };
}

const http2Options = {
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
    explicit_http_config: { http2_protocol_options: {} },
  },
};

export function socketAddress(host: string, port: number): Json {
  return { socket_address: { address: host, port_value: port } };
}

/** A cluster of one endpoint; `http2` for gRPC. `dns: false` makes an IP address a STATIC cluster. */
export function singleHostCluster(name: string, endpoint: Endpoint, http2: boolean, dns = true, tls?: OtlpTls): Json {
  return {
    name,
    type: dns || !isIP(endpoint.host) ? 'STRICT_DNS' : 'STATIC',
    connect_timeout: '5s',
    ...(http2 ? { typed_extension_protocol_options: http2Options } : {}),
    ...(tls ? { transport_socket: tlsTransportSocket(tls, endpoint.host) } : {}),
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(endpoint.host, endpoint.port) } }] }],
    },
  };
}

export function agentCluster(agent: Endpoint): Json {
  return singleHostCluster(agentClusterName, agent, true);
}
