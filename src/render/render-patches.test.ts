/**
 * `render -o envoyfilter` and `-o meshproxypatch` produce objects their meshes accept (Istio's
 * EnvoyFilter schema from `@kubernetes-models/istio`; Kuma's MeshProxyPatch shape, with values that
 * are Envoy config checked against Envoy's protos), and the Istio fixes: discovered proxies match
 * any inbound cluster, and workloads are selected by `app`/`version` only.
 */
import { EnvoyFilter } from '@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { InventoryProxy } from '../api/dataplane/model.js';
import { checkEnvoyConfig, envoyTypes } from './config-check/check-envoy-config.js';
import { renderIstio } from './render-istio.js';
import { renderEnvoyFilter, renderMeshProxyPatch } from './render-patches.js';
import { glooRecord, httpInbound, httpOutbound, options, proxy, proxyConfig, rule, tcpOutbound } from './testing/fixtures.js';

const config = proxyConfig({
  inbounds: [httpInbound([rule([{ type: 'file', path: '/dev/stdout' }])])],
  outbounds: [httpOutbound([rule([{ type: 'store' }])]), tcpOutbound([rule([{ type: 'file', path: '/tmp/tcp.log' }])])],
});

describe('render -o envoyfilter', () => {
  it('is an EnvoyFilter that Istio’s schema accepts, merging the loggers into each listener', () => {
    const { resources } = renderEnvoyFilter(config, [glooRecord], options);
    expect(resources).toHaveLength(1);
    const filter = new EnvoyFilter(resources[0] as never);
    expect(() => filter.validate()).not.toThrow();
    const patches = (resources[0] as any).spec.configPatches as any[];
    expect(patches.map((p) => `${p.applyTo} ${p.match.context} ${p.patch.operation}`)).toEqual([
      'CLUSTER SIDECAR_OUTBOUND ADD',
      'NETWORK_FILTER SIDECAR_INBOUND MERGE',
      'NETWORK_FILTER SIDECAR_OUTBOUND MERGE',
      'NETWORK_FILTER SIDECAR_OUTBOUND MERGE',
    ]);
    expect(patches.map((p) => p.patch.value.name)).toEqual([
      'meshlog_agent',
      'envoy.filters.network.http_connection_manager',
      'envoy.filters.network.http_connection_manager',
      'envoy.filters.network.tcp_proxy',
    ]);
    // Istio shares an outbound listener among the services on a port: each logger names its service.
    const outboundLog = patches[2].patch.value.typed_config.access_log[0];
    expect(JSON.stringify(outboundLog.filter)).toContain(
      'xds.cluster_name.matches(\\"^outbound\\\\\\\\|10001\\\\\\\\|[^|]*\\\\\\\\|backend(\\\\\\\\..*)?$\\")',
    );
    for (const p of patches.slice(1)) for (const log of p.patch.value.typed_config.access_log) expect(checkEnvoyConfig(log, envoyTypes.accessLog)).toEqual([]);
    expect((resources[0] as any).spec.workloadSelector).toEqual({ labels: { app: 'web', version: 'v1' } });
  });

  it('is nothing when nothing is logged', () => {
    expect(renderEnvoyFilter(proxyConfig({}), [], options).resources).toEqual([]);
  });
});

describe('render -o meshproxypatch', () => {
  it('is a MeshProxyPatch for the proxy’s service whose values are Envoy config', () => {
    const { resources, warnings } = renderMeshProxyPatch(config, [glooRecord], options);
    expect(warnings.filter((w) => /MeshProxyPatch/.test(w))).toEqual([]);
    const patch = resources[0] as any;
    expect(patch).toMatchObject({
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'MeshProxyPatch',
      metadata: { namespace: 'kuma-system', labels: { 'kuma.io/mesh': 'default' } },
    });
    expect(patch.spec.targetRef).toEqual({ kind: 'MeshSubset', tags: { 'kuma.io/service': 'web' } });
    const mods = patch.spec.default.appendModifications as any[];
    const clusters = mods.filter((m) => m.cluster);
    expect(clusters.map((m) => m.cluster.operation)).toEqual(['Add']);
    for (const m of clusters) expect(checkEnvoyConfig(parse(m.cluster.value), envoyTypes.cluster)).toEqual([]);
    const filters = mods.filter((m) => m.networkFilter).map((m) => m.networkFilter);
    expect(filters.map((f) => f.match)).toEqual([
      { name: 'envoy.filters.network.http_connection_manager', origin: 'inbound', listenerName: config.inbounds[0]!.name },
      { name: 'envoy.filters.network.http_connection_manager', origin: 'outbound', listenerTags: { 'kuma.io/service': 'backend' } },
      { name: 'envoy.filters.network.tcp_proxy', origin: 'outbound', listenerTags: { 'kuma.io/service': 'queue' } },
    ]);
    for (const f of filters) {
      // Only the fields Kuma's NetworkFilterMod has; the value is YAML Envoy config.
      expect(Object.keys(f).sort()).toEqual(['match', 'operation', 'value']);
      expect(f.operation).toBe('Patch');
      const value = parse(f.value);
      expect(value.typed_config.access_log.length).toBeGreaterThan(0);
      for (const log of value.typed_config.access_log) expect(checkEnvoyConfig(log, envoyTypes.accessLog)).toEqual([]);
    }
  });

  it('says when the proxy is not a Kuma dataplane', () => {
    const discovered: InventoryProxy = {
      ...proxy,
      origin: 'discovered',
      inbounds: [],
      identity: { flavor: 'istio', labels: {}, workload: { name: 'web', namespace: 'default', clusterName: '' } } as never,
    };
    expect(renderMeshProxyPatch({ ...config, proxy: discovered }, [], options).warnings).toContain(
      `${proxy.id} is not a Kuma dataplane (istio proxy): a MeshProxyPatch will not reach it`,
    );
  });
});

describe('render --istio for a proxy discovered from its logs', () => {
  const labels = {
    app: 'reviews',
    version: 'v2',
    'pod-template-hash': '6d9ccf5dcd',
    'security.istio.io/tlsMode': 'istio',
    'service.istio.io/canonical-name': 'reviews',
  };
  const discovered: InventoryProxy = {
    ...proxy,
    origin: 'discovered',
    inbounds: [{ port: 0, address: '10.28.3.23', protocol: 'http', tags: { 'kuma.io/service': 'reviews', ...labels } }],
    identity: { flavor: 'istio', labels, workload: { name: 'reviews-v2', namespace: 'bookinfo', clusterName: 'c1' } } as never,
  };
  const rendered = renderIstio(
    { proxy: discovered, inbounds: [{ ...httpInbound([rule([{ type: 'store' }])]), port: 0 }], outbounds: [], errors: [] },
    [],
    options,
  );
  const telemetry = rendered.resources[0] as any;

  it('selects the workload by app and version, not by every injected label', () => {
    expect(telemetry.spec.selector).toEqual({ matchLabels: { app: 'reviews', version: 'v2' } });
    expect(telemetry.metadata).toEqual({ name: 'meshlog-reviews-v2', namespace: 'bookinfo' });
  });

  it('matches any inbound cluster when the port is not known, never inbound|0|', () => {
    const expression = telemetry.spec.accessLogging[0].filter?.expression ?? '';
    expect(expression).toContain('xds.cluster_name.startsWith("inbound|")');
    expect(expression).not.toContain('inbound|0|');
  });
});
