/**
 * `meshlog inspect` and `meshlog render` as a user runs them: from files, and from a running server
 * (which also knows proxies discovered from their logs).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { type RunningServer, runServer } from '../runtime/serve.js';
import { silentLogger } from '../telemetry/logger.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

async function meshlog(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', main, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const records = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: errors-only, namespace: gloo-mesh}
spec:
  workloadSelectors: [{kubeWorkloadMatcher: {labels: {app: reviews}}}]
  filters: [{statusCodeMatcher: {value: 500, comparator: GE}}]
`;

const resources = `type: Dataplane
mesh: default
name: web-1
networking:
  address: 10.0.0.5
  inbound:
    - port: 15001
      servicePort: 8080
      tags: {kuma.io/service: web, kuma.io/protocol: http, kuma.io/zone: zone-a}
  outbound:
    - port: 10001
      tags: {kuma.io/service: backend, kuma.io/protocol: http}
---
type: MeshAccessLogBackend
name: file-backend
mesh: default
spec:
  name: file
  file:
    path: /tmp/access.log
---
type: MeshAccessLog
mesh: default
name: default-logging
spec:
  targetRef: {kind: Mesh}
  from:
    - targetRef: {kind: Mesh}
      default:
        backends:
          - reference: {kind: MeshAccessLogBackend, name: file-backend}
---
type: MeshAccessLog
mesh: default
name: debugging-issue
spec:
  targetRef: {kind: MeshService, name: web}
  to:
    - targetRef: {kind: MeshService, name: backend}
      default:
        backends:
          - tcp: {address: "127.0.0.1:5000"}
`;

describe('meshlog inspect and render', { timeout: 120_000 }, () => {
  let dir: string;
  let file: string;
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-policy-cli-'));
    file = path.join(dir, 'resources.yaml');
    writeFileSync(file, resources);
    // The backend resource names /tmp/access.log: the operator allows /tmp (the default root is data/logs).
    server = await runServer({
      dataDir: path.join(dir, 'data'),
      alsHost: '127.0.0.1',
      alsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
      fileSinkRoots: ['/tmp'],
    });
    url = `http://127.0.0.1:${server.httpPort}`;
    expect((await meshlog('apply', '-f', file, '--server', url)).code).toBe(0);
    writeFileSync(path.join(dir, 'records.yaml'), records);
    expect((await meshlog('apply', '-f', path.join(dir, 'records.yaml'), '--server', url)).code).toBe(0);
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const stream = als.open();
    await stream.write({ identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/x')] } });
    await stream.end();
    als.close();
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('inspect -f shows each listener, the policies in merge order and what they resolve to', async () => {
    const result = await meshlog('inspect', 'web-1', '-f', file);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'proxy default.web-1  (mesh default, sidecar, Dataplane, zone zone-a, 10.0.0.5)',
        'inbound inbound:10.0.0.5:15001  (http, service web)',
        '  rule 1: from Mesh',
        '    policies (merge order, last wins): default-logging (Mesh, from[0] Mesh)',
        '    backend: file /tmp/access.log (default format)  [MeshAccessLogBackend default/file-backend]',
        'outbound outbound:backend  (http, service backend)',
        '  rule 1: all traffic',
        '    policies (merge order, last wins): debugging-issue (MeshService web, to[0] MeshService backend)',
        '    backend: tcp 127.0.0.1:5000 (default format)  [inline]',
        'access log records: none selects this proxy (the store keeps none of its entries unless a policy names the store backend)',
        '',
      ].join('\n'),
    );
  });

  it('inspect says which proxies exist when the one named does not', async () => {
    const result = await meshlog('inspect', 'nope', '-f', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('meshlog: no Dataplane "nope" in the given resources (known: default.web-1)\n');
  });

  it('inspect --server resolves a proxy the server only discovered from its logs', async () => {
    const result = await meshlog('inspect', 'reviews-v1', '--server', url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(mesh default, sidecar, discovered, zone mgmt-cluster');
    expect(result.stdout).toContain('default-logging (Mesh, from[0] Mesh)');
    // Beside the MeshAccessLog rules: the AccessLogRecords that select it.
    expect(result.stdout).toMatch(
      /\naccess log records \(the store keeps what any of them selects\):\n {2}gloo-mesh\/errors-only: requests with status GE 500\n$/,
    );
  });

  it('render -o envoyfilter and -o meshproxypatch print resources to apply', async () => {
    const istio = await meshlog('render', 'reviews-v1', '-o', 'envoyfilter', '--server', url);
    expect(istio.stderr).toBe('');
    const filter = parse(istio.stdout) as { kind: string; metadata: { namespace: string }; spec: { workloadSelector: { labels: Record<string, string> } } };
    expect(filter).toMatchObject({
      kind: 'EnvoyFilter',
      metadata: { namespace: 'bookinfo' },
      spec: { workloadSelector: { labels: { app: 'reviews', version: 'v1' } } },
    });
    const kuma = await meshlog('render', 'web-1', '-o', 'meshproxypatch', '-f', file);
    expect(kuma.stderr).toBe('');
    expect(parse(kuma.stdout)).toMatchObject({ kind: 'MeshProxyPatch', spec: { targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'web' } } } });
    expect(kuma.stdout).toContain('value: |\n');
  });

  it('render -f prints the access_log of every listener, checked against Envoy protos', async () => {
    const result = await meshlog('render', 'web-1', '-f', file, '-o', 'json');
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as { listeners: Array<{ name: string; access_log: Array<{ name: string }> }> };
    const byName = Object.fromEntries(out.listeners.map((l) => [l.name, l.access_log.map((a) => a.name)]));
    expect(byName['inbound:10.0.0.5:15001']).toEqual(['envoy.access_loggers.file']);
    expect(byName['outbound:backend']).toEqual(['envoy.access_loggers.http_grpc']);
  });

  it('render --bootstrap from the server gives a complete bootstrap, the same as from files', async () => {
    const remote = await meshlog('render', 'web-1', '--bootstrap', '--server', url);
    const local = await meshlog('render', 'web-1', '--bootstrap', '-f', file);
    expect(remote.stderr).toBe('');
    const bootstrap = parse(remote.stdout) as { admin: unknown; static_resources: { listeners: unknown[]; clusters: Array<{ name: string }> } };
    expect(bootstrap.admin).toBeDefined();
    expect(bootstrap.static_resources.listeners).toHaveLength(2);
    expect(bootstrap.static_resources.clusters.map((c) => c.name)).toContain('meshlog_agent');
    expect(remote.stdout).toBe(local.stdout);
  });
});
