/**
 * The kubectl habits, as a user runs them: apply and validate take directories (`-R`) and
 * positional files, `get`, `describe`, `delete -f` with `--ignore-not-found`, messages that say
 * where a resource exists instead, a did-you-mean for a mistyped kind, and `meshlog proxies`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { type RunningServer, runServer } from '../runtime/serve.js';
import { silentLogger } from '../telemetry/logger.js';
import { runMeshlog } from './testing/run-meshlog.js';

const record = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: reviews-errors, namespace: gloo-mesh}
spec:
  workloadSelectors: [{kubeWorkloadMatcher: {labels: {app: reviews}}}]
  filters: [{statusCodeMatcher: {value: 500, comparator: GE}}]
`;
/** File backends may write only under --file-sink-root (default: logs/ in the data directory). */
const backend = (dataDir: string) => `type: MeshAccessLogBackend
name: file-backend
mesh: default
spec:
  name: file
  file: {path: ${path.join(dataDir, 'logs', 'cli.log')}}
`;
const policy = `type: MeshAccessLog
mesh: default
name: uses-backend
spec:
  targetRef: {kind: Mesh}
  from:
    - targetRef: {kind: Mesh}
      default:
        backends: [{reference: {kind: MeshAccessLogBackend, name: file-backend}}]
`;

