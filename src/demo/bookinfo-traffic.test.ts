import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, runServer } from '../runtime/serve.js';
import { silentLogger } from '../telemetry/logger.js';
import { bookinfoProxies } from './bookinfo-proxies.js';
import { requestHops } from './bookinfo-requests.js';
import { mulberry32, startBookinfoTraffic } from './bookinfo-traffic.js';
import { failedCallsLog, failedCallsPolicy } from './demo-policy.js';

describe('request hops', () => {
  it('pair an outbound entry at the caller with an inbound entry at the callee, sharing the request id', () => {
    const proxies = bookinfoProxies();
    const random = mulberry32(42);
    for (let i = 0; i < 200; i++) {
      for (const hop of requestHops(proxies, i % 2 ? 'remote-cluster' : 'mgmt-cluster', 1_700_000_000_000, random)) {
        if (hop.kind !== 'http') continue;
        const out = hop.outbound as any;
        expect(out?.commonProperties.upstreamCluster ?? 'outbound|').toMatch(/^outbound\|9080\|\|\w+\.bookinfo\.svc\.cluster\.local$|^outbound\|$/);
        if (hop.inbound && out) {
          expect((hop.inbound as any).commonProperties.upstreamCluster).toBe('inbound|9080||');
          expect((hop.inbound as any).request.requestId).toBe(out.request.requestId);
        }
      }
    }
  });

  it("pass the user request's foo: bar on at every hop, so the guide's record keeps whole requests; failing ones carry it", () => {
    const random = mulberry32(11);
    for (let i = 0; i < 300; i++) {
      // Every HTTP hop of the user's request; the guide's curl from the ratings pod is a request of its own.
      const hops = requestHops(bookinfoProxies(), i % 2 ? 'remote-cluster' : 'mgmt-cluster', 1_700_000_000_000, random).filter(
        (h) => h.kind === 'http' && (h.outbound as any)?.request.path !== '/reviews/1',
      );
      const foo = new Set(hops.map((h) => ((h.outbound ?? h.inbound) as any).request.requestHeaders?.foo === 'bar'));
      expect(foo.size).toBe(1);
      if (hops.some((h) => (h.outbound as any)?.response.responseCode.value === 503)) expect([...foo]).toEqual([true]);
    }
  });

  it('is deterministic for a seed', () => {
    const strip = (hops: ReturnType<typeof requestHops>) =>
      JSON.stringify(hops.map((h) => [h.from?.id, h.to?.id, (h.outbound as any)?.response?.responseCode]));
    const a = requestHops(bookinfoProxies(), 'remote-cluster', 0, mulberry32(7));
    const b = requestHops(bookinfoProxies(), 'remote-cluster', 0, mulberry32(7));
    expect(strip(a)).toBe(strip(b));
  });
});

describe('simulated bookinfo traffic over real gRPC ALS', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-demo-'));
    server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    base = `http://127.0.0.1:${server.httpPort}`;
    await fetch(`${base}/api/v1/resources`, {
      method: 'POST',
      body: 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n',
    });
    const policy = await fetch(`${base}/api/v1/resources`, { method: 'POST', body: failedCallsPolicy(dataDir) });
    expect(policy.status, await policy.clone().text()).toBe(200);
    const traffic = startBookinfoTraffic({ target: `127.0.0.1:${server.alsPort}`, requestsPerSecond: 100, flushIntervalMs: 50, seed: 3 });
    const deadline = Date.now() + 10_000;
    while (traffic.stats().requests < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await traffic.stop();
    expect(traffic.stats().streamErrors).toBe(0);
    await server.store.flush();
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes the failed calls of the demo's MeshAccessLog to its file, naming both services", async () => {
    // The file sink writes in batches, a few times a second.
    const read = () => (existsSync(failedCallsLog(dataDir)) ? readFileSync(failedCallsLog(dataDir), 'utf8') : '');
    for (let i = 0; i < 100 && !read().includes('TLS error'); i++) await new Promise((r) => setTimeout(r, 50));
    const lines = read().trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => / (503|50\d) /.test(l))).toBe(true);
    expect(lines.some((l) => /\] remote-cluster productpage -> ratings "GET \/ratings\/\d+" 503 UF "TLS error: Secret is not supplied by SDS"$/.test(l))).toBe(
      true,
    );
  });

  it('identifies every proxy with its workload and cluster, under both GLOO_MESH_CLUSTER_NAME conventions', async () => {
    const { items } = (await (await fetch(`${base}/api/v1/proxies`)).json()) as {
      items: Array<{ workloadRef: { name: string; clusterName: string }; labels: Record<string, string> }>;
    };
    const names = new Set(items.map((p) => `${p.workloadRef.clusterName}/${p.workloadRef.name}`));
    for (const cluster of ['mgmt-cluster', 'remote-cluster']) {
      for (const w of ['productpage-v1', 'details-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1', 'mysqldb-v1'])
        expect(names).toContain(`${cluster}/${w}`);
    }
    expect(names).toContain('mgmt-cluster/istio-ingressgateway');
    expect(items.every((p) => !('pod-template-hash' in p.labels))).toBe(true);
  });

  it('pages the proxy inventory with a cursor, every proxy once', async () => {
    const all = (await (await fetch(`${base}/api/v1/proxies`)).json()) as { items: Array<{ id: string }> };
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const body = (await (await fetch(`${base}/api/v1/proxies?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        items: Array<{ id: string }>;
        nextCursor?: string;
      };
      expect(body.items.length).toBeLessThanOrEqual(4);
      ids.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(ids).toEqual(all.items.map((p) => p.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect((await fetch(`${base}/api/v1/proxies?limit=0`)).status).toBe(400);
  });

  it('sends what the guide shows: foo: bar requests, TLS failures, retries exhausted, TCP entries', async () => {
    const get = async (query: string) => ((await (await fetch(`${base}/api/v1/logs?limit=10000&${query}`)).json()) as { items: any[] }).items;
    const all = await get('');
    const foo = all.filter((i) => i.httpAccessLog?.request?.requestHeaders?.foo === 'bar');
    expect(foo.length / all.length).toBeGreaterThan(0.15);
    expect(foo.length / all.length).toBeLessThan(0.6);
    const tls = await get('flags=UF&cluster=remote-cluster&workload=productpage-v1');
    expect(tls.some((i) => i.httpAccessLog.commonProperties.upstreamTransportFailureReason === 'TLS error: Secret is not supplied by SDS')).toBe(true);
    expect((await get('flags=URX')).every((i) => i.httpAccessLog.response.responseCode === 503)).toBe(true);
    expect((await get('kind=tcp')).length).toBeGreaterThan(0);
    const errors = await (await fetch(`${base}/metrics`)).text();
    expect(errors).not.toMatch(/^meshlog_als_errors_total\{reason="missing_identifier"\} [1-9]/m);
  });
});
