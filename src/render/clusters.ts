/**
 * The clusters meshlog's loggers send to: `meshlog_agent` (gRPC ALS to the agent) and one
 * `meshlog_otel_<host>_<port>` per OTLP/gRPC endpoint. Both speak HTTP/2 (gRPC), are STRICT_DNS
 * (an IP address resolves to itself) and connect within 5s, as Kuma's OTel clusters do.
 */
import { isIP } from 'node:net';
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

/** Envoy allows any cluster name; this keeps them readable in stats (`cluster.<name>.*`). */
export function otelClusterName(endpoint: Endpoint): string {
  return `meshlog_otel_${endpoint.host.replace(/[^A-Za-z0-9.-]/g, '_')}_${endpoint.port}`;
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
export function singleHostCluster(name: string, endpoint: Endpoint, http2: boolean, dns = true): Json {
  return {
    name,
    type: dns || !isIP(endpoint.host) ? 'STRICT_DNS' : 'STATIC',
    connect_timeout: '5s',
    ...(http2 ? { typed_extension_protocol_options: http2Options } : {}),
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(endpoint.host, endpoint.port) } }] }],
    },
  };
}

export function agentCluster(agent: Endpoint): Json {
  return singleHostCluster(agentClusterName, agent, true);
}
