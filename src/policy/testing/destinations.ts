/**
 * Destination resources the policy tests and the routing tests share: a MeshService with two
 * ports (namespace `shop`), a MeshExternalService and a MeshMultiZoneService, in mesh `default`,
 * as YAML documents to append to a test's own (it starts with `---`).
 */
export const destinationsYaml = `---
type: MeshService
mesh: default
name: backend
labels: {team: core, k8s.kuma.io/namespace: shop}
spec:
  selector: {dataplaneTags: {kuma.io/service: backend}}
  ports: [{name: http, port: 8080, appProtocol: http}, {name: admin, port: 9901}]
---
type: MeshExternalService
mesh: default
name: httpbin
labels: {team: payments}
spec:
  match: {port: 443, protocol: http}
  endpoints: [{address: httpbin.org, port: 443}]
---
type: MeshMultiZoneService
mesh: default
name: checkout
labels: {team: core}
spec:
  selector: {meshService: {matchLabels: {app: checkout}}}
  ports: [{name: http, port: 80}]
`;
