/**
 * `meshlog validate` and `meshlog schema` as a user runs them: child processes, no server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const seed = (name: string) => fileURLToPath(new URL(`../api/mesh-access-log/testdata/seed/${name}`, import.meta.url));

async function meshlog(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', main, ...args], { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('meshlog validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says how many resources each valid file holds', async () => {
    const result = await meshlog('validate', '-f', seed('17-zones.yaml'), '-f', seed('04-backends-in-mesh.yaml'));
    expect(result).toEqual({
      code: 0,
      stdout: `${seed('17-zones.yaml')}: 4 resources valid\n${seed('04-backends-in-mesh.yaml')}: 2 resources valid\n`,
      stderr: '',
    });
  });

  it('prints every problem as FILE:LINE:COL field: message and exits 1, still reporting the valid files', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'type: MeshAccessLog\nmesh: default\nname: p\nspec:\n  targetRef: {kind: MeshHTTPRoute, name: r}\n  to:\n    - targetRef: {kind: Mesh}\n      default:\n        backends:\n          - tcp: {address: "127.0.0.1"}\n---\ntype: MeshAccessLog\nmesh: default\nname: p\nspec: {from: [{targetRef: {kind: Mesh}, default: {backends: []}}]}\n---\ntype: MeshAccessLog\nmesh: default\nname: p\nspec: {from: [{targetRef: {kind: Mesh}, default: {backends: []}}]}\n',
    );
    const result = await meshlog('validate', '-f', bad, '-f', seed('16-apples-policy.yaml'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${bad}:7:5 spec.to: must not be defined when spec.targetRef.kind is MeshHTTPRoute: there is no way of knowing if an outgoing request is connected to an incoming route`,
      `${bad}:10:28 spec.to[0].default.backends[0].tcp.address: tcp backend requires valid address: "127.0.0.1" is not host:port`,
      `${bad}:17:1 MeshAccessLog default/p is defined twice (first at line 12)`,
    ]);
    expect(result.stdout).toBe(`${seed('16-apples-policy.yaml')}: 1 resource valid\n`);
  });

  it('checks backend references across the files: an error where the files hold backends it could name, else a warning', async () => {
    const policy = path.join(dir, 'policy.yaml');
    const otel = path.join(dir, 'otel.yaml');
    writeFileSync(
      policy,
      'type: MeshAccessLog\nmesh: default\nname: logs\nspec:\n  rules:\n    - default:\n        backends:\n          - type: OpenTelemetry\n            openTelemetry:\n              backendRef: {kind: MeshOpenTelemetryBackend, name: collector}\n          - reference: {kind: GlobalAccessLogBackend, name: central}\n          - {name: logstash, type: reference}\n',
    );
    writeFileSync(
      otel,
      'type: MeshOpenTelemetryBackend\nmesh: default\nname: other\nspec: {endpoint: {address: otel.observability}}\n---\ntype: Mesh\nname: default\nlogging: {backends: [{name: logstash, tcp: {address: "logs:5000"}}]}\n',
    );
    const alone = await meshlog('validate', '-f', policy);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toBe(`${policy}: 1 resource valid\n`);
    const warning = (field: string, what: string) =>
      `${field}: warning: references ${what}, which is not among the given resources: it must exist where this policy is applied`;
    expect(alone.stderr.trim().split('\n')).toEqual([
      `${policy}:10:27 ${warning('spec.rules[0].default.backends[0].openTelemetry.backendRef', 'MeshOpenTelemetryBackend "collector"')}`,
      `${policy}:11:61 ${warning('spec.rules[0].default.backends[1].reference.name', 'GlobalAccessLogBackend "central"')}`,
      `${policy}:12:20 ${warning('spec.rules[0].default.backends[2].name', 'MeshAccessLogBackend "logstash"')}`,
    ]);
    const together = await meshlog('validate', '-f', policy, '-f', otel);
    expect(together.code).toBe(1);
    expect(together.stdout).toBe(`${otel}: 2 resources valid\n`);
    expect(together.stderr.trim().split('\n')).toEqual([
      `${policy}:10:27 spec.rules[0].default.backends[0].openTelemetry.backendRef: MeshOpenTelemetryBackend "collector" is not defined in mesh "default"; the given resources define other`,
      `${policy}:11:61 ${warning('spec.rules[0].default.backends[1].reference.name', 'GlobalAccessLogBackend "central"')}`,
    ]);
  });

  it('reports the seed typo with its hint, and a file that is not there', async () => {
    const result = await meshlog('validate', '-f', seed('13-filtering-whole-policy.yaml'), '-f', path.join(dir, 'missing.yaml'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${seed('13-filtering-whole-policy.yaml')}:19:15 spec.from[0].default.filtering.headers[":status"]["value\\""]: unknown field "value\\""; did you mean "value"?\n`,
    );
    expect(result.stderr).toMatch(/missing\.yaml: cannot read: ENOENT/);
  });
});

describe('meshlog schema', () => {
  it('prints a CRD per kind, from the schema that validates', async () => {
    const result = await meshlog('schema');
    expect(result.code).toBe(0);
    // The CRDs carry Kuma's and Gloo's names: a warning not to apply them where those products run.
    expect(result.stderr).toMatch(
      /^warning: These CRDs use the API groups of Kuma and Gloo Mesh \(observability\.enterprise\.mesh\.gloo\.solo\.io, kuma\.io\)\.\n.*for editors and validation.*\n.*would replace their own CRDs/,
    );
    expect(result.stdout).toMatch(/^# These CRDs use .*\n# They are for editors and validation/);
    const crds = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, any> });
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'accesslogrecords.observability.enterprise.mesh.gloo.solo.io',
      'meshaccesslogs.kuma.io',
      'meshaccesslogbackends.kuma.io',
      'globalaccesslogbackends.kuma.io',
      'meshopentelemetrybackends.kuma.io',
      'meshes.kuma.io',
      'dataplanes.kuma.io',
      'meshservices.kuma.io',
      'meshexternalservices.kuma.io',
      'meshmultizoneservices.kuma.io',
      'meshgateways.kuma.io',
      'meshhttproutes.kuma.io',
      'meshgatewayroutes.kuma.io',
    ]);
    const byName = Object.fromEntries(crds.map((c) => [c.spec['names'].kind, c.spec]));
    expect(byName['GlobalAccessLogBackend']!['scope']).toBe('Cluster');
    expect(byName['MeshAccessLog']!['scope']).toBe('Namespaced');
    expect(byName['AccessLogRecord']!['versions'].map((v: { name: string; storage: boolean }) => [v.name, v.storage])).toEqual([
      ['v1', true],
      ['v1alpha1', false],
    ]);
    const spec = byName['MeshAccessLog']!['versions'][0].schema.openAPIV3Schema.properties.spec;
    expect(spec.properties.targetRef.properties.kind.enum).toEqual([
      'Mesh',
      'MeshSubset',
      'Dataplane',
      'MeshGateway',
      'MeshService',
      'MeshExternalService',
      'MeshMultiZoneService',
      'MeshServiceSubset',
      'MeshGatewayRoute',
      'MeshHTTPRoute',
    ]);
    expect(spec.properties.targetRef.properties.proxyTypes.items.enum).toEqual(['Sidecar', 'Gateway']);
    expect(spec.properties.from.items.properties.default.properties.filtering.properties.headers.additionalProperties.properties.op.enum).toContain('regex');
    // Structural: CRDs prune unknown fields themselves and may not say additionalProperties: false.
    expect(result.stdout).not.toMatch(/additionalProperties: false/);
    expect(result.stdout).not.toMatch(/[&*]a\d/);
  });

  it('prints one kind as an OpenAPI 3 document, and refuses an unknown kind', async () => {
    const result = await meshlog('schema', 'meshaccesslogbackends', '-o', 'openapi');
    expect(result.code).toBe(0);
    const doc = parse(result.stdout) as { openapi: string; components: { schemas: Record<string, any> } };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.components.schemas)).toEqual(['MeshAccessLogBackendSpec', 'MeshAccessLogBackend']);
    expect(doc.components.schemas['MeshAccessLogBackendSpec'].additionalProperties).toBe(false);
    expect(doc.components.schemas['MeshAccessLogBackendSpec'].required).toEqual(['name']);
    const unknown = await meshlog('schema', 'Nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^meshlog schema: unknown kind "Nope" \(known: AccessLogRecord, MeshAccessLog/);
  });
});
