/**
 * Hand-built `ProxyLogConfig`s for the render tests and goldens: the unit boundary is the resolved
 * policy, so these stand in for what the policy engine produces.
 */

import type { AccessLogRecordLike } from '../../api/access-log-record/model.js';
import type { InventoryProxy } from '../../api/dataplane/model.js';
import type { RouteResource } from '../../api/mesh-http-route/model.js';
import type { BackendConfig, TargetRef } from '../../api/shared/model.js';
import type { ListenerLogConfig, ProxyLogConfig, ResolvedBackend, ResolvedRule } from '../../policy/types.js';
import type { RenderOptions } from '../build-access-logs.js';

export const options: RenderOptions = { agent: { clusterName: 'cluster-1', address: 'meshlog-agent.meshlog', port: 9977 } };

export const proxy: InventoryProxy = {
  id: 'default.web-7d9f-abcde',
  mesh: 'default',
  name: 'web-7d9f-abcde',
  type: 'sidecar',
  address: '10.0.0.5',
  zone: 'zone-1',
  inbounds: [
    { port: 8080, servicePort: 80, address: '10.0.0.5', protocol: 'http', tags: { 'kuma.io/service': 'web', app: 'web', version: 'v1' } },
    { port: 5432, address: '10.0.0.5', protocol: 'tcp', tags: { 'kuma.io/service': 'web-db', app: 'web' } },
  ],
  outbounds: [
    { port: 10001, service: 'backend', protocol: 'http', tags: { 'kuma.io/service': 'backend' } },
    { port: 10002, service: 'queue', protocol: 'tcp', tags: { 'kuma.io/service': 'queue' } },
  ],
  origin: 'Dataplane',
};

export function backend(config: BackendConfig): ResolvedBackend {
  return { ...config, source: { kind: 'inline' } };
}

export function rule(backends: BackendConfig[], extra: Partial<Omit<ResolvedRule, 'backends'>> = {}): ResolvedRule {
  return { from: { kind: 'Mesh' }, policies: [], ...extra, backends: backends.map(backend) };
}

export const mesh: TargetRef = { kind: 'Mesh' };

export const httpInbound = (rules: ResolvedRule[]): ListenerLogConfig => ({
  direction: 'inbound',
  name: 'inbound:10.0.0.5:8080',
  address: '10.0.0.5',
  port: 8080,
  protocol: 'http',
  service: 'web',
  tags: proxy.inbounds[0]!.tags,
  rules,
});

export const tcpInbound = (rules: ResolvedRule[]): ListenerLogConfig => ({
  direction: 'inbound',
  name: 'inbound:10.0.0.5:5432',
  address: '10.0.0.5',
  port: 5432,
  protocol: 'tcp',
  service: 'web-db',
  tags: proxy.inbounds[1]!.tags,
  rules,
});

export const httpOutbound = (rules: ResolvedRule[]): ListenerLogConfig => ({
  direction: 'outbound',
  name: 'outbound:backend',
  address: '127.0.0.1',
  port: 10001,
  protocol: 'http',
  service: 'backend',
  tags: { 'kuma.io/service': 'backend' },
  rules: rules.map(({ from: _from, ...r }) => r),
});

export const tcpOutbound = (rules: ResolvedRule[]): ListenerLogConfig => ({
  direction: 'outbound',
  name: 'outbound:queue',
  address: '127.0.0.1',
  port: 10002,
  protocol: 'tcp',
  service: 'queue',
  tags: { 'kuma.io/service': 'queue' },
  rules: rules.map(({ from: _from, ...r }) => r),
});

export function proxyConfig(listeners: { inbounds?: ListenerLogConfig[]; outbounds?: ListenerLogConfig[]; errors?: string[] }): ProxyLogConfig {
  return { proxy, inbounds: listeners.inbounds ?? [], outbounds: listeners.outbounds ?? [], errors: listeners.errors ?? [] };
}

export function route(name: string, matches: RouteResource['matches']): RouteResource {
  return { kind: 'MeshHTTPRoute', name, mesh: 'default', targetRef: mesh, matches };
}

export const glooRecord: AccessLogRecordLike = {
  name: 'access-log-all',
  namespace: 'gloo-mesh',
  spec: {
    filters: [{ headerMatcher: { name: 'foo', value: 'bar' } }, { statusCodeMatcher: { value: 500, comparator: 'GE' } }],
    includedRequestHeaders: ['foo', 'X-Request-Id'],
    includedResponseHeaders: ['Content-Type'],
  },
};
