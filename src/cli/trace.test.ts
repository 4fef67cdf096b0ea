/**
 * Who called whom and one request across proxies, end to end: the demo's simulated bookinfo
 * sidecars send both sides of each call with one request id over real gRPC ALS; `meshlog logs`
 * filters by caller and callee, and `GET /api/v1/requests/{id}` / `meshlog trace` show the hops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBookinfoTraffic } from '../demo/bookinfo-traffic.js';
import { type RunningServer, runServer } from '../runtime/serve.js';
import type { RequestTrace } from '../server/request-trace.js';
import { silentLogger } from '../telemetry/logger.js';
import { runMeshlog } from './testing/run-meshlog.js';

describe('following requests across the simulated bookinfo mesh', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;
  const items = async (query: string) => ((await (await fetch(`${base}/api/v1/logs?limit=10000&${query}`)).json()) as { items: any[] }).items;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-trace-'));
    server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    base = `http://127.0.0.1:${server.httpPort}`;
    await fetch(`${base}/api/v1/resources`, {
      method: 'POST',
      body: 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n',
    });
    const traffic = startBookinfoTraffic({ target: `127.0.0.1:${server.alsPort}`, requestsPerSecond: 100, flushIntervalMs: 50, seed: 3 });
    const deadline = Date.now() + 15_000;
    // Enough requests that the rarer failures (a TLS error in remote-cluster, retries exhausted) happen.
    while (traffic.stats().requests < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await traffic.stop();
    await server.store.flush();
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('filters by caller, callee, service, direction, request id, authority, kind and a workload regex', async () => {
    const out = await items('fromWorkload=productpage-v1&toService=ratings&direction=outbound');
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((i) => i.source.workload === 'productpage-v1' && i.destination.service === 'ratings.bookinfo' && i.direction === 'outbound')).toBe(true);
    const into = await items('toWorkload=ratings-v1&fromNamespace=bookinfo&toNamespace=bookinfo&direction=inbound');
    expect(into.length).toBeGreaterThan(0);
    expect(into.every((i) => i.destination.workload === 'ratings-v1' && i.workloadRef.name === 'ratings-v1')).toBe(true);
    const id = out[0].httpAccessLog.request.requestId;
    expect((await items(`requestId=${id}`)).every((i) => i.httpAccessLog.request.requestId === id)).toBe(true);
    expect((await items('authority=details:9080')).every((i) => i.httpAccessLog.request.authority === 'details:9080')).toBe(true);
    expect((await items('kind=tcp')).every((i) => i.kind === 'tcp')).toBe(true);
    const reviews = await items('workloadRegex=^reviews-v[23]$');
    expect(new Set(reviews.map((i) => i.workloadRef.name))).toEqual(new Set(['reviews-v2', 'reviews-v3']));
    const bad = await fetch(`${base}/api/v1/logs?direction=sideways&workloadRegex=(`);
    expect(((await bad.json()) as { violations: Array<{ field: string }> }).violations.map((v) => v.field)).toEqual(['workloadRegex', 'direction']);
  });

  it('shows a request as hops: caller vs callee time through the gateway', async () => {
    const [entry] = await items('fromWorkload=istio-ingressgateway&direction=outbound');
    const id = entry.httpAccessLog.request.requestId as string;
    const trace = (await (await fetch(`${base}/api/v1/requests/${id}`)).json()) as RequestTrace;
    expect(trace.clusters).toEqual(['mgmt-cluster']);
    expect(trace.failedHop).toBeNull();
    const [root, ...rest] = trace.hops;
    expect(root).toMatchObject({ parent: null, depth: 0, method: 'GET', path: '/productpage', status: 200, attempts: 1, flags: [] });
    expect(root!.from.workload).toBe('istio-ingressgateway');
    expect(root!.to.workload).toBe('productpage-v1');
    expect(root!.callerMs! - root!.calleeMs!).toBeCloseTo(root!.networkMs!, 3);
    expect(root!.networkMs).toBeGreaterThan(0.29);
    expect(root!.networkMs).toBeLessThan(1.31);
    // productpage calls details and reviews for it; each call was logged on both sides.
    const children = rest.filter((h) => h.parent === root!.index);
    expect(children.map((h) => h.to.workload).sort()).toEqual(['details-v1', expect.stringMatching(/^reviews-v[123]$/)]);
    for (const hop of rest.filter((h) => h.method)) expect(hop.inbound).toHaveLength(1);
  });

  it('shows the hop that never reached its callee, and why', async () => {
    const [tls] = await items('flags=UF&cluster=remote-cluster&workload=productpage-v1&toService=ratings');
    expect(tls).toBeDefined();
    const id = tls.httpAccessLog.request.requestId as string;
    const trace = (await (await fetch(`${base}/api/v1/requests/${id}`)).json()) as RequestTrace;
    expect(trace.clusters).toEqual(['remote-cluster']);
    // remote-cluster has no gateway in the demo: the first hop is productpage's inbound alone.
    const root = trace.hops.find((h) => h.parent === null && h.to.workload === 'productpage-v1')!;
    expect(root.outbound).toBeNull();
    const failed = trace.hops[trace.failedHop!]!;
    expect(failed).toMatchObject({ parent: root.index, depth: 1, status: 503, flags: ['UF'], inbound: [] });
    expect(failed.from.workload).toBe('productpage-v1');
    expect(failed.to.service).toBe('ratings.bookinfo');
    expect(failed.failure).toEqual({
      where: 'network',
      why: expect.stringMatching(/^never reached ratings-v1: "TLS error: Secret is not supplied by SDS"; UpstreamConnectionFailure/),
    });

    const cli = await runMeshlog(['trace', id, '--server', base, '--color', 'never']);
    expect(cli.code).toBe(0);
    const lines = cli.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`request ${id}: ${trace.entries} entries, ${trace.hops.length} hops, remote-cluster; failed at bookinfo/productpage-v1 → ratings-v1`);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\+0\.00ms {2}remote-cluster 192\.168\.2\.19 → bookinfo\/productpage-v1:9080 {2}GET \/productpage {2}200 {2}caller — {2}callee \S+ms {2}\(caller not reporting\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}\+\S+ms {2}remote-cluster bookinfo\/productpage-v1 → ratings-v1:9080 {2}GET \/ratings\/0 {2}503 {2}UF {2}caller \S+ms {2}callee —$/,
      ),
    );
    expect(lines).toContainEqual(
      '      ✗ between caller and callee: never reached ratings-v1: "TLS error: Secret is not supplied by SDS"; UpstreamConnectionFailure; upstream_reset_before_response_started{connection_failure,TLS_error:_Secret_is_not_supplied_by_SDS}',
    );
  });

  it('shows retries and where they ended', async () => {
    const [exhausted] = await items('flags=URX');
    expect(exhausted).toBeDefined();
    const trace = (await (await fetch(`${base}/api/v1/requests/${exhausted.httpAccessLog.request.requestId}`)).json()) as RequestTrace;
    const failed = trace.hops[trace.failedHop!]!;
    expect(failed).toMatchObject({ attempts: 3, flags: ['UF', 'URX'], status: 503 });
    expect(failed.from.workload).toBe('reviews-v3');
    expect(failed.failure!.why).toMatch(/UpstreamRetryLimitExceeded/);
  });

  it('prints the request id in -o wide, so the trace is one command away; says when a request id is unknown', async () => {
    const wide = await runMeshlog(['logs', 'reviews-v.*', '--server', base, '--color', 'never', '-o', 'wide', '--last', '3', '--kind', 'http']);
    expect(wide.code).toBe(0);
    const lines = wide.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/reviews-v\d.* id=[0-9a-f-]{36}$/);
    const unknown = await runMeshlog(['trace', 'no-such-id', '--server', base]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no kept entry has the request id "no-such-id"/);
  });
});
