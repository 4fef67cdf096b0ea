/**
 * The policy engine with each targetRef kind Kuma 2.14 ships, from resources as a user writes
 * them: which proxies, inbounds and destinations each selects, and what the backends resolve to.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../api/load-yaml.js';
import { buildPolicyContext, type PolicyContext } from './policy-context.js';
import { resolveOutbound, resolveProxy, resolveProxyForInspection } from './resolve.js';
import { destinationsYaml as services } from './testing/destinations.js';
import type { ListenerLogConfig } from './types.js';

function context(yaml: string): PolicyContext {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  expect(problems.map(formatProblem)).toEqual([]);
  return buildPolicyContext(resources.map((r) => r.resource));
}

function proxy(c: PolicyContext, name: string) {
  const found = c.proxies.find((p) => p.name === name);
  if (!found) throw new Error(`no proxy ${name}`);
  return found;
}

/** Each rule's backends as `file:/path` (or `otel:endpoint`), most specific rule first. */
function shown(listener: ListenerLogConfig): string[][] {
  return listener.rules.map((r) => r.backends.map((b) => (b.type === 'file' ? `file:${b.path}` : b.type === 'openTelemetry' ? `otel:${b.endpoint}` : b.type)));
}

/** The inbounds of a proxy that log anything, by port, with their backends. */
function inbounds(c: PolicyContext, name: string): Record<string, string[][]> {
  const config = resolveProxy(c.set, proxy(c, name));
  return Object.fromEntries(config.inbounds.filter((l) => l.rules.length > 0).map((l) => [l.port, shown(l)]));
}

const file = (path: string) => `{default: {backends: [{type: File, file: {path: ${path}}}]}}`;
const policy = (name: string, spec: string) => `---\ntype: MeshAccessLog\nmesh: default\nname: ${name}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

const dataplanes = `type: Dataplane
mesh: default
name: web-1
labels: {app: web, k8s.kuma.io/namespace: shop}
networking:
  address: 10.0.0.1
  inbound:
    - {port: 8080, name: http, tags: {kuma.io/service: web, kuma.io/protocol: http}}
    - {port: 9090, name: metrics, tags: {kuma.io/service: web-metrics}}
  outbound:
    - {port: 10001, backendRef: {kind: MeshService, name: backend, port: 8080}}
    - {port: 10002, backendRef: {kind: MeshExternalService, name: httpbin}}
    - {port: 10003, backendRef: {kind: MeshMultiZoneService, name: checkout}}
---
type: Dataplane
mesh: default
name: web-2
labels: {app: web}
networking:
  address: 10.0.0.2
  inbound: [{port: 8080, tags: {kuma.io/service: web, kuma.io/protocol: http}}]
---
type: Dataplane
mesh: default
name: edge-1
networking:
  address: 10.0.0.9
  gateway: {type: BUILTIN, tags: {kuma.io/service: edge}}
---
type: Dataplane
mesh: default
name: legacy-gw
networking:
  address: 10.0.0.10
  gateway: {type: DELEGATED, tags: {kuma.io/service: legacy}}
---
type: MeshGateway
mesh: default
name: edge-gateway
selectors: [{match: {kuma.io/service: edge}}]
conf:
  listeners:
    - {port: 80, protocol: HTTP, tags: {listener: web}}
    - {port: 5432, protocol: TCP}
