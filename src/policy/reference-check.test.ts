/**
 * Reference checks across a set of resources: what resolves, what is an error, what a warning.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../api/load-yaml.js';
import { checkReferences } from './reference-check.js';

function check(yaml: string): string[] {
  const { resources, problems } = loadResources(yaml, 'f.yaml');
  expect(problems.map(formatProblem)).toEqual([]);
  return checkReferences(resources.map((r) => r.resource)).map((p) => `${p.severity} ${p.fields[0]}: ${p.message}`);
}

const policy = (backends: string) => `type: MeshAccessLog\nmesh: default\nname: p\nspec:\n  rules:\n    - default:\n        backends: ${backends}\n`;

describe('checkReferences', () => {
  it('resolves MeshOpenTelemetryBackends by name and by labels, Mesh logging backends, and backends by spec.name', () => {
    expect(
      check(`${policy('[{type: OpenTelemetry, openTelemetry: {backendRef: {kind: MeshOpenTelemetryBackend, labels: {team: obs}}}}, {name: logstash}, {reference: {name: file}}]')}---
type: MeshOpenTelemetryBackend
mesh: default
name: collector
labels: {team: obs}
spec: {}
---
type: Mesh
name: default
logging: {backends: [{name: logstash, tcp: {address: "logs:5000"}}]}
---
type: MeshAccessLogBackend
mesh: default
name: file-backend
spec: {name: file, file: {path: /var/log/a.log}}
`),
    ).toEqual([]);
  });

  it('is an error where the resources define backends of that kind in that mesh, and names them; a warning otherwise', () => {
    expect(
      check(`${policy('[{type: OpenTelemetry, openTelemetry: {backendRef: {kind: MeshOpenTelemetryBackend, name: main}}}, {name: logstash}]')}---
type: MeshOpenTelemetryBackend
mesh: other
name: main
spec: {}
`),
    ).toEqual([
      'warning spec.rules[0].default.backends[0].openTelemetry.backendRef: references MeshOpenTelemetryBackend "main", which is not among the given resources: it must exist where this policy is applied',
      'warning spec.rules[0].default.backends[1].reference.name: references MeshAccessLogBackend "logstash", which is not among the given resources: it must exist where this policy is applied',
    ]);
    expect(
      check(`${policy('[{name: file}]')}---
type: MeshAccessLogBackend
mesh: default
name: a
spec: {name: file, file: {path: /var/log/a.log}}
---
type: MeshAccessLogBackend
mesh: default
name: file
spec: {name: other, file: {path: /var/log/b.log}}
`),
    ).toEqual([
      'error spec.rules[0].default.backends[0].reference.name: MeshAccessLogBackend "file" is ambiguous in mesh "default": it names a (spec.name file), file (spec.name other)',
    ]);
  });
});
