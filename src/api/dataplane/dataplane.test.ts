/**
 * Dataplanes in both encodings (universal with `networking` at the top level), their problems,
 * and the inventory proxies they become.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import { normalizeDataplane } from './normalize.js';

function load(yaml: string) {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  return { resources: resources.map((r) => r.resource), problems: problems.map(formatProblem) };
}

describe('Dataplane', () => {
  it('reads a universal sidecar into an inventory proxy: listeners, protocols, zone', () => {
    const { resources, problems } = load(`type: Dataplane
mesh: default
name: web-01
networking:
  address: 10.0.0.5
  inbound:
    - port: 15001
      servicePort: 8080
      tags: {kuma.io/service: web, kuma.io/protocol: http, kuma.io/zone: zone-a, version: v2}
    - port: 15002
      address: 10.0.0.6
      tags: {kuma.io/service: web-admin}
  outbound:
    - port: 10001
      tags: {kuma.io/service: db, kuma.io/protocol: tcp}
    - port: 10002
      address: 127.0.0.2
      tags: {kuma.io/service: api, kuma.io/protocol: grpc}
    - port: 10003
      backendRef: {kind: MeshService, name: queue, port: 5672}
  transparentProxying: {redirectPortInbound: 15006}
`);
    expect(problems).toEqual([]);
    expect(normalizeDataplane(resources[0]!)).toEqual({
      id: 'default.web-01',
      mesh: 'default',
      name: 'web-01',
      type: 'sidecar',
      address: '10.0.0.5',
      zone: 'zone-a',
      inbounds: [
        {
          port: 15001,
          servicePort: 8080,
          address: '10.0.0.5',
          tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http', 'kuma.io/zone': 'zone-a', version: 'v2' },
          protocol: 'http',
        },
        { port: 15002, address: '10.0.0.6', tags: { 'kuma.io/service': 'web-admin' }, protocol: 'tcp' },
      ],
      outbounds: [
        { port: 10001, service: 'db', tags: { 'kuma.io/service': 'db', 'kuma.io/protocol': 'tcp' }, protocol: 'tcp' },
        { port: 10002, address: '127.0.0.2', service: 'api', tags: { 'kuma.io/service': 'api', 'kuma.io/protocol': 'grpc' }, protocol: 'http' },
        { port: 10003, service: 'queue', kind: 'MeshService', servicePort: 5672, tags: {}, protocol: 'tcp' },
      ],
      origin: 'Dataplane',
    });
  });

  it('reads a Kubernetes gateway dataplane (spec.networking)', () => {
    const { resources, problems } = load(`apiVersion: kuma.io/v1alpha1
kind: Dataplane
metadata:
  name: edge
  labels: {kuma.io/mesh: prod}
spec:
  networking:
    address: edge.internal
    gateway: {type: BUILTIN, tags: {kuma.io/service: edge-gateway, kuma.io/zone: east}}
`);
    expect(problems).toEqual([]);
    expect(normalizeDataplane(resources[0]!)).toMatchObject({
      id: 'prod.edge',
      type: 'gateway',
      zone: 'east',
      inbounds: [],
      gatewayTags: { 'kuma.io/service': 'edge-gateway', 'kuma.io/zone': 'east' },
    });
  });

  it('reports every problem', () => {
    const yaml = `type: Dataplane
mesh: default
name: bad
networking:
  address: "not an address"
  inbound:
    - port: 8080
      tags: {version: v1}
    - port: 8080
      tags: {kuma.io/service: web}
    - port: 70000
      tags: {kuma.io/service: ""}
  outbound:
    - port: 1
    - port: 2
      tags: {kuma.io/service: a}
      backendRef: {name: a}
  gateway: {tags: {}}
`;
    expect(load(yaml).problems).toEqual([
      'f.yaml:11:13 networking.inbound[2].port: must be at most 65535',
      'f.yaml:5:12 networking.address: "not an address" is not an IP address or host name',
      "f.yaml:7:5 networking.inbound: must not be set together with 'gateway'",
      'f.yaml:8:13 networking.inbound[0].tags["kuma.io/service"]: must be set',
      'f.yaml:9:13 networking.inbound[1].port: another inbound already listens on not an address:8080',
      'f.yaml:12:31 networking.inbound[2].tags["kuma.io/service"]: must be set',
      'f.yaml:14:7 networking.outbound[0].tags: must be set, with kuma.io/service',
      "f.yaml:17:19 networking.outbound[1].backendRef: must not be set together with 'tags'",
      'f.yaml:18:19 networking.gateway.tags["kuma.io/service"]: must be set',
    ]);
  });

  it('reports a dataplane with neither inbounds nor a gateway', () => {
    expect(load('type: Dataplane\nname: idle\nnetworking: {address: 10.0.0.1}\n').problems).toEqual([
      "f.yaml:3:13 networking: must have at least one 'inbound' or a 'gateway'",
    ]);
  });
});