`;

describe('top-level targets', () => {
  it('Dataplane: by name (and namespace), by labels, or all; sectionName narrows to one inbound, by name or port', () => {
    const c = context(
      dataplanes +
        policy('by-name', `targetRef: {kind: Dataplane, name: web-1, namespace: shop}\nfrom: [{targetRef: {kind: Mesh}, ${file('/by-name').slice(1, -1)}}]`) +
        policy('by-labels', `targetRef: {kind: Dataplane, labels: {app: web}, sectionName: "8080"}\nrules: [${file('/by-labels')}]`) +
        policy('by-section', `targetRef: {kind: Dataplane, sectionName: metrics}\nrules: [${file('/metrics')}]`),
    );
    // One caller condition (everyone): the entries merge, the most specific target winning.
    expect(inbounds(c, 'web-1')).toEqual({ 8080: [['file:/by-labels']], 9090: [['file:/metrics']] });
    const web1 = resolveProxy(c.set, proxy(c, 'web-1'));
    expect(web1.inbounds.map((l) => l.rules[0]!.policies.map((p) => p.policy))).toEqual([
      ['by-name', 'by-labels'],
      ['by-name', 'by-section'],
    ]);
    expect(inbounds(c, 'web-2')).toEqual({ 8080: [['file:/by-labels']] });
  });

  it('ranks a Dataplane with a sectionName above one without, whatever the names', () => {
    const c = context(
      dataplanes +
        policy(
          'a',
          `targetRef: {kind: Dataplane, name: web-1}\nto: [{targetRef: {kind: Mesh}, ${file('/a').slice(1, -1)}}]\nfrom: [{targetRef: {kind: Mesh}, ${file('/a').slice(1, -1)}}]`,
        ) +
        policy('z', `targetRef: {kind: Dataplane, name: web-1, sectionName: http}\nfrom: [{targetRef: {kind: Mesh}, ${file('/z').slice(1, -1)}}]`),
    );
    expect(inbounds(c, 'web-1')).toEqual({ 8080: [['file:/z']], 9090: [['file:/a']] });
  });

  it('proxyTypes: a Mesh or MeshSubset target takes only sidecars, or only gateways', () => {
    const c = context(
      dataplanes +
        policy('sidecars', `targetRef: {kind: Mesh, proxyTypes: [Sidecar]}\nrules: [${file('/sidecars')}]`) +
        policy('gateways', `targetRef: {kind: MeshSubset, tags: {kuma.io/service: edge}, proxyTypes: [Gateway]}\nrules: [${file('/gateways')}]`),
    );
    expect(inbounds(c, 'web-2')).toEqual({ 8080: [['file:/sidecars']] });
    expect(inbounds(c, 'edge-1')).toEqual({ 80: [['file:/gateways']], 5432: [['file:/gateways']] });
    expect(inbounds(c, 'legacy-gw')).toEqual({});
  });

  it('MeshGateway: the gateway dataplanes its resource selects, on each of its listeners; a gateway with no resource, by its service tag', () => {
    const c = context(
      dataplanes +
        policy(
          'edge',
          `targetRef: {kind: MeshGateway, name: edge-gateway}\nfrom: [{targetRef: {kind: Mesh}, ${file('/edge').slice(1, -1)}}]\nto: [{targetRef: {kind: Mesh}, ${file('/edge-out').slice(1, -1)}}]`,
        ) +
        policy('legacy', `targetRef: {kind: MeshGateway, name: legacy}\nrules: [${file('/legacy')}]`),
    );
    const edge = resolveProxy(c.set, proxy(c, 'edge-1'));
    expect(edge.inbounds.map((l) => [l.name, l.protocol, l.tags['listener'] ?? '-'])).toEqual([
      ['inbound:10.0.0.9:80', 'http', 'web'],
      ['inbound:10.0.0.9:5432', 'tcp', '-'],
    ]);
    expect(edge.inbounds.map(shown)).toEqual([[['file:/edge']], [['file:/edge']]]);
    expect(shown(resolveOutbound(c.set, proxy(c, 'edge-1'), { service: 'anything' }).listener)).toEqual([['file:/edge-out']]);
    expect(inbounds(c, 'legacy-gw')).toEqual({ 0: [['file:/legacy']] });
    expect(inbounds(c, 'web-1')).toEqual({});
  });

  it('MeshService: the inbounds a MeshService resource fronts (by labels, one port by sectionName), or a service known by its tag', () => {
    const c = context(
      `${dataplanes}---
