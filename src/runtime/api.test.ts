/**
 * The API around the logs: authentication, redaction of sensitive headers, live follow with
 * backfill, and the workloads an AccessLogRecord reports it selects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const token = 'test-token-123';
const records = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: reviews, namespace: gloo-mesh}
spec:
  workloadSelectors: [{kubeWorkloadMatcher: {labels: {app: reviews}}}]
---
apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: ratings-with-auth, namespace: gloo-mesh}
spec:
  workloadSelectors: [{kubeWorkloadMatcher: {labels: {app: ratings}}}]
  includedRequestHeaders: [authorization]
`;

describe('the API', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;
  let als: ReturnType<typeof createAlsClient>;
  const auth = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-api-'));
    server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger(), authToken: token });
    base = `http://127.0.0.1:${server.httpPort}`;
    als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const applied = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: auth, body: records });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    als?.close();
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('requires the token on /v0 and /api, and leaves health and metrics open', async () => {
    expect((await fetch(`${base}/api/v1/logs`)).status).toBe(401);
    expect((await fetch(`${base}/v0/observability/logs`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/logs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/logs`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('redacts sensitive headers unless a record that collected the entry includes them', async () => {
    const secret = { authorization: 'Bearer s3cr3t', cookie: 'session=abc', 'x-user': 'alice' };
    for (const workload of ['reviews-v1', 'ratings-v1']) {
      const stream = als.open();
      await stream.write({
        identifier: istioIdentifier(workload, 'mgmt-cluster'),
        httpLogs: { logEntry: [httpEntry(`/secret/${workload}`, { headers: secret })] },
      });
      await stream.end();
    }
    await server.store.flush();
    const get = async (workload: string) => {
      const body = (await (await fetch(`${base}/api/v1/logs?workload=${workload}&path=/secret/`, { headers: auth })).json()) as { items: any[] };
      return body.items[0].httpAccessLog.request.requestHeaders;
    };
    expect(await get('reviews-v1')).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-user': 'alice' });
    expect(await get('ratings-v1')).toEqual({ authorization: 'Bearer s3cr3t', cookie: '[redacted]', 'x-user': 'alice' });
  });

  it('reports the workloads each record selects', async () => {
    const body = (await (await fetch(`${base}/api/v1/resources?kind=AccessLogRecord`, { headers: auth })).json()) as { items: any[] };
    const byName = Object.fromEntries(body.items.map((r) => [r.metadata.name, r.status.workloads]));
    expect(byName['reviews']).toEqual([{ name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' }]);
    expect(byName['ratings-with-auth']).toEqual([{ name: 'ratings-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' }]);
  });

  it('follows: the latest entries first, then new ones as they are collected, filtered', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/v1/logs?follow=1&limit=1&workload=reviews-v1`, { headers: auth, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/ndjson/);
    const reader = response.body!.getReader();
    const lines: any[] = [];
    let pending = '';
    const readLines = async (n: number) => {
      const deadline = Date.now() + 10_000;
      while (lines.length < n && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += new TextDecoder().decode(value);
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(pending.slice(0, nl)));
          pending = pending.slice(nl + 1);
        }
      }
    };
    await readLines(1);
    expect(lines[0].httpAccessLog.request.path).toBe('/secret/reviews-v1');
    const stream = als.open();
    await stream.write({ identifier: istioIdentifier('ratings-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/not-followed')] } });
    const reviews = als.open();
    await reviews.write({ identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/followed')] } });
    await readLines(2);
    controller.abort();
    await stream.end();
    await reviews.end();
    expect(lines.map((l) => l.httpAccessLog.request.path)).toEqual(['/secret/reviews-v1', '/followed']);
  });

  it('refuses bad query parameters, naming each', async () => {
    const response = await fetch(`${base}/api/v1/logs?status=5xy&since=yesterday&bogus=1`, { headers: auth });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { violations: Array<{ field: string; message: string }> };
    expect(body.violations.map((v) => v.field).sort()).toEqual(['bogus', 'since', 'status']);
    const cursor = await fetch(`${base}/api/v1/logs?cursor=not-ours`, { headers: auth });
    expect(cursor.status).toBe(400);
    expect(((await cursor.json()) as { violations: Array<{ field: string }> }).violations[0]?.field).toBe('cursor');
  });
});
