/**
 * The Gloo seed page, end to end: Envoy ALS over real gRPC in, the page's curl commands out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const seedRecord = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata:
  name: access-log-all
  namespace: gloo-mesh
spec:
  filters:
    - headerMatcher:
        name: foo
        value: bar
`;

/** Splits `?pretty` output (concatenated indented objects) into objects. */
function parseConcatenated(text: string): Array<{ result: { workloadRef: Record<string, string>; httpAccessLog: any } }> {
  return text
    .split(/\n(?=\{)/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => JSON.parse(s));
}

describe('the Gloo seed flow', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;
  let als: ReturnType<typeof createAlsClient>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-e2e-'));
    server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    base = `http://127.0.0.1:${server.httpPort}`;
    als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const applied = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: seedRecord });
    expect(applied.status).toBe(200);

    // The seed's two curls (ratings-v1 → reviews with foo: bar, in each cluster) as both sidecars report them.
    for (const [workload, cluster] of [
      ['ratings-v1', 'mgmt-cluster'],
      ['reviews-v1', 'mgmt-cluster'],
      ['ratings-v1', 'remote-cluster'],
      ['reviews-v3', 'remote-cluster'],
    ] as const) {
      const stream = als.open();
      await stream.write({ identifier: istioIdentifier(workload, cluster), httpLogs: { logEntry: [httpEntry('/reviews/1', { headers: { foo: 'bar' } })] } });
      // Without the header: received but not collected.
      await stream.write({ httpLogs: { logEntry: [httpEntry('/reviews/2')] } });
      expect((await stream.end()).error).toBeNull();
    }
    // productpage in mgmt-cluster, for the selector example.
    const pp = als.open();
    await pp.write({
      identifier: istioIdentifier('productpage-v1', 'mgmt-cluster'),
      httpLogs: { logEntry: [httpEntry('/productpage', { headers: { foo: 'bar' } })] },
    });
    await pp.end();
    await server.store.flush();
  });

  afterAll(async () => {
    als?.close();
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers curl -XPOST 'localhost:8080/v0/observability/logs?pretty' with the latest entries, oldest first", async () => {
    const response = await fetch(`${base}/v0/observability/logs?pretty`, { method: 'POST' });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('\n  "result": {');
    const items = parseConcatenated(text);
    expect(items.map((i) => `${i.result.workloadRef['clusterName']}/${i.result.workloadRef['name']}`)).toEqual([
      'mgmt-cluster/ratings-v1',
      'mgmt-cluster/reviews-v1',
      'remote-cluster/ratings-v1',
      'remote-cluster/reviews-v3',
      'mgmt-cluster/productpage-v1',
    ]);
    const first = items[0]!.result;
    expect(first.workloadRef).toEqual({ name: 'ratings-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' });
    expect(first.httpAccessLog.request).toMatchObject({ requestMethod: 'GET', scheme: 'https', authority: 'reviews:9080', path: '/reviews/1' });
    expect(first.httpAccessLog.response).toMatchObject({ responseCode: 200, responseCodeDetails: 'via_upstream' });
    expect(first.httpAccessLog.commonProperties.upstreamCluster).toBe('outbound|9080||reviews.bookinfo.svc.cluster.local');
    expect(first.httpAccessLog.commonProperties.timeToLastDownstreamTxByte).toBe('0.029632700s');
    expect(first.httpAccessLog.protocolVersion).toBe('HTTP11');
  });

  it('answers the workloadSelectors curl of the seed (app=reviews in mgmt-cluster, or app=productpage)', async () => {
    const body = `{
   "workloadSelectors":[
      {
         "kubeWorkloadMatcher":{
            "labels":{
               "app":"reviews"
            }, "clusters": ["mgmt-cluster"]
         }
      },
      {
         "kubeWorkloadMatcher":{
            "labels":{
               "app":"productpage"
            }
         }
      }
   ]
}`;
    const response = await fetch(`${base}/v0/observability/logs?&pretty`, { method: 'POST', body });
    const items = parseConcatenated(await response.text());
    expect(items.map((i) => i.result.workloadRef['name'])).toEqual(['reviews-v1', 'productpage-v1']);
  });

  it('streams newly collected entries with ?watch=1 and only those', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v0/observability/logs?watch=1`, { method: 'POST', signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const stream = als.open();
    await stream.write({
      identifier: istioIdentifier('details-v1', 'remote-cluster'),
      httpLogs: { logEntry: [httpEntry('/details/0', { headers: { foo: 'bar' } })] },
    });
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('\n') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    await stream.end();
    const item = JSON.parse(text.split('\n')[0]!);
    expect(item.result.workloadRef.name).toBe('details-v1');
    expect(item.result.httpAccessLog.request.path).toBe('/details/0');
  });

  it('refuses a bad body with HTTP 400 naming the problem', async () => {
    const response = await fetch(`${base}/v0/observability/logs`, {
      method: 'POST',
      body: '{"workloadSelectors": [{"kubeWorkloadMatcher": {"labels": {"app": 1}}}]}',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: number; message: string };
    expect(body.code).toBe(3);
    expect(body.message).toBe('workloadSelectors[0].kubeWorkloadMatcher.labels.app: must be a string');
    const notJson = await fetch(`${base}/v0/observability/logs`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/not valid JSON/);
  });
});
