/**
 * The deployment files hold together, without a cluster or a Docker engine (neither runs here):
 *
 * - the kustomize manifests (one cluster; and the server and agents of several) are valid Kubernetes objects (`kubernetes-models` schemas, the
 *   ServiceMonitor against the Prometheus Operator's), their flags are `meshlog serve` flags, their
 *   ports, probes and volumes line up, the resources they mount validate, the image tag is the
 *   version in package.json;
 * - the Dockerfile copies files that exist, runs what the build produces, as a non-root user;
 * - every PromQL expression of the alert rules and the Grafana dashboard parses, and names only
 *   metrics a running meshlog serves.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parser } from '@prometheus-io/lezer-promql';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResources } from '../src/api/load-yaml.js';
import { buildProgram } from '../src/cli/program.js';
import { type RunningServer, runServer } from '../src/runtime/serve.js';
import { silentLogger } from '../src/telemetry/logger.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const k8s = path.join(root, 'deploy', 'kubernetes');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version;

const models: Record<string, new (data: never) => { validate(): void }> = {
  Namespace,
  ServiceAccount,
  StatefulSet,
  Deployment,
  PersistentVolumeClaim,
  Service,
  ServiceMonitor,
  ConfigMap,
  Secret,
};

interface Kustomization {
  namespace?: string;
  resources: string[];
  patches?: Array<{ path: string; target: { kind: string; name: string } }>;
  configMapGenerator?: Array<{ name: string; files: string[] }>;
  secretGenerator?: Array<{ name: string; namespace?: string; files: string[] }>;
  images?: Array<{ name: string; newTag: string }>;
}

const kustomizationOf = (dir: string) => parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
const kustomization = kustomizationOf(k8s);

/** A JSON patch (RFC 6902) operation, as kustomize's `patches` apply them: add and replace. */
interface PatchOp {
  op: 'add' | 'replace';
  path: string;
  value: unknown;
}

function applyPatch(target: any, ops: PatchOp[]): void {
  for (const { op, path: pointer, value } of ops) {
    const keys = pointer.split('/').slice(1);
    const last = keys.pop()!;
    let parent = target;
    for (const key of keys) {
      parent = parent[key];
      if (parent === undefined) throw new Error(`${pointer}: ${key} is not there`);
    }
    if (op === 'add' && Array.isArray(parent) && last === '-') parent.push(value);
    else if (op === 'replace' && !(last in parent)) throw new Error(`${pointer}: nothing to replace`);
    else parent[last] = value;
  }
}

/**
 * The objects `kubectl apply -k DIR` creates: its resources (bases included), its generators (each
 * file's content stands in for what the user puts there) and its patches, in the kustomization's
 * namespace.
 */
function objects(dir = k8s): any[] {
  const k = kustomizationOf(dir);
  const listed = k.resources.flatMap((entry) => {
    const at = path.join(dir, entry);
    return existsSync(path.join(at, 'kustomization.yaml')) ? objects(at) : parseAllDocuments(readFileSync(at, 'utf8')).map((d) => d.toJS());
  });
  const configMaps = (k.configMapGenerator ?? []).map((g) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: g.name },
    data: Object.fromEntries(g.files.map((f) => [path.basename(f), readFileSync(path.join(dir, f), 'utf8')])),
  }));
  const secrets = (k.secretGenerator ?? []).map((g) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: g.name, ...(g.namespace ? { namespace: g.namespace } : {}) },
    data: Object.fromEntries(g.files.map((f) => [path.basename(f), Buffer.from('placeholder').toString('base64')])),
  }));
  const all = [...listed, ...configMaps, ...secrets];
  for (const patch of k.patches ?? []) {
    const target = all.find((o) => o.kind === patch.target.kind && o.metadata.name === patch.target.name);
    if (!target) throw new Error(`${dir}: patch ${patch.path} finds no ${patch.target.kind} ${patch.target.name}`);
    applyPatch(target, parse(readFileSync(path.join(dir, patch.path), 'utf8')) as PatchOp[]);
  }
  if (k.namespace) for (const o of all) if (o.kind !== 'Namespace') o.metadata.namespace = k.namespace;
  return all;
}

const byKind = (kind: string) => objects().find((o) => o.kind === kind)!;

/** The flags of a CLI command, by their long names. */
const flagsOf = (command: string) => new Set(buildProgram().commands.find((c) => c.name() === command)!.options.map((o) => o.long));

/** `--name=value` from a container's args. */
const argOf = (args: string[], name: string) => args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);