// Each step runs the CLI as a child process; on a loaded machine a handful of them take a while.
describe('resources from the command line', { timeout: 120_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let args: string[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-resources-cli-'));
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(
      path.join(dir, 'config', 'broken.yaml'),
      'kind: AccessLogRecord\napiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nmetadata: {name: broken}\nspec: {bogus: 1}\n',
    );
    mkdirSync(path.join(dir, 'tree', 'nested'), { recursive: true });
    writeFileSync(path.join(dir, 'tree', 'record.yaml'), record);
    writeFileSync(path.join(dir, 'tree', 'nested', 'backend.yaml'), backend(path.join(dir, 'data')));
    writeFileSync(path.join(dir, 'policy.yaml'), policy);
    server = await runServer({
      dataDir: path.join(dir, 'data'),
      configDir: path.join(dir, 'config'),
      alsHost: '127.0.0.1',
      alsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
    });
    args = ['--server', `127.0.0.1:${server.httpPort}`];
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const stream = als.open();
    await stream.write({
      identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'),
      httpLogs: { logEntry: [httpEntry('/a'), httpEntry('/b', { code: 503 })] },
    });
    await stream.end();
    als.close();
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validate takes positional files and directories, reads below them with -R, and wants some input', async () => {
    const none = await runMeshlog(['validate']);
    expect(none).toMatchObject({
      code: 1,
      stderr: 'meshlog: validate: name the files to read (meshlog validate FILE..., -f FILE or -f DIR; "-" for standard input)\n',
    });
    const flat = await runMeshlog(['validate', path.join(dir, 'tree')]);
    expect(flat.stdout).toBe(`${path.join(dir, 'tree', 'record.yaml')}: 1 resource valid\n`);
    const deep = await runMeshlog(['validate', '-R', '-f', path.join(dir, 'tree'), path.join(dir, 'policy.yaml')]);
    expect(deep.stdout.trimEnd().split('\n')).toEqual([
      `${path.join(dir, 'policy.yaml')}: 1 resource valid`,
      `${path.join(dir, 'tree', 'nested', 'backend.yaml')}: 1 resource valid`,
      `${path.join(dir, 'tree', 'record.yaml')}: 1 resource valid`,
    ]);
    writeFileSync(path.join(dir, 'typo.yaml'), 'type: MeshAccesLog\nmesh: default\nname: x\nspec: {}\n');
    expect((await runMeshlog(['validate', path.join(dir, 'typo.yaml')])).stderr).toBe(
      `${path.join(dir, 'typo.yaml')}:1:7 type: unknown kind "MeshAccesLog"; did you mean "MeshAccessLog"?\n`,
    );
  });

  it('apply -R applies a tree; get lists, prints one, and prints YAML that applies again', async () => {
    const applied = await runMeshlog(['apply', '-R', path.join(dir, 'tree'), path.join(dir, 'policy.yaml'), ...args]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trimEnd().split('\n').sort()).toEqual([
      'accesslogrecord/reviews-errors (gloo-mesh) created',
      'meshaccesslog/uses-backend (default) created',
      'meshaccesslogbackend/file-backend (default) created',
    ]);
    const all = await runMeshlog(['get', ...args]);
    expect(all.stdout).toMatch(/^KIND +NAME +NAMESPACE\/MESH +ORIGIN +AGE\n/);
    expect(all.stdout).toMatch(/\nAccessLogRecord +reviews-errors +gloo-mesh +api +\d+s\n/);
    const typo = await runMeshlog(['get', 'meshaccesslogbakends', ...args]);
    expect(typo.stderr).toBe('meshlog: unknown kind "meshaccesslogbakends"; did you mean "MeshAccessLogBackend"?\n');
    const yaml = await runMeshlog(['get', 'accesslogrecords', 'reviews-errors', '-o', 'yaml', ...args]);
    const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS());
    expect(docs).toEqual([
      {
        apiVersion: 'observability.enterprise.mesh.gloo.solo.io/v1',
        kind: 'AccessLogRecord',
        metadata: { name: 'reviews-errors', namespace: 'gloo-mesh' },
        spec: expect.objectContaining({ filters: [{ statusCodeMatcher: { value: 500, comparator: 'GE' } }] }),
      },
    ]);
    const missing = await runMeshlog(['get', 'AccessLogRecord', 'reviews-errors', '-n', 'default', ...args]);
    expect(missing.stderr).toBe('meshlog: AccessLogRecord reviews-errors not found in namespace default (exists in: gloo-mesh)\n');
  });

  it('describe shows the workloads a record selects, what references a backend, and config-dir problems', async () => {
    const recordText = (await runMeshlog(['describe', 'AccessLogRecord', 'reviews-errors', ...args])).stdout;
    expect(recordText).toContain('Namespace:   gloo-mesh\nOrigin:      api (meshlog apply; meshlog delete removes it)\n');
    expect(recordText).toContain('Status:      ACCEPTED (observed generation 1)\nSelects:     1 workload\n  mgmt-cluster/bookinfo/reviews-v1\n');
    expect(recordText).toMatch(
      /Config-dir problems \(files that did not load, so what they define is not in force\):\n {2}\S*broken\.yaml:4:8 spec\.bogus: unknown field\n/,
    );
    const backendText = (await runMeshlog(['describe', 'meshaccesslogbackends', 'file-backend', ...args])).stdout;
    expect(backendText).toContain('Mesh:        default\n');
    expect(backendText).toContain('Referenced by:\n  MeshAccessLog default/uses-backend references it at spec.from[0].default.backends[0]\n');
  });

  it('delete -f deletes what a file defines; --ignore-not-found makes a missing one fine', async () => {
    const refused = await runMeshlog(['delete', '-R', '-f', path.join(dir, 'tree'), ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^meshlog: MeshAccessLogBackend file-backend: .*uses-backend/);
    const deleted = await runMeshlog(['delete', '-f', path.join(dir, 'policy.yaml'), ...args]);
    expect(deleted.stdout).toBe('meshaccesslog/uses-backend deleted\n');
    const rest = await runMeshlog(['delete', '-R', '-f', path.join(dir, 'tree'), '--ignore-not-found', ...args]);
    expect(rest).toMatchObject({ code: 0, stdout: 'meshaccesslogbackend/file-backend deleted\n', stderr: '' });
    const again = await runMeshlog(['delete', 'AccessLogRecord', 'reviews-errors', ...args]);
    expect(again.stderr).toBe('meshlog: AccessLogRecord reviews-errors: AccessLogRecord reviews-errors not found in namespace default\n');
    expect((await runMeshlog(['delete', 'AccessLogRecord', 'reviews-errors', '--ignore-not-found', ...args])).code).toBe(0);
  });

  it('proxies lists what the server has heard from, like istioctl proxy-status', async () => {
    const out = await runMeshlog(['proxies', ...args]);
    const [header, row] = out.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^CLUSTER +NAMESPACE +WORKLOAD +FLAVOUR +STREAMS +ENTRIES\/S +LAST SEEN$/);
    expect(row).toMatch(/^mgmt-cluster +bookinfo +reviews-v1 +istio +0 +[\d.]+ +\d+s ago$/);
  });
});
