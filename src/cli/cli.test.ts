/**
 * The `meshlog` command as a user runs it: a child process against a running server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { type RunningServer, runServer } from '../runtime/serve.js';
import { silentLogger } from '../telemetry/logger.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

async function meshlog(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', main, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('meshlog CLI', { timeout: 120_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-cli-'));
    server = await runServer({ dataDir: path.join(dir, 'data'), alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    url = `http://127.0.0.1:${server.httpPort}`;
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply -f prints every problem as FILE:LINE:COL and changes nothing', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: bad, namespace: gloo-mesh}\nspec:\n  filters:\n    - statusCodeMatcher: {value: 500}\n    - headerMatcher: {}\n  bogus: 1\n',
    );
    const result = await meshlog('apply', '-f', file, '--server', url);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`${file}:8:3 spec.bogus: unknown field`, `${file}:7:22 spec.filters[1].headerMatcher.name: must be set`]);
    expect(server.resources.repository.list()).toEqual([]);
  });

  it('apply -f applies a valid file, then logs prints what was collected', async () => {
    const file = path.join(dir, 'record.yaml');
    writeFileSync(
      file,
      'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: errors, namespace: gloo-mesh}\nspec:\n  filters: [{statusCodeMatcher: {value: 500, comparator: GE}}]\n',
    );
    const applied = await meshlog('apply', '-f', file, '--server', url);
    expect(applied).toMatchObject({ code: 0, stdout: 'accesslogrecord/errors (gloo-mesh) created\n' });

    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const stream = als.open();
    await stream.write({
      identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'),
      httpLogs: { logEntry: [httpEntry('/ok'), httpEntry('/broken', { code: 503 })] },
    });
    await stream.end();
    als.close();
    await server.store.flush();

    const compact = await meshlog('logs', '--server', url, '--color', 'never');
    expect(compact.code).toBe(0);
    // An edge: the caller (this sidecar), the service it called, the request; via_upstream says nothing new.
    expect(compact.stdout).toMatch(/^\S+Z mgmt-cluster bookinfo\/reviews-v1 → reviews:9080 GET \/broken 503 30ms\n$/);
    const wide = await meshlog('logs', '--server', url, '--color', 'never', '-o', 'wide');
    expect(wide.stdout).toMatch(/ GET \/broken 503 via_upstream 30ms outbound via=reviews\.bookinfo:9080\n$/);
    const json = await meshlog('logs', '--server', url, '-o', 'json', '--status', '5xx', '--selector', 'app=reviews');
    expect(JSON.parse(json.stdout).httpAccessLog.request.path).toBe('/broken');
    const none = await meshlog('logs', '--server', url, '--cluster', 'remote-cluster');
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('top prints golden signals per workload once, or as JSON', async () => {
    const table = await meshlog('top', '--server', url, '--once', '--since', '1h');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[2]).toMatch(/^CLUSTER\s+NAMESPACE\s+WORKLOAD\s+REQ\s+RPS\s+5XX\s+FLAGGED\s+P50\s+P95\s+P99\s+IN\s+OUT\s+TOP FAILURE$/);
    expect(lines[3]).toMatch(/^mgmt-cluster\s+bookinfo\s+reviews-v1\s+1\s+0\.00\s+100\.0%\s+0\.0%\s+29\.6ms\s+29\.6ms\s+29\.6ms\s+\S+\s+\S+\s+HTTP 503 \(1\)$/);
    const json = await meshlog('top', '--server', url, '-o', 'json', '--by', 'status', '--since', '1h');
    expect(JSON.parse(json.stdout).groups).toMatchObject([{ key: { status: '5xx' }, requests: 1, errorRate: 1 }]);
    const bad = await meshlog('top', '--server', url, '--once', '--interval', 'often');
    expect(bad.stderr).toMatch(/--interval must be a duration/);
  });

  it('says what is wrong when the server is not there or a flag is bad', async () => {
    const down = await meshlog('logs', '--server', 'http://127.0.0.1:1');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the meshlog server at http:\/\/127\.0\.0\.1:1/);
    const bad = await meshlog('logs', '--server', url, '--status', 'teapot');
    expect(bad.stderr).toMatch(/status: "teapot" is not a status code/);
  });

  it("validate --server checks a file against the server's own rules, naming the allowed roots, and applies nothing", async () => {
    const file = path.join(dir, 'to-cron.yaml');
    writeFileSync(
      file,
      'type: MeshAccessLog\nname: to-cron\nmesh: default\nspec:\n  targetRef: {kind: Mesh}\n  to:\n    - targetRef: {kind: Mesh}\n      default:\n        backends: [{file: {path: /etc/cron.d/x}}]\n',
    );
    // Offline, the file is valid: only the server knows where its file backends may write.
    expect(await meshlog('validate', '-f', file)).toMatchObject({ code: 0, stdout: `${file}: 1 resource valid\n` });
    const checked = await meshlog('validate', '-f', file, '--server', url);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toBe(
      `${file}:9:34 spec.to[0].default.backends[0].file.path: "/etc/cron.d/x" is outside the directories file backends may write to (${path.join(dir, 'data', 'logs')}; set with --file-sink-root)\n`,
    );
    expect(server.resources.repository.list()).toHaveLength(1);
  });
});
