/**
 * Every YAML example of the seed (`testdata/seed/`, copied verbatim from the MADR) is accepted,
 * except where the MADR itself retires the shape, and except the three that leave an entry's
 * backends out: Kuma requires them and meshlog follows Kuma there (docs/reference/resources.md,
 * "Where the MADR and Kuma differ"). Fragments are placed into a resource first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import { normalizeRoute } from '../mesh-http-route/index.js';
import { normalizeMeshAccessLog } from './normalize.js';

function seed(name: string): string {
  return readFileSync(new URL(`./testdata/seed/${name}`, import.meta.url), 'utf8');
}

function load(text: string, source = 'seed.yaml') {
  const { resources, problems } = loadResources(text, source);
  return { resources: resources.map((r) => r.resource), problems: problems.map(formatProblem) };
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? line : ' '.repeat(spaces) + line))
    .join('\n');
}

/** A `backends:` fragment as a Mesh's logging backends, completed with the type and conf the fragment leaves out. */
function inMesh(fragment: string): string {
  return `type: Mesh\nname: default\nlogging:\n${indent(fragment.trimEnd(), 2)}\n      type: tcp\n      conf:\n        address: 127.0.0.1:5000\n`;
}

describe('the seed examples', () => {
  it.each([
    ['00-only-inbound.yaml', ['seed.yaml:9:7 spec.from[0].default.backends: must be defined']],
    ['01-only-outbound.yaml', ['seed.yaml:9:7 spec.to[0].default.backends: must be defined']],
    [
      '02-inbound-and-outbound.yaml',
      ['seed.yaml:9:7 spec.from[0].default.backends: must be defined', 'seed.yaml:13:7 spec.to[0].default.backends: must be defined'],
    ],
  ])('refuses %s, whose entries name no backends (Kuma requires them), and accepts it with backends: []', (file, expected) => {
    expect(load(seed(file)).problems).toEqual(expected);
    const completed = seed(file).replace(/^( {4}- targetRef:\n(?: {8}.*\n)+)/gm, '$1      default: {backends: []}\n');
    expect(load(completed).problems).toEqual([]);
  });

  it.each([
    ['03-hybrid-backend-and-inline.yaml', ['MeshAccessLogBackend', 'MeshAccessLog']],
    ['04-backends-in-mesh.yaml', ['Mesh', 'MeshAccessLog']],
    ['05-backend-policy-only.yaml', ['MeshAccessLogBackend', 'MeshAccessLogBackend', 'MeshAccessLog']],
    ['06-embedded-backend.yaml', ['Mesh', 'MeshAccessLog']],
    ['14-default-with-override.yaml', ['MeshAccessLogBackend', 'MeshAccessLogBackend', 'MeshAccessLog', 'MeshAccessLog']],
    ['15-apples-route.yaml', ['MeshHTTPRoute']],
    ['16-apples-policy.yaml', ['MeshAccessLog']],
    ['17-zones.yaml', ['MeshAccessLogBackend', 'MeshAccessLogBackend', 'MeshAccessLog', 'MeshAccessLog']],
  ])('accepts %s', (file, kinds) => {
    const { resources, problems } = load(seed(file));
    expect(problems).toEqual([]);
    expect(resources.map((r) => r.kind)).toEqual(kinds);
  });

  it('accepts the new format shapes (plain, json) in a backend', () => {
    for (const file of ['08-format-plain.yaml', '09-format-json.yaml']) expect(load(inMesh(seed(file))).problems).toEqual([]);
  });

  it('rejects the bare string format the MADR retires, saying what to write instead', () => {
    expect(load(inMesh(seed('07-format-bare-string.yaml'))).problems).toEqual([
      'seed.yaml:6:15 logging.backends[0].format: a bare string format is no longer accepted (the MADR replaced it); write it as format: {plain: "{\\"start_time\\": \\"%START_TIME%\\"}"}',
    ]);
  });

  it('rejects the considered-and-dropped shared formats option', () => {
    const policy = `type: MeshAccessLog\nmesh: default\nname: formats\nspec:\n  from:\n    - targetRef: {kind: Mesh}\n${indent(seed('11-formats-outside-backend.yaml').trimEnd(), 6)}\n`;
    expect(load(policy).problems).toEqual([
      'seed.yaml:9:9 spec.from[0].default.formats: unknown field',
      'seed.yaml:16:21 spec.from[0].default.backends[0].format: a bare string format is no longer accepted (the MADR replaced it); write it as format: {plain: "short-format"}',
      'seed.yaml:18:21 spec.from[0].default.backends[1].format: a bare string format is no longer accepted (the MADR replaced it); write it as format: {plain: "long-format"}',
    ]);
  });

  it('rejects the filtering example\'s typo `value"` with a hint, and accepts it corrected', () => {
    const text = seed('13-filtering-whole-policy.yaml');
    expect(load(text).problems).toEqual([
      'seed.yaml:19:15 spec.from[0].default.filtering.headers[":status"]["value\\""]: unknown field "value\\""; did you mean "value"?',
    ]);
    const corrected = load(text.replace('value": "500"', 'value: "500"'));
    expect(corrected.problems).toEqual([]);
    const policy = normalizeMeshAccessLog(corrected.resources[0]!);
    expect(policy.from[0]?.default).toEqual({
      filtering: { headers: { ':status': { op: 'eq', value: '500' } } },
      backends: [
        { type: 'tcp', address: '127.0.0.1:5000' },
        { type: 'reference', kind: 'MeshAccessLogBackend', name: 'aBackendDefinedInMesh' },
      ],
    });
  });

  it('reads the apples example: a route on every proxy of the mesh, a policy on that route', () => {
    const route = load(seed('15-apples-route.yaml')).resources[0]!;
    expect(normalizeRoute(route)).toEqual({
      kind: 'MeshHTTPRoute',
      name: 'backend-apple-path',
      mesh: 'default',
      targetRef: { kind: 'Mesh' },
      matches: [{ path: { type: 'PathPrefix', value: '/apples' } }],
      labels: { 'kuma.io/display-name': 'backend-apple-path', 'kuma.io/mesh': 'default' },
    });
    const policy = normalizeMeshAccessLog(load(seed('16-apples-policy.yaml')).resources[0]!);
    expect(policy.targetRef).toEqual({ kind: 'MeshHTTPRoute', name: 'backend-apple-path' });
    expect(policy.to).toEqual([]);
  });
});
