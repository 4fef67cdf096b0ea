/**
 * The Mesh kind: its logging backends validated and normalised as backends of that mesh, Kuma's
 * other fields accepted as they are, in both encodings.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import { meshDefaultBackend, normalizeMeshLoggingBackends } from './normalize.js';

function load(yaml: string) {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  return { resources: resources.map((r) => r.resource), problems: problems.map(formatProblem) };
}

describe('Mesh', () => {
  it('reads logging backends as MeshAccessLogBackends of the mesh, with its default', () => {
    const { resources, problems } = load(`apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata:
  name: payments
spec:
  mtls:
    enabledBackend: ca-1
    backends: [{name: ca-1, type: builtin}]
  skipCreatingInitialPolicies: ['*']
  logging:
    defaultBackend: file
    backends:
      - name: logstash
        type: tcp
        conf: {address: "127.0.0.1:5000"}
        format: {json: [{key: start, value: "%START_TIME%"}]}
      - name: file
        type: file
        conf: {path: /tmp/access.log}
`);
    expect(problems).toEqual([]);
    const mesh = resources[0]!;
    expect(mesh.scope).toBe('');
    expect(meshDefaultBackend(mesh)).toBe('file');
    expect(normalizeMeshLoggingBackends(mesh)).toEqual([
      {
        kind: 'MeshAccessLogBackend',
        name: 'logstash',
        mesh: 'payments',
        backendName: 'logstash',
        backend: { type: 'tcp', address: '127.0.0.1:5000', format: { json: [{ key: 'start', value: '%START_TIME%' }] } },
      },
      { kind: 'MeshAccessLogBackend', name: 'file', mesh: 'payments', backendName: 'file', backend: { type: 'file', path: '/tmp/access.log' } },
    ]);
  });

  it('accepts a Mesh with its fields at the top level (universal), or with nothing but a name (both encodings)', () => {
    const { resources, problems } = load(
      'type: Mesh\nname: default\nlogging:\n  backends: [{name: s, store: {}}]\n---\ntype: Mesh\nname: bare\n---\napiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: kube}\n',
    );
    expect(problems).toEqual([]);
    expect(resources.map((r) => r.spec)).toEqual([{ logging: { backends: [{ name: 's', store: {} }] } }, {}, {}]);
    // A kind whose spec cannot be empty still says what is missing.
    expect(load('apiVersion: kuma.io/v1alpha1\nkind: Dataplane\nmetadata: {name: dp}\n').problems).toEqual(['f.yaml:1:1 spec.networking: must be set']);
  });

  it('reports duplicate and unnamed backends, a missing default, references, a field Mesh logging does not have, and a mesh on a global kind', () => {
    const yaml = `type: Mesh
name: default
mesh: default
logging:
  defaultBackend: nowhere
  backends:
    - {name: a, type: tcp, conf: {address: "a:1"}}
    - {name: a, type: file, conf: {path: /x}}
    - {type: file, conf: {path: /y}}
    - {name: r, type: reference}
  tracing: {}
`;
    expect(load(yaml).problems).toEqual([
      'f.yaml:3:7 mesh: must not be set: Mesh is global',
      'f.yaml:11:3 logging.tracing: unknown field',
      'f.yaml:8:14 logging.backends[1].name: duplicate backend name "a"',
      'f.yaml:9:7 logging.backends[2].name: must be set',
      'f.yaml:10:23 logging.backends[3].type: a backend resource defines a backend: it cannot reference another one',
      'f.yaml:5:19 logging.defaultBackend: backend "nowhere" is not defined in \'backends\'',
    ]);
  });

  it("refuses a universal Mesh that has both top-level fields and 'spec'", () => {
    expect(load('type: Mesh\nname: default\nlogging: {}\nspec: {}\n').problems).toEqual([
      "f.yaml:3:10 logging: must not be set together with 'spec': write a Mesh's fields either at the top level or under 'spec'",
    ]);
  });
});
