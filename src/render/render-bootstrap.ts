/**
 * `renderBootstrap`: a complete Envoy bootstrap for one proxy, so that a user can start Envoy with
 * the access logging meshlog renders and see it work. Admin on 127.0.0.1:9901; a static listener
 * per inbound (on its address and port, to the application on `localhost:<servicePort>`) and per
 * outbound (on 127.0.0.1:<port>, to a DNS cluster named after the destination service), each
 * with its `access_log`; and the clusters the loggers need. The node names the proxy the way
 * kuma-dp does, so that meshlog's collector identifies its ALS streams with the right tags.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { ProxyLogConfig } from '../policy/types.js';
import { buildAccessLogs, type RenderedListener, type RenderOptions } from './build-access-logs.js';
import { singleHostCluster, socketAddress } from './clusters.js';
import { assertEnvoyConfig, envoyTypes } from './config-check/check-envoy-config.js';
import type { Json } from './filters.js';
import { proxyService } from './placeholders.js';

export interface RenderedBootstrap {
  readonly bootstrap: Json;
  readonly warnings: string[];
}

const typePrefix = 'type.googleapis.com/';

export function renderBootstrap(config: ProxyLogConfig, records: readonly AccessLogRecordLike[], options: RenderOptions): RenderedBootstrap {
  const rendered = buildAccessLogs(config, records, options);
  const warnings = [...rendered.warnings];
  const clusters = new Map<string, Json>();
  for (const c of rendered.clusters) clusters.set(String(c['name']), c);
  const listeners = rendered.listeners.map((listener) => {
    const upstream = upstreamOf(config.proxy, listener);
    if (!clusters.has(upstream.name)) clusters.set(upstream.name, singleHostCluster(upstream.name, upstream, false, false));
    if (JSON.stringify(listener.access_log).includes('connection.uri_san_peer_certificate')) {
      warnings.push(`${listener.name}: the bootstrap listener does not terminate mTLS, so callers have no certificate and rules on callers never match`);
    }
    return listenerConfig(listener, upstream.name);
  });
  const bootstrap: Json = {
    node: nodeOf(config.proxy),
    admin: { address: socketAddress('127.0.0.1', 9901) },
    static_resources: { listeners, clusters: [...clusters.values()] },
  };
  assertEnvoyConfig(bootstrap, envoyTypes.bootstrap, '');
  return { bootstrap, warnings };
}

/** Inbound: the application on localhost (Kuma's `localhost:<port>` cluster). Outbound: the service by DNS. */
function upstreamOf(proxy: InventoryProxy, listener: RenderedListener): { name: string; host: string; port: number } {
  if (listener.direction === 'inbound') {
    const inbound = proxy.inbounds.find((i) => i.port === listener.port && i.address === listener.address);
    const port = inbound?.servicePort ?? listener.port;
    return { name: `localhost:${port}`, host: '127.0.0.1', port };
  }
  return { name: listener.service, host: listener.service, port: listener.port };
}

function statPrefix(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function listenerConfig(listener: RenderedListener, cluster: string): Json {
  const address = listener.direction === 'inbound' ? listener.address : '127.0.0.1';
  const accessLog = listener.access_log.length > 0 ? { access_log: listener.access_log } : {};
  const filter =
    listener.protocol === 'http'
      ? {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type': `${typePrefix}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
            stat_prefix: statPrefix(listener.name),
            route_config: {
              name: listener.name,
              virtual_hosts: [{ name: listener.service || 'default', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }],
            },
            http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': `${typePrefix}envoy.extensions.filters.http.router.v3.Router` } }],
            ...accessLog,
          },
        }
      : {
          name: 'envoy.filters.network.tcp_proxy',
          typed_config: {
            '@type': `${typePrefix}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
            stat_prefix: statPrefix(listener.name),
            cluster,
            ...accessLog,
          },
        };
  return { name: listener.name, address: socketAddress(address, listener.port), filter_chains: [{ filters: [filter] }] };
}

/** kuma-dp's node: `MESH.NAME`, the service as cluster, and the dataplane in the metadata. */
function nodeOf(proxy: InventoryProxy): Json {
  const dataplane = {
    networking: {
      address: proxy.address,
      inbound: proxy.inbounds.map((i) => ({ port: i.port, tags: i.tags })),
      ...(proxy.gatewayTags ? { gateway: { tags: proxy.gatewayTags } } : {}),
    },
  };
  return {
    id: proxy.id,
    cluster: proxyService(proxy),
    ...(proxy.zone ? { locality: { zone: proxy.zone } } : {}),
    metadata: {
      'dataplane.resource': JSON.stringify(dataplane),
      'dataplane.proxyType': proxy.type === 'gateway' ? 'gateway' : 'dataplane',
    },
  };
}
