/**
 * Every Kuma kind survives being written back (`encodeResource`) and read again, in both
 * encodings; and every resource that validates normalises without throwing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataplaneKind, normalizeDataplane } from '../dataplane/index.js';
import { findKind, kinds } from '../kinds.js';
import { formatProblem, loadResources } from '../load-yaml.js';
import { normalizeMeshLoggingBackends } from '../mesh/index.js';
import { normalizeMeshAccessLog } from '../mesh-access-log/index.js';
import { normalizeAccessLogBackend } from '../mesh-access-log-backend/index.js';
import { normalizeMeshExternalService } from '../mesh-external-service/index.js';
import { normalizeMeshGateway } from '../mesh-gateway/index.js';
import { normalizeRoute } from '../mesh-http-route/index.js';
import { normalizeMeshMultiZoneService } from '../mesh-multi-zone-service/index.js';
import { normalizeOtelBackend } from '../mesh-open-telemetry-backend/index.js';
import { normalizeMeshService } from '../mesh-service/index.js';
import { encodeResource, parseResource } from '../resource.js';
import type { Resource } from '../types.js';

const seedDir = new URL('../mesh-access-log/testdata/seed/', import.meta.url);
const seedResources = readdirSync(seedDir)
  .filter((f) => /^(0[0-6]|1[4-7])-/.test(f))
  .flatMap((f) => loadResources(readFileSync(new URL(f, seedDir), 'utf8'), f).resources.map((r) => r.resource));

const more = loadResources(
  `type: Dataplane
mesh: default
name: web-01
networking:
  address: 10.0.0.5
  inbound: [{port: 8080, tags: {kuma.io/service: web}}]
---
apiVersion: kuma.io/v1alpha1
kind: Dataplane
metadata: {name: web-02, labels: {kuma.io/mesh: default}}
spec:
  networking: {address: 10.0.0.6, inbound: [{port: 8080, tags: {kuma.io/service: web}}]}
---
type: MeshGatewayRoute
name: gw
selectors: [{match: {kuma.io/service: gw}}]
conf: {http: {rules: [{matches: [{path: {match: PREFIX, value: /}}]}]}}
---
type: Mesh
name: default
logging: {backends: [{name: s, store: {}}]}
---
type: GlobalAccessLogBackend
name: central
labels: {team: obs}
spec: {name: central, tcp: {address: "logs:5000"}}
---
apiVersion: kuma.io/v1alpha1
kind: MeshAccessLog
metadata: {name: kube, labels: {kuma.io/mesh: prod}}
spec: {rules: [{default: {backends: [{type: File, file: {path: /a}}]}}]}
---
apiVersion: kuma.io/v1alpha1
kind: MeshOpenTelemetryBackend
metadata: {name: collector, labels: {kuma.io/mesh: prod}}
spec: {endpoint: {address: otel.observability, port: 4318, path: /otlp}, protocol: http, tls: {caFile: /etc/ca.pem}}
---
type: MeshService
mesh: default
name: backend
spec: {selector: {dataplaneTags: {kuma.io/service: backend}}, ports: [{name: http, port: 8080, appProtocol: http}]}
---
apiVersion: kuma.io/v1alpha1
kind: MeshExternalService
metadata: {name: httpbin, labels: {kuma.io/mesh: default}}
spec: {match: {port: 443, protocol: http}, endpoints: [{address: httpbin.org, port: 443}]}
---
type: MeshMultiZoneService
mesh: default
name: checkout
spec: {selector: {meshService: {matchLabels: {app: checkout}}}, ports: [{port: 80}]}
---
type: MeshGateway
mesh: default
name: edge
selectors: [{match: {kuma.io/service: edge}}]
conf: {listeners: [{port: 80, protocol: HTTP}]}
`,
  'more.yaml',
);

const all: Resource[] = [...seedResources, ...more.resources.map((r) => r.resource)];

describe('Kuma kinds in both encodings', () => {
  it('loads the samples without problems, in both encodings', () => {
    expect(more.problems.map(formatProblem)).toEqual([]);
    expect(new Set(all.map((r) => r.kind))).toEqual(new Set(kinds.filter((k) => k.kind !== 'AccessLogRecord').map((k) => k.kind)));
    expect(new Set(all.map((r) => r.encoding))).toEqual(new Set(['kubernetes', 'universal']));
  });

  it.each(all.map((r) => [`${r.encoding} ${r.kind} ${r.scope}/${r.name}`, r] as const))('round-trips %s', (_name, resource) => {
    const kind = findKind(resource.kind)!;
    const encoded = encodeResource(resource, kind);
    const again = parseResource(JSON.parse(JSON.stringify(encoded)), kinds);
    expect(again.violations).toEqual([]);
    expect(again.resource).toEqual(resource);
  });

  it('writes a universal Dataplane as Kuma does: networking at the top level', () => {
    const dp = all.find((r) => r.kind === 'Dataplane' && r.encoding === 'universal')!;
    expect(Object.keys(encodeResource(dp, dataplaneKind))).toEqual(['type', 'name', 'mesh', 'networking']);
  });

  it('normalises every resource that validated', () => {
    for (const r of all) {
      const normalise: Record<string, (r: Resource) => unknown> = {
        MeshAccessLog: normalizeMeshAccessLog,
        MeshAccessLogBackend: normalizeAccessLogBackend,
        GlobalAccessLogBackend: normalizeAccessLogBackend,
        Mesh: normalizeMeshLoggingBackends,
        Dataplane: normalizeDataplane,
        MeshHTTPRoute: normalizeRoute,
        MeshGatewayRoute: normalizeRoute,
        MeshOpenTelemetryBackend: normalizeOtelBackend,
        MeshService: normalizeMeshService,
        MeshExternalService: normalizeMeshExternalService,
        MeshMultiZoneService: normalizeMeshMultiZoneService,
        MeshGateway: normalizeMeshGateway,
      };
      expect(() => normalise[r.kind]!(r), `${r.kind} ${r.name}`).not.toThrow();
    }
  });
});
