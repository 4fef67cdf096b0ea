/**
 * Kuma 2.14's target kinds on live traffic: entries from Kuma dataplanes and gateways, routed by
 * the same resolved rules `inspect` and `render` show (resources as a user writes them).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../../api/load-yaml.js';
import { decodeHttp, decodeTcp, socket } from '../../format/testing/sample-entries.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { buildPolicyContext } from '../../policy/index.js';
import { destinationsYaml } from '../../policy/testing/destinations.js';
import { createPolicyRouter } from './policy-router.js';

function kuma(instance: string, ip: string, extra: Partial<ProxyIdentity> = {}): ProxyIdentity {
  return {
    nodeId: `default.${instance}`,
    nodeCluster: instance,
    logName: 'als',
    flavor: 'kuma',
    proxyType: 'dataplane',
    workload: { name: instance, namespace: 'shop', clusterName: 'zone-1' },
    instance,
    ip,
    labels: {},
    mesh: 'default',
    apiVersion: 'v3',
    ...extra,
  };
}

const resources = `type: Dataplane
mesh: default
name: web-1
networking:
  address: 10.0.0.1
  inbound:
    - {port: 8080, name: http, tags: {kuma.io/service: web, kuma.io/protocol: http}}
    - {port: 9090, name: metrics, tags: {kuma.io/service: web-metrics}}
---
type: MeshGateway
mesh: default
name: edge-gateway
selectors: [{match: {kuma.io/service: edge}}]
conf: {listeners: [{port: 80, protocol: HTTP}, {port: 5432, protocol: TCP}]}
${destinationsYaml}---
type: MeshHTTPRoute
mesh: default
name: backend-api
spec:
  to: [{targetRef: {kind: MeshService, name: backend}, rules: [{matches: [{path: {type: PathPrefix, value: /api}}]}]}]
---
type: MeshAccessLog
mesh: default
name: metrics-section
spec:
  targetRef: {kind: Dataplane, name: web-1, sectionName: metrics}
  rules: [{default: {backends: [{type: File, file: {path: /var/log/metrics.log}}]}}]
---
type: MeshAccessLog
mesh: default
name: gateway
spec:
  targetRef: {kind: MeshGateway, name: edge-gateway}
  from: [{targetRef: {kind: Mesh}, default: {backends: [{type: File, file: {path: /var/log/edge.log}}]}}]
---
type: MeshAccessLog
mesh: default
name: out
spec:
  targetRef: {kind: Mesh, proxyTypes: [Sidecar]}
  to:
    - {targetRef: {kind: MeshService, labels: {team: core}, sectionName: http}, default: {backends: [{type: File, file: {path: /var/log/backend-http.log}}]}}
    - {targetRef: {kind: MeshExternalService, name: httpbin}, default: {backends: [{type: File, file: {path: /var/log/httpbin.log}}]}}
    - {targetRef: {kind: MeshHTTPRoute, name: backend-api}, default: {backends: [{type: File, file: {path: /var/log/api.log}}]}}
`;

function router() {
  const { resources: loaded, problems } = loadResources(resources, 'f.yaml');
  expect(problems.map(formatProblem)).toEqual([]);
  const context = buildPolicyContext(loaded.map((r) => r.resource));
  const r = createPolicyRouter();
  r.setPolicies(context.set, context.proxies);
  return r;
}

const web = kuma('web-1', '10.0.0.1');
const edge = kuma('edge-1', '10.0.0.9', { proxyType: 'gateway', labels: { 'kuma.io/service': 'edge' } });

function http(cluster: string, local: [string, number], path = '/') {
  return decodeHttp({
    commonProperties: { upstreamCluster: cluster, downstreamLocalAddress: socket(...local), upstreamRemoteAddress: socket('10.0.0.20', 8080) },
    request: { requestMethod: 1, path, authority: 'backend:8080' },
    response: { responseCode: { value: 200 } },
  });
}

const pathOf = (routed: { rule: { backends: readonly { type: string }[] } } | null) =>
  routed?.rule.backends.map((b) => ('path' in b ? b.path : b.type)) ?? null;

describe('policy router: Kuma 2.14 targets', () => {
  const r = router();

  it('logs one section of a Dataplane: its metrics inbound, not its http one', () => {
    expect(
      pathOf(r.route(web, 'tcp', decodeTcp({ commonProperties: { upstreamCluster: 'localhost:9090', downstreamLocalAddress: socket('10.0.0.1', 9090) } }))),
    ).toEqual(['/var/log/metrics.log']);
    expect(r.route(web, 'http', http('localhost:8080', ['10.0.0.1', 8080]))).toBeNull();
  });

  it("logs a MeshGateway's listeners, TCP and HTTP, and leaves the gateway out of a proxyTypes [Sidecar] policy", () => {
    expect(
      pathOf(r.route(edge, 'tcp', decodeTcp({ commonProperties: { upstreamCluster: 'localhost:5432', downstreamLocalAddress: socket('10.0.0.9', 5432) } }))),
    ).toEqual(['/var/log/edge.log']);
    expect(pathOf(r.route(edge, 'http', http('localhost:80', ['10.0.0.9', 80])))).toEqual(['/var/log/edge.log']);
    expect(r.route(edge, 'http', http('kri_msvc_default_zone-1_shop_backend_http', ['10.96.0.1', 8080]))).toBeNull();
  });

  it('takes the destination kind and port from Kuma cluster names: one port of a MeshService, a MeshExternalService', () => {
    expect(pathOf(r.route(web, 'http', http('kri_msvc_default_zone-1_shop_backend_http', ['10.96.0.1', 8080])))).toEqual(['/var/log/backend-http.log']);
    expect(r.route(web, 'http', http('kri_msvc_default_zone-1_shop_backend_admin', ['10.96.0.1', 9901]))).toBeNull();
    expect(pathOf(r.route(web, 'http', http('kri_extsvc_default_zone-1_shop_httpbin_443', ['10.96.0.2', 443])))).toEqual(['/var/log/httpbin.log']);
    // A MeshService named like the external service is not it.
    expect(r.route(web, 'http', http('kri_msvc_default_zone-1_shop_httpbin_443', ['10.96.0.2', 443]))).toBeNull();
  });

  it("applies a MeshHTTPRoute's conf to the requests the route takes", () => {
    expect(pathOf(r.route(web, 'http', http('kri_msvc_default_zone-1_shop_backend_http', ['10.96.0.1', 8080], '/api/orders')))).toEqual(['/var/log/api.log']);
    expect(pathOf(r.route(web, 'http', http('kri_msvc_default_zone-1_shop_backend_http', ['10.96.0.1', 8080], '/apis')))).toEqual([
      '/var/log/backend-http.log',
    ]);
  });
});