type: MeshService
mesh: default
name: web
labels: {team: frontend}
spec:
  selector: {dataplaneTags: {kuma.io/service: web}}
  ports: [{name: http, port: 80, targetPort: 8080, appProtocol: http}]
` +
        policy('by-labels', `targetRef: {kind: MeshService, labels: {team: frontend}, sectionName: http}\nrules: [${file('/team')}]`) +
        policy('by-tag', `targetRef: {kind: MeshService, name: web-metrics}\nrules: [${file('/tag')}]`),
    );
    expect(inbounds(c, 'web-1')).toEqual({ 8080: [['file:/team']], 9090: [['file:/tag']] });
    expect(inbounds(c, 'web-2')).toEqual({ 8080: [['file:/team']] });
  });
});

describe('to targets', () => {
  it('MeshService by name and namespace, by labels, one port by sectionName; MeshExternalService; MeshMultiZoneService by labels', () => {
    const c = context(
      dataplanes +
        services +
        policy(
          'out',
          `to:
  - {targetRef: {kind: Mesh}, default: {backends: [{type: File, file: {path: /mesh}}]}}
  - {targetRef: {kind: MeshService, name: backend, namespace: shop}, default: {backends: [{type: File, file: {path: /backend}}]}}
  - {targetRef: {kind: MeshService, labels: {team: core}, sectionName: http}, default: {backends: [{type: File, file: {path: /backend-http}}]}}
  - {targetRef: {kind: MeshExternalService, name: httpbin}, default: {backends: [{type: File, file: {path: /external}}]}}
  - {targetRef: {kind: MeshMultiZoneService, labels: {team: core}}, default: {backends: [{type: File, file: {path: /multizone}}]}}`,
        ),
    );
    const config = resolveProxy(c.set, proxy(c, 'web-1'));
    expect(config.outbounds.map((l) => [l.destinationKind, l.service, shown(l)])).toEqual([
      ['MeshService', 'backend', [['file:/backend-http']]],
      ['MeshExternalService', 'httpbin', [['file:/external']]],
      ['MeshMultiZoneService', 'checkout', [['file:/multizone']]],
    ]);
    const admin = resolveOutbound(c.set, proxy(c, 'web-1'), { service: 'backend', servicePort: 9901 }).listener;
    expect(shown(admin)).toEqual([['file:/backend']]);
    expect(shown(resolveOutbound(c.set, proxy(c, 'web-1'), { service: 'orders' }).listener)).toEqual([['file:/mesh']]);
    // A service known only by its tag has Kuma's labels: its name and mesh.
    expect(
      shown(
        resolveOutbound(
          context(dataplanes + policy('tag', 'to: [{targetRef: {kind: MeshService, labels: {kuma.io/display-name: orders}}, default: {backends: []}}]')).set,
          proxy(c, 'web-1'),
          { service: 'orders' },
        ).listener,
      ),
    ).toEqual([[]]);
  });

  it("MeshHTTPRoute: the route routes this proxy to the destination; its conf replaces the destination's for the requests it takes", () => {
    const c = context(
      `${dataplanes}${services}---
type: MeshHTTPRoute
mesh: default
name: backend-api
spec:
  targetRef: {kind: Dataplane, labels: {app: web}}
  to:
    - targetRef: {kind: MeshService, name: backend}
      rules: [{matches: [{path: {type: PathPrefix, value: /api}}]}]
---
type: MeshHTTPRoute
mesh: default
name: health
spec:
  to:
    - targetRef: {kind: MeshService, name: backend}
      rules: [{matches: [{path: {type: Exact, value: /healthz}}]}]