describe('deploy/kubernetes', () => {
  it('is valid Kubernetes objects, by their schemas', () => {
    const all = objects();
    expect(all.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Namespace', 'Secret', 'Service', 'ServiceAccount', 'ServiceMonitor', 'StatefulSet']);
    for (const o of all) {
      const Model = models[o.kind]!;
      expect(() => new Model(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('refers to files that exist, except the token the user writes (never committed)', () => {
    for (const file of [...kustomization.resources, ...kustomization.configMapGenerator!.flatMap((g) => g.files)]) expect(existsSync(path.join(k8s, file)), file).toBe(true);
    expect(kustomization.secretGenerator![0]!.files).toEqual(['token']);
    expect(read('.gitignore').split('\n')).toContain('deploy/kubernetes/token');
    expect(kustomization.images).toEqual([{ name: 'meshlog', newTag: packageVersion }]);
  });

  it('runs meshlog serve with flags it has, non-root, with probes, ports and volumes that line up', () => {
    const set = byKind('StatefulSet');
    const pod = set.spec.template.spec;
    const container = pod.containers[0];
    expect(container.args[0]).toBe('serve');
    const known = flagsOf('serve');
    for (const arg of container.args.slice(1)) expect(known, arg).toContain(arg.split('=')[0]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const ports = new Map(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports).toEqual(new Map([['http', 8080], ['grpc-als', 9977]]));
    const service = byKind('Service');
    for (const p of service.spec.ports) expect(ports.has(p.targetPort), p.name).toBe(true);
    expect(service.spec.selector).toEqual(set.spec.selector.matchLabels);
    expect(byKind('ServiceMonitor').spec.selector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': service.metadata.labels['app.kubernetes.io/name'] });
    const volumes = new Set([...pod.volumes.map((v: { name: string }) => v.name), ...set.spec.volumeClaimTemplates.map((v: { metadata: { name: string } }) => v.metadata.name)]);
    for (const m of container.volumeMounts) expect(volumes, m.name).toContain(m.name);
    // The mounted files are where the flags look.
    const mountOf = (name: string) => container.volumeMounts.find((m: { name: string }) => m.name === name).mountPath;
    expect(container.args).toContain(`--config-dir=${mountOf('resources')}`);
    expect(container.args).toContain(`--auth-token-file=${mountOf('token')}/token`);
    expect(container.args).toContain(`--data-dir=${mountOf('data')}`);
  });

  it('mounts resources that meshlog validate accepts', () => {
    for (const [file, text] of Object.entries(byKind('ConfigMap').data as Record<string, string>)) {
      const { resources, problems } = loadResources(text, file);
      expect(problems, file).toEqual([]);
      expect(resources.length).toBeGreaterThan(0);
    }
  });
});

describe('deploy/multicluster', () => {
  const multicluster = path.join(root, 'deploy', 'multicluster');
  const server = objects(path.join(multicluster, 'server'));
  const agent = objects(path.join(multicluster, 'agent'));
  const find = (all: any[], kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name)!;

  it('is valid Kubernetes objects, by their schemas, in the namespace meshlog', () => {
    expect(agent.map((o) => o.kind).sort()).toEqual(['Deployment', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service', 'ServiceAccount']);
    for (const o of [...server, ...agent]) {
      expect(() => new models[o.kind]!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('meshlog');
    }
  });

  it('the server runs meshlog server with flags it has, its relay port and certificate mounted where the flags look', () => {
    const set = find(server, 'StatefulSet', 'meshlog');
    const container = set.spec.template.spec.containers[0];
    expect(container.args[0]).toBe('server');
    const known = flagsOf('server');
    for (const arg of container.args.slice(1)) expect(known, arg).toContain(arg.split('=')[0]);
    const ports = new Map(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports.get('relay')).toBe(Number(argOf(container.args, '--relay-port')));
    expect(ports.get('grpc-als')).toBe(Number(argOf(container.args, '--als-port')));
    const tls = container.volumeMounts.find((m: { name: string }) => m.name === 'tls');
    for (const flag of ['--tls-cert', '--tls-key', '--tls-ca']) expect(path.dirname(argOf(container.args, flag)!), flag).toBe(tls.mountPath);
    const secret = set.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'tls').secret.secretName;
    expect(Object.keys(find(server, 'Secret', secret).data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    const relay = find(server, 'Service', 'meshlog-relay');
    expect(relay.spec.selector).toEqual(set.spec.selector.matchLabels);
    expect(relay.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['relay']);
  });

  it('the agent runs meshlog agent with flags it has, dialling the relay port, its buffer on a volume that outlives the pod', () => {
    const deployment = find(agent, 'Deployment', 'meshlog-agent');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.args[0]).toBe('agent');
    const known = flagsOf('agent');
    for (const arg of container.args.slice(1)) expect(known, arg).toContain(arg.split('=')[0]);
    for (const required of ['--cluster', '--server', '--buffer-dir', '--tls-cert', '--tls-key', '--tls-ca']) expect(argOf(container.args, required), required).toBeDefined();
    const relayPort = find(server, 'Service', 'meshlog-relay').spec.ports[0].port;
    expect(argOf(container.args, '--server')!.split(':').at(-1)).toBe(String(relayPort));
    // One pod at a time on the buffer: one replica, replaced rather than rolled.
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const mountOf = (name: string) => container.volumeMounts.find((m: { name: string }) => m.name === name).mountPath;
    expect(argOf(container.args, '--buffer-dir')).toBe(mountOf('buffer'));
    const claim = pod.volumes.find((v: { name: string }) => v.name === 'buffer').persistentVolumeClaim.claimName;
    expect(find(agent, 'PersistentVolumeClaim', claim)).toBeDefined();
    for (const flag of ['--tls-cert', '--tls-key', '--tls-ca']) expect(path.dirname(argOf(container.args, flag)!), flag).toBe(mountOf('tls'));
    const ports = new Map(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    // The defaults of --als-port and --metrics-port.
    expect(ports).toEqual(new Map([['grpc-als', 9977], ['metrics', 9091]]));
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    const service = find(agent, 'Service', 'meshlog-agent');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    for (const p of service.spec.ports) expect(ports.has(p.targetPort), p.name).toBe(true);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('keeps the certificates out of git and of the image, and tags the image with this version', () => {
    for (const side of ['agent', 'server']) {
      const k = kustomizationOf(path.join(multicluster, side));
      expect(k.secretGenerator![0]!.files.every((f) => f.startsWith('tls/')), side).toBe(true);
      expect(read('.gitignore').split('\n'), side).toContain(`deploy/multicluster/${side}/tls/`);
      expect(read('.dockerignore').split('\n'), side).toContain(`deploy/multicluster/${side}/tls`);
    }
    expect(kustomizationOf(path.join(multicluster, 'agent')).images).toEqual([{ name: 'meshlog', newTag: packageVersion }]);
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile').split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const stages = lines.join('\n').split(/^FROM /m).slice(1);

  it('is multi-stage, copies only files that exist, and runs the built CLI as a non-root user', () => {
    expect(stages).toHaveLength(2);
    for (const line of lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      const sources = line.slice('COPY '.length).trim().split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(path.join(root, source)), source).toBe(true);
    }
    const runtime = stages[1]!;
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(runtime)![1]!) as string[];
    expect(entrypoint).toEqual(['node', 'dist/cli/main.js']);
    // The build writes dist/ from src/ (tsconfig.build.json), so dist/cli/main.js comes from src/cli/main.ts.
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(path.join(root, 'src/cli/main.ts'))).toBe(true);
    // Every file the build script names is copied into the build stage before `npm ci` runs it.
    const buildScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['build']!;
    const copied = lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.slice('COPY '.length).trim().split(/\s+/).slice(0, -1));
    for (const file of buildScript.match(/\b[\w./-]+\.(?:json|ts|mjs)\b/g) ?? []) {
      expect(copied.some((c) => file === c || file.startsWith(`${c}/`)), `${file} (npm run build) is not copied into the build stage`).toBe(true);
    }
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(runtime)![1]!) as string[];
    expect(cmd[0]).toBe('serve');
    const known = flagsOf('serve');
    for (const arg of cmd.slice(1).filter((a) => a.startsWith('--'))) expect(known, arg).toContain(arg);
    expect(/^EXPOSE (.*)$/m.exec(runtime)![1]!.split(/\s+/)).toEqual(['8080', '9977']);
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', 'deploy/kubernetes/token']));
  });
});

/** Metric names a PromQL expression reads; throws when it does not parse. */
function metricsOf(expr: string): string[] {
  const text = expr.replace(/\$__rate_interval/g, '5m');
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(text).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.type.name === 'Identifier' && node.node.parent?.type.name === 'VectorSelector') names.push(text.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`does not parse at ${errors[0]}: ${expr}`);
  return names;
}

describe('monitoring files', () => {
  let dataDir: string;
  let server: RunningServer;
  let served: Set<string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-deploy-'));
    server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger(), retention: { maxBytes: 1e9 } });
    const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
    served = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name!])));
    served.add('up');
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('alert rules parse and read only metrics meshlog serves', () => {
    const rules = (parse(read('deploy/prometheus/meshlog-alerts.yaml')) as { groups: Array<{ rules: Array<{ alert: string; expr: string; labels: { severity: string } }> }> }).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      for (const metric of metricsOf(rule.expr)) expect(served, `${rule.alert}: ${metric}`).toContain(metric);
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
    }
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['MeshlogEntriesDropped', 'MeshlogSinkErrors', 'MeshlogStoreNearRetention', 'MeshlogNothingSelected']));
  });

  it('the Grafana dashboard shows ingest, not-selected ratio, drops, sink errors, store against retention and buffers, from metrics meshlog serves', () => {
    const dashboard = JSON.parse(read('deploy/grafana/meshlog-dashboard.json')) as { uid: string; panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const panels = dashboard.panels.filter((p) => p.targets);
    for (const panel of panels) for (const t of panel.targets!) for (const metric of metricsOf(t.expr)) expect(served, `${panel.title}: ${metric}`).toContain(metric);
    const text = JSON.stringify(dashboard);
    for (const metric of ['meshlog_entries_received_total', 'meshlog_entries_not_selected_total', 'meshlog_entries_dropped_total', 'meshlog_sink_errors_total', 'meshlog_store_bytes', 'meshlog_store_retention_bytes', 'meshlog_sink_queue_depth', 'meshlog_ingest_commit_seconds_bucket']) {
      expect(text, metric).toContain(metric);
    }
  });
});
