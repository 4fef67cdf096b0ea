/**
 * Backend resources: the shapes they are written in, what they normalise to, the problems of
 * both kinds' envelopes and specs, and the refusal to delete a backend a policy still uses.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import type { Resource } from '../types.js';
import { backendInUse, normalizeAccessLogBackend } from './normalize.js';

function load(yaml: string): { resources: Resource[]; problems: string[] } {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  return { resources: resources.map((r) => r.resource), problems: problems.map(formatProblem) };
}

describe('MeshAccessLogBackend and GlobalAccessLogBackend', () => {
  it('normalise the MADR, seed and Kuma 2.x shapes', () => {
    const { resources, problems } = load(`type: MeshAccessLogBackend
name: file-backend
mesh: default
spec:
  name: file
  type: file
  conf:
    format:
      plain: '{"start_time": "%START_TIME%"}'
    path: /tmp/access.log
---
type: GlobalAccessLogBackend
name: central
spec:
  name: central-otel
  type: OpenTelemetry
  openTelemetry: {endpoint: "otel.example.com:4317"}
---
apiVersion: kuma.io/v1alpha1
kind: GlobalAccessLogBackend
metadata: {name: store}
spec: {name: store, store: {}}
`);
    expect(problems).toEqual([]);
    expect(resources.map(normalizeAccessLogBackend)).toEqual([
      {
        kind: 'MeshAccessLogBackend',
        name: 'file-backend',
        mesh: 'default',
        backendName: 'file',
        backend: { type: 'file', path: '/tmp/access.log', format: { plain: '{"start_time": "%START_TIME%"}' } },
      },
      {
        kind: 'GlobalAccessLogBackend',
        name: 'central',
        mesh: '',
        backendName: 'central-otel',
        backend: { type: 'openTelemetry', endpoint: 'otel.example.com:4317' },
      },
      { kind: 'GlobalAccessLogBackend', name: 'store', mesh: '', backendName: 'store', backend: { type: 'store' } },
    ]);
  });

  it.each([
    [
      'a global backend with a mesh',
      'type: GlobalAccessLogBackend\nname: g\nmesh: default\nspec: {name: g, store: {}}\n',
      ['f.yaml:3:7 mesh: must not be set: GlobalAccessLogBackend is global'],
    ],
    [
      'a backend that references another, without a name',
      'type: MeshAccessLogBackend\nname: b\nspec:\n  reference: {name: other}\n',
      ['f.yaml:4:3 spec.name: must be set', 'f.yaml:4:14 spec.reference: a backend resource defines a backend: it cannot reference another one'],
    ],
    [
      'a backend of no kind, a typo in a field',
      'type: MeshAccessLogBackend\nname: b\nspec:\n  name: b\n  tpc: {address: "a:1"}\n',
      ['f.yaml:5:3 spec.tpc: unknown field "tpc"; did you mean "tcp"?', "f.yaml:4:3 spec: must have one of 'file', 'tcp', 'openTelemetry' or 'store'"],
    ],
    [
      'an empty name and a bad address',
      'type: MeshAccessLogBackend\nname: b\nspec: {name: "", tcp: {address: "a"}}\n',
      ['f.yaml:3:33 spec.tcp.address: tcp backend requires valid address: "a" is not host:port', 'f.yaml:3:14 spec.name: must not be empty'],
    ],
  ])('report %s', (_name, yaml, expected) => {
    expect(load(yaml).problems).toEqual(expected);
  });
});

describe('deleting a backend still in use', () => {
  const { resources } = load(`type: MeshAccessLogBackend
name: file-backend
mesh: default
spec: {name: file, file: {path: /tmp/a.log}}
---
type: MeshAccessLogBackend
name: file-backend
mesh: other
spec: {name: file, file: {path: /tmp/a.log}}
---
type: GlobalAccessLogBackend
name: central
spec: {name: central-tcp, tcp: {address: "logs:5000"}}
---
type: MeshAccessLog
mesh: default
name: some-logging
spec:
  from:
    - targetRef: {kind: Mesh}
      default:
        backends:
          - tcp: {address: "a:1"}
          - reference: {kind: MeshAccessLogBackend, name: file-backend}
  to:
    - targetRef: {kind: Mesh}
      default:
        backends: [{name: file, type: reference}, {reference: {kind: GlobalAccessLogBackend, name: file-backend}}]
---
type: MeshAccessLog
mesh: other
name: global-user
spec:
  rules:
    - default: {backends: [{reference: {kind: GlobalAccessLogBackend, name: central-tcp}}]}
`);
  const [meshBackend, otherMeshBackend, globalBackend] = resources;

  it('is refused with every policy entry that references it, by resource name or spec.name, in its mesh', () => {
    expect(backendInUse(meshBackend!, resources)).toEqual([
      'MeshAccessLog default/some-logging references it at spec.from[0].default.backends[1]',
      'MeshAccessLog default/some-logging references it at spec.to[0].default.backends[0]',
    ]);
    expect(backendInUse(otherMeshBackend!, resources)).toEqual([]);
  });

  it('of a global backend, is refused for references from any mesh', () => {
    expect(backendInUse(globalBackend!, resources)).toEqual(['MeshAccessLog other/global-user references it at spec.rules[0].default.backends[0]']);
  });

  it('is allowed once nothing references it', () => {
    expect(
      backendInUse(
        globalBackend!,
        resources.filter((r) => r.name !== 'global-user'),
      ),
    ).toEqual([]);
  });
});