` +
        policy(
          'routes',
          `to:
  - {targetRef: {kind: MeshService, name: backend}, default: {backends: [{type: File, file: {path: /backend}}]}}
  - {targetRef: {kind: MeshHTTPRoute, name: backend-api}, default: {backends: [{type: File, file: {path: /api}}]}}
  - {targetRef: {kind: MeshHTTPRoute, labels: {kuma.io/display-name: health}}, default: {backends: []}}`,
        ),
    );
    const backend = resolveProxy(c.set, proxy(c, 'web-1')).outbounds[0]!;
    expect(backend.rules.map((r) => r.route?.name ?? '(service)')).toEqual(['backend-api', 'health', '(service)']);
    expect(shown(backend)).toEqual([['file:/api'], [], ['file:/backend']]);
    expect(shown(resolveProxy(c.set, proxy(c, 'web-1')).outbounds[1]!)).toEqual([]);
  });

  it('inspects a proxy without declared outbounds per destination a policy names, ports included', () => {
    const c = context(
      `${dataplanes.replace(/ {2}outbound:\n(?: {4}- .*\n)+/, '')}${services}` +
        policy(
          'out',
          'to:\n  - {targetRef: {kind: MeshService, labels: {team: core}, sectionName: admin}, default: {backends: []}}\n  - {targetRef: {kind: MeshExternalService, name: httpbin}, default: {backends: []}}',
        ),
    );
    const config = resolveProxyForInspection(c.set, proxy(c, 'web-1'));
    expect(config.outbounds.map((l) => [l.name, l.destinationKind])).toEqual([
      ['outbound:backend:9901', 'MeshService'],
      ['outbound:httpbin', 'MeshExternalService'],
    ]);
  });
});

describe('OpenTelemetry backendRef', () => {
  const backends = `---
type: MeshOpenTelemetryBackend
mesh: default
name: zz-collector
labels: {team: obs}
spec: {endpoint: {address: otel.observability}, tls: {caFile: /etc/otel/ca.pem, serverName: otel.example.com}}
---
type: MeshOpenTelemetryBackend
mesh: default
name: aa-collector
labels: {team: obs}
spec: {endpoint: {address: otel-http.observability, port: 4318, path: /otlp}, protocol: http}
`;
  it('resolves by name or labels (the first by name) to the endpoint, protocol and TLS, keeping the body and attributes; a dangling one is left out and reported', () => {
    const c = context(
      dataplanes +
        backends +
        policy(
          'otel',
          `rules:
  - default:
      backends:
        - {type: OpenTelemetry, openTelemetry: {backendRef: {kind: MeshOpenTelemetryBackend, name: zz-collector}, attributes: [{key: mesh, value: "%KUMA_MESH%"}]}}
        - {type: OpenTelemetry, openTelemetry: {backendRef: {kind: MeshOpenTelemetryBackend, labels: {team: obs}}, body: "%RESPONSE_CODE%"}}
        - {type: OpenTelemetry, openTelemetry: {backendRef: {kind: MeshOpenTelemetryBackend, name: gone}}}`,
        ),
    );
    const config = resolveProxy(c.set, proxy(c, 'web-2'));
    expect(config.inbounds[0]!.rules[0]!.backends).toEqual([
      {
        type: 'openTelemetry',
        endpoint: 'otel.observability:4317',
        tls: { caFile: '/etc/otel/ca.pem', serverName: 'otel.example.com' },
        attributes: [{ key: 'mesh', value: '%KUMA_MESH%' }],
        source: { kind: 'MeshOpenTelemetryBackend', name: 'zz-collector', mesh: 'default', backendName: 'zz-collector' },
      },
      {
        type: 'openTelemetry',
        endpoint: 'http://otel-http.observability:4318/otlp/v1/logs',
        body: '%RESPONSE_CODE%',
        source: { kind: 'MeshOpenTelemetryBackend', name: 'aa-collector', mesh: 'default', backendName: 'aa-collector' },
      },
    ]);
    expect(config.errors).toEqual([
      'MeshAccessLog default/otel spec.rules[0].default.backends[2].openTelemetry.backendRef: MeshOpenTelemetryBackend "gone" not found in mesh "default"',
    ]);
  });
});
