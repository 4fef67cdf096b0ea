/**
 * The same `access_log` config as pasteable patches for meshes that generate Envoy config
 * themselves: an Istio `EnvoyFilter` (`render -o envoyfilter`) and a Kuma `MeshProxyPatch`
 * (`render -o meshproxypatch`). Each adds the clusters the loggers send to (the meshlog agent, OTLP
 * collectors) and merges the loggers into the HTTP connection manager or TCP proxy of each
 * listener, next to the mesh's own. The Envoy pieces are the ones `renderAccessLogs` checked
 * against Envoy's protos.
 *
 * Istio shares one outbound listener among every service on a port, so each outbound logger also
 * gets a CEL filter on the upstream cluster (`outbound|PORT||SERVICE...`), as the `Telemetry` of
 * `--istio` does. Kuma's listeners are per service already: the patch matches them by name or tag.
 */

import { stringify } from 'yaml';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { ProxyLogConfig } from '../policy/types.js';
import type { RenderedListener, RenderOptions } from './build-access-logs.js';
import { assertEnvoyConfig, envoyTypes } from './config-check/check-envoy-config.js';
import { celFilter, type Json } from './filters.js';
import { renderAccessLogs } from './render-access-logs.js';
import { listenerCel, workloadLabels, workloadNamespace, workloadSlug } from './render-istio.js';

export interface RenderedPatches {
  readonly resources: Json[];
  readonly warnings: string[];
}

const hcm = 'envoy.filters.network.http_connection_manager';
const tcpProxy = 'envoy.filters.network.tcp_proxy';
const filterTypes = {
  http: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcp: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
} as const;

/** The network filter of a listener with only its `access_log` set: merged, it appends to the mesh's own loggers. */
function filterWith(listener: RenderedListener, accessLog: Json[]): Json {
  return { name: listener.protocol === 'http' ? hcm : tcpProxy, typed_config: { '@type': filterTypes[listener.protocol], access_log: accessLog } };
}

/** A logger that also requires `expression` to hold. */
function narrowed(log: Json, expression: string): Json {
  const cel = celFilter(expression);
  const filter = log['filter'] as Json | undefined;
  return { ...log, filter: filter ? { and_filter: { filters: [cel, filter] } } : cel };
}

export function renderEnvoyFilter(config: ProxyLogConfig, records: readonly AccessLogRecordLike[], options: RenderOptions): RenderedPatches {
  const rendered = renderAccessLogs(config, records, options);
  const byName = new Map([...config.inbounds, ...config.outbounds].map((l) => [l.name, l]));
  const configPatches: Json[] = rendered.clusters.map((cluster) => ({
    applyTo: 'CLUSTER',
    match: { context: 'SIDECAR_OUTBOUND' },
    patch: { operation: 'ADD', value: cluster },
  }));
  for (const listener of rendered.listeners) {
    if (listener.access_log.length === 0) continue;
    const source = byName.get(listener.name)!;
    const inbound = listener.direction === 'inbound';
    const logs = inbound ? listener.access_log : listener.access_log.map((log) => narrowed(log, listenerCel(source)));
    for (const [i, log] of logs.entries()) assertEnvoyConfig(log, envoyTypes.accessLog, `listeners[${JSON.stringify(listener.name)}].access_log[${i}]`);
    configPatches.push({
      applyTo: 'NETWORK_FILTER',
      match: {
        context: inbound ? 'SIDECAR_INBOUND' : 'SIDECAR_OUTBOUND',
        listener: {
          ...(listener.port > 0 ? { portNumber: listener.port } : {}),
          filterChain: { filter: { name: listener.protocol === 'http' ? hcm : tcpProxy } },
        },
      },
      patch: { operation: 'MERGE', value: filterWith(listener, logs) },
    });
  }
  const resources =
    configPatches.length === rendered.clusters.length
      ? []
      : [
          {
            apiVersion: 'networking.istio.io/v1alpha3',
            kind: 'EnvoyFilter',
            metadata: { name: `meshlog-${workloadSlug(config.proxy)}`, namespace: workloadNamespace(config.proxy) },
            spec: { workloadSelector: { labels: workloadLabels(config.proxy) }, configPatches },
          },
        ];
  return { resources, warnings: rendered.warnings };
}

export function renderMeshProxyPatch(config: ProxyLogConfig, records: readonly AccessLogRecordLike[], options: RenderOptions): RenderedPatches {
  const rendered = renderAccessLogs(config, records, options);
  const warnings = [...rendered.warnings];
  const proxy = config.proxy;
  if (proxy.origin === 'discovered' && proxy.identity?.flavor !== 'kuma')
    warnings.push(`${proxy.id} is not a Kuma dataplane (${proxy.identity?.flavor ?? 'unknown'} proxy): a MeshProxyPatch will not reach it`);
  const service = proxy.inbounds[0]?.tags['kuma.io/service'] ?? proxy.gatewayTags?.['kuma.io/service'];
  const appendModifications: Json[] = rendered.clusters.map((cluster) => ({ cluster: { operation: 'Add', value: stringify(cluster, { lineWidth: 0 }) } }));
  for (const listener of rendered.listeners) {
    if (listener.access_log.length === 0) continue;
    const inbound = listener.direction === 'inbound';
    appendModifications.push({
      networkFilter: {
        operation: 'Patch',
        match: {
          name: listener.protocol === 'http' ? hcm : tcpProxy,
          origin: listener.direction,
          // Inbound listeners are named as meshlog names them (`inbound:ADDRESS:PORT`); outbound ones carry the destination's tags.
          ...(inbound ? { listenerName: listener.name } : { listenerTags: { 'kuma.io/service': listener.service } }),
        },
        value: stringify(filterWith(listener, listener.access_log), { lineWidth: 0 }),
      },
    });
  }
  if (!service) warnings.push(`${proxy.id} has no kuma.io/service tag: the MeshProxyPatch targets the whole mesh`);
  const resources =
    appendModifications.length === rendered.clusters.length
      ? []
      : [
          {
            apiVersion: 'kuma.io/v1alpha1',
            kind: 'MeshProxyPatch',
            metadata: { name: `meshlog-${workloadSlug(proxy)}`, namespace: 'kuma-system', labels: { 'kuma.io/mesh': proxy.mesh } },
            spec: {
              targetRef: service ? { kind: 'MeshSubset', tags: { 'kuma.io/service': service } } : { kind: 'Mesh' },
              default: { appendModifications },
            },
          },
        ];
  return { resources, warnings };
}
