/**
 * What the policy engine receives from each shape a MeshAccessLog is written in.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import type { Resource } from '../types.js';
import { normalizeMeshAccessLog } from './normalize.js';
import { backendReferenceSites } from './references.js';

function one(yaml: string): Resource {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  expect(problems.map(formatProblem)).toEqual([]);
  return resources[0]!.resource;
}

describe('normalizeMeshAccessLog', () => {
  it('reads the MADR shape: targets, inline backends of every kind, references, formats, filtering', () => {
    const policy = one(`apiVersion: kuma.io/v1alpha1
kind: MeshAccessLog
metadata:
  name: madr
  labels: {kuma.io/mesh: prod}
spec:
  targetRef: {kind: MeshServiceSubset, name: web, tags: {version: v2}}
  from:
    - targetRef: {kind: Mesh, name: default}
      default:
        filtering:
          headers:
            X-Request-Id: {op: present}
            ":status": {op: ge, value: "500"}
        backends:
          - file: {path: /var/log/web.log, format: {plain: "%START_TIME% %RESPONSE_CODE%", omitEmptyValues: true}}
          - tcp: {address: "logstash:5000", format: {json: [{key: status, value: "%RESPONSE_CODE%"}]}}
          - openTelemetry: {endpoint: "http://otel:4318/v1/logs", body: "%KUMA_MESH%", attributes: [{key: mesh, value: "%KUMA_MESH%"}]}
          - store: {}
          - reference: {kind: GlobalAccessLogBackend, name: central}
  to:
    - targetRef: {kind: MeshService, name: db}
      default: {backends: []}
`);
    expect(normalizeMeshAccessLog(policy)).toEqual({
      name: 'madr',
      mesh: 'prod',
      targetRef: { kind: 'MeshServiceSubset', name: 'web', tags: { version: 'v2' } },
      from: [
        {
          targetRef: { kind: 'Mesh' },
          default: {
            filtering: { headers: { 'x-request-id': { op: 'present' }, ':status': { op: 'ge', value: '500' } } },
            backends: [
              { type: 'file', path: '/var/log/web.log', format: { plain: '%START_TIME% %RESPONSE_CODE%', omitEmptyValues: true } },
              { type: 'tcp', address: 'logstash:5000', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } },
              { type: 'openTelemetry', endpoint: 'http://otel:4318/v1/logs', body: '%KUMA_MESH%', attributes: [{ key: 'mesh', value: '%KUMA_MESH%' }] },
              { type: 'store' },
              { type: 'reference', kind: 'GlobalAccessLogBackend', name: 'central' },
            ],
          },
        },
      ],
      fromSections: ['from'],
      to: [{ targetRef: { kind: 'MeshService', name: 'db' }, default: { backends: [] } }],
    });
  });

  it("reads the seed's alternative backend shapes: {name, type, conf}, {name, type: reference}, {name}", () => {
    const policy = one(`type: MeshAccessLog
mesh: default
name: seed
spec:
  targetRef: {kind: MeshService, name: web}
  from:
    - targetRef: {kind: MeshService, name: frontend}
      default:
        backends:
          - {name: logstash, type: tcp, conf: {address: "127.0.0.1:5000"}, format: {plain: "%PROTOCOL%"}}
          - {name: file, type: file, conf: {path: /tmp/a.log}}
          - {name: logstash, type: reference}
          - {type: reference, name: other}
          - {name: implicit}
`);
    expect(normalizeMeshAccessLog(policy).from[0]!.default.backends).toEqual([
      { type: 'tcp', address: '127.0.0.1:5000', format: { plain: '%PROTOCOL%' } },
      { type: 'file', path: '/tmp/a.log' },
      { type: 'reference', kind: 'MeshAccessLogBackend', name: 'logstash' },
      { type: 'reference', kind: 'MeshAccessLogBackend', name: 'other' },
      { type: 'reference', kind: 'MeshAccessLogBackend', name: 'implicit' },
    ]);
  });

  it('reads Kuma 2.x: no targetRef is Mesh, rules become Mesh entries with their matches, typed backends and formats', () => {
    const policy = one(`type: MeshAccessLog
mesh: default
name: kuma2
spec:
  rules:
    - matches:
        - spiffeID: {type: Exact, value: "spiffe://default/ns/clients/sa/client"}
        - sni: {type: Exact, value: backend.mesh}
      default:
        backends:
          - type: File
            file: {path: /tmp/specific.log, format: {type: Json, json: [{key: s, value: "%RESPONSE_CODE%"}]}}
    - default:
        backends:
          - type: Tcp
            tcp: {address: "logs:5000", format: {type: Plain, plain: "%START_TIME%"}}
          - type: OpenTelemetry
            openTelemetry: {endpoint: "otel:4317"}
`);
    expect(normalizeMeshAccessLog(policy)).toEqual({
      name: 'kuma2',
      mesh: 'default',
      targetRef: { kind: 'Mesh' },
      from: [
        {
          targetRef: { kind: 'Mesh' },
          matches: [{ spiffeID: { type: 'Exact', value: 'spiffe://default/ns/clients/sa/client' } }, { sni: { type: 'Exact', value: 'backend.mesh' } }],
          default: { backends: [{ type: 'file', path: '/tmp/specific.log', format: { json: [{ key: 's', value: '%RESPONSE_CODE%' }] } }] },
        },
        {
          targetRef: { kind: 'Mesh' },
          default: {
            backends: [
              { type: 'tcp', address: 'logs:5000', format: { plain: '%START_TIME%' } },
              { type: 'openTelemetry', endpoint: 'otel:4317' },
            ],
          },
        },
      ],
      fromSections: ['rules', 'rules'],
      to: [],
    });
  });

  it('lists every backend reference with the field path it sits at', () => {
    const policy = one(`type: MeshAccessLog
mesh: default
name: refs
spec:
  rules:
    - default: {backends: [{file: {path: /a}}, {reference: {name: a}}]}
    - default: {backends: [{name: b}]}
`);
    expect(backendReferenceSites(policy)).toEqual([
      { path: 'spec.rules[0].default.backends[1]', reference: { type: 'reference', kind: 'MeshAccessLogBackend', name: 'a' } },
      { path: 'spec.rules[1].default.backends[0]', reference: { type: 'reference', kind: 'MeshAccessLogBackend', name: 'b' } },
    ]);
  });
});
