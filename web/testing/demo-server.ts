/**
 * A real `meshlog serve` fed by the demo's simulated bookinfo sidecars over gRPC ALS, with the
 * viewer freshly built from `web/`, for the browser tests. Like `meshlog demo` it applies the
 * `failed-calls` MeshAccessLog; the AccessLogRecord keeps every entry (the demo's keeps only
 * `foo: bar` requests) so that the tail has plenty to show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadResources } from '../../src/api/load-yaml.js';
import { startBookinfoTraffic, type Traffic } from '../../src/demo/bookinfo-traffic.js';
import { failedCallsPolicy } from '../../src/demo/demo-policy.js';
import { type RunningServer, runServer } from '../../src/runtime/serve.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { buildViewer } from '../build.js';

const keepEverything = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: everything, namespace: gloo-mesh}
spec: {}
`;

export interface DemoServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly server: RunningServer;
  /** More simulated traffic on top of the steady rate; stopped with the server at the latest. */
  burst(requestsPerSecond: number): Traffic;
  /** Polls the API (with the token, if any) until `ready` holds, for at most `timeoutMs`. */
  waitForApi(query: string, ready: (items: any[]) => boolean, timeoutMs?: number): Promise<any[]>;
  stop(): Promise<void>;
}

export async function startDemoServer(options: { requestsPerSecond: number; seed: number; authToken?: string }): Promise<DemoServer> {
  await buildViewer();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-web-'));
  const server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, authToken: options.authToken, logger: silentLogger() });
  const { resources, problems } = loadResources(`${keepEverything}---\n${failedCallsPolicy(dataDir)}`, 'web-test');
  if (problems.length) throw new Error(`web/testing/demo-server.ts: bad resources: ${JSON.stringify(problems)}`);
  await server.resources.repository.apply(resources.map((r) => r.resource));
  const target = `127.0.0.1:${server.alsPort}`;
  const traffics = [startBookinfoTraffic({ target, requestsPerSecond: options.requestsPerSecond, flushIntervalMs: 200, seed: options.seed })];
  const base = `http://127.0.0.1:${server.httpPort}`;
  const headers: Record<string, string> = options.authToken ? { authorization: `Bearer ${options.authToken}` } : {};
  return {
    base,
    server,
    burst(requestsPerSecond) {
      const t = startBookinfoTraffic({ target, requestsPerSecond, flushIntervalMs: 100, seed: options.seed + traffics.length });
      traffics.push(t);
      return t;
    },
    async waitForApi(query, ready, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await fetch(`${base}/api/v1/logs?${query}`, { headers });
        const { items } = (await response.json()) as { items: any[] };
        if (ready(items)) return items;
        if (Date.now() > deadline) throw new Error(`The API never had what the test waits for: /api/v1/logs?${query} gave ${items.length} items`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      await Promise.all(traffics.map((t) => t.stop()));
      await server.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
