/**
 * The destination kinds and the builtin gateway as inventory: what they accept, what they refuse,
 * and what the engine reads from them.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import { normalizeMeshExternalService } from '../mesh-external-service/index.js';
import { normalizeMeshGateway } from '../mesh-gateway/index.js';
import { normalizeMeshMultiZoneService } from '../mesh-multi-zone-service/index.js';
import { normalizeMeshService } from './normalize.js';

function load(yaml: string) {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  return { resources: resources.map((r) => r.resource), problems: problems.map(formatProblem) };
}

describe('MeshService, MeshExternalService, MeshMultiZoneService, MeshGateway', () => {
  it("reads each as the engine matches it: ports and protocols, labels with Kuma's own, selectors, listeners", () => {
    const { resources, problems } = load(`apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata: {name: backend, labels: {kuma.io/mesh: shop, k8s.kuma.io/namespace: kuma-demo, team: core}}
spec:
  selector: {dataplaneTags: {app: backend}}
  ports: [{name: http, port: 80, targetPort: 8080, appProtocol: http}, {port: 9901, targetPort: admin}]
---
type: MeshExternalService
mesh: shop
name: httpbin
spec: {match: {type: HostnameGenerator, port: 443, protocol: http2}, endpoints: [{address: httpbin.org, port: 443}]}
---
type: MeshMultiZoneService
mesh: shop
name: checkout
spec: {selector: {meshService: {matchLabels: {app: checkout}}}, ports: [{name: grpc, port: 9000, appProtocol: grpc}]}
---
type: MeshGateway
mesh: shop
name: edge
tags: {kuma.io/zone: east}
selectors: [{match: {kuma.io/service: edge}}]
conf: {listeners: [{port: 443, protocol: HTTPS, hostname: shop.example.com, tags: {name: https}}, {port: 5432, protocol: TCP}]}
`);
    expect(problems).toEqual([]);
    expect(normalizeMeshService(resources[0]!)).toEqual({
      kind: 'MeshService',
      name: 'backend',
      mesh: 'shop',
      namespace: 'kuma-demo',
      labels: { 'kuma.io/display-name': 'backend', 'kuma.io/mesh': 'shop', 'k8s.kuma.io/namespace': 'kuma-demo', team: 'core' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'http' },
        { port: 9901, targetPort: 'admin', protocol: 'tcp' },
      ],
      dataplaneTags: { app: 'backend' },
    });
    expect(normalizeMeshExternalService(resources[1]!)).toMatchObject({
      kind: 'MeshExternalService',
      ports: [{ port: 443, protocol: 'http' }],
      endpoints: [{ address: 'httpbin.org', port: 443 }],
    });
    expect(normalizeMeshMultiZoneService(resources[2]!)).toMatchObject({
      kind: 'MeshMultiZoneService',
      ports: [{ name: 'grpc', port: 9000, protocol: 'http' }],
      serviceLabels: { app: 'checkout' },
    });
    expect(normalizeMeshGateway(resources[3]!)).toEqual({
      name: 'edge',
      mesh: 'shop',
      selectors: [{ 'kuma.io/service': 'edge' }],
      listeners: [
        { port: 443, protocol: 'http', hostname: 'shop.example.com', tags: { 'kuma.io/zone': 'east', name: 'https' } },
        { port: 5432, protocol: 'tcp', hostname: '*', tags: { 'kuma.io/zone': 'east' } },
      ],
    });
  });

  it('reports every problem', () => {
    const { problems } = load(`type: MeshService
name: a
spec:
  selector: {dataplaneTags: {app: a}, dataplaneRef: {name: a-1}}
  ports: [{name: http, port: 0}, {name: http, port: 80, targetPort: 70000}, {port: 80}]
---
type: MeshExternalService
name: b
spec: {match: {port: 99999}, endpoints: [{address: ""}]}
---
type: MeshMultiZoneService
name: c
spec: {selector: {meshService: {matchLabels: {}}}, ports: []}
---
type: MeshGateway
name: d
selectors: []
conf: {listeners: [{port: 80, protocol: HTTP}, {port: 80, protocol: HTTP}, {port: 81, protocol: QUIC}]}
`);
    expect(problems).toEqual([
      "f.yaml:4:13 spec.selector: must have exactly one of 'dataplaneTags' and 'dataplaneRef'",
      'f.yaml:5:30 spec.ports[0].port: port must be in the range [1, 65535]',
      'f.yaml:5:69 spec.ports[1].targetPort: port must be in the range [1, 65535]',
      'f.yaml:5:41 spec.ports[1].name: port name "http" is used twice',
      'f.yaml:5:84 spec.ports[2].port: port 80 is listed twice',
      'f.yaml:9:22 spec.match.port: port must be in the range [1, 65535]',
      'f.yaml:9:52 spec.endpoints[0].address: must not be empty',
      'f.yaml:13:46 spec.selector.meshService.matchLabels: must have at least one label',
      'f.yaml:18:97 conf.listeners[2].protocol: must be one of HTTP, HTTPS, TCP, TLS',
      'f.yaml:17:12 selectors: must have at least one selector',
      'f.yaml:18:48 conf.listeners[1]: another listener already takes port 80 for hostname *',
    ]);
  });
});
