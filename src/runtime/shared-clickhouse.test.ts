/**
 * Two meshlog servers on one ClickHouse database (Debian's 18.16): both answer every query, and a
 * watcher on either sees every entry, wherever it arrived, exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { clickHouseUrl, dropDatabase, freshDatabase } from '../store/clickhouse/testing/harness.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const record = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: everything, namespace: gloo-mesh}
spec: {}
`;

/** Reads NDJSON (or concatenated JSON objects, as Gloo's watch writes them) from a streaming response. */
function lineReader(response: Response) {
  const reader = response.body!.getReader();
  const items: any[] = [];
  let pending = '';
  return {
    items,
    async until(n: number, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (items.length < n && Date.now() < deadline) {
        const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (!next || next.done) break;
        pending += new TextDecoder().decode(next.value);
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) items.push(JSON.parse(line));
        }
      }
    },
  };
}

describe('two servers sharing one ClickHouse', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  let database: string;
  const base = (i: number) => `http://127.0.0.1:${servers[i]!.httpPort}`;

  beforeAll(async () => {
    database = freshDatabase();
    const store = `clickhouse://default:@${new URL(clickHouseUrl()).host}/${database}`;
    for (let i = 0; i < 2; i++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-shared-'));
      dirs.push(dataDir);
      servers.push(await runServer({ dataDir, store, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() }));
      const applied = await fetch(`${base(i)}/api/v1/resources`, { method: 'POST', body: record });
      expect(applied.status).toBe(200);
    }
  });

  afterAll(async () => {
    for (const s of servers) await s.shutdown();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (database) await dropDatabase(database);
  });

  it('delivers an entry collected by one server to watchers on both, once each, and both answer queries', async () => {
    const controller = new AbortController();
    const follow = async (i: number) => lineReader(await fetch(`${base(i)}/api/v1/logs?follow=1&limit=0&workload=reviews-v1`, { signal: controller.signal }));
    const [onA, onB] = [await follow(0), await follow(1)];
    const gloo = lineReader(await fetch(`${base(1)}/v0/observability/logs?watch=1`, { method: 'POST', body: '{}', signal: controller.signal }));
    // Let the tails start from now before the entries arrive.
    await new Promise((r) => setTimeout(r, 500));

    const als = [createAlsClient(`127.0.0.1:${servers[0]!.alsPort}`), createAlsClient(`127.0.0.1:${servers[1]!.alsPort}`)];
    const sent = Date.now();
    for (const [i, client] of als.entries()) {
      const stream = client.open();
      await stream.write({ identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry(`/arrived-at-${i}`)] } });
      await stream.end();
    }
    await Promise.all([onA.until(2), onB.until(2), gloo.until(2)]);
    const latencyMs = Date.now() - sent;
    // Give a duplicate the time to show up, if there were one.
    await new Promise((r) => setTimeout(r, 1000));
    await Promise.all([onA.until(3, 200), onB.until(3, 200)]);
    controller.abort();
    for (const client of als) client.close();

    const paths = (items: any[]) => items.map((l) => l.httpAccessLog?.request?.path ?? l.result?.httpAccessLog?.request?.path).sort();
    expect(paths(onA.items)).toEqual(['/arrived-at-0', '/arrived-at-1']);
    expect(paths(onB.items)).toEqual(['/arrived-at-0', '/arrived-at-1']);
    expect(paths(gloo.items)).toEqual(['/arrived-at-0', '/arrived-at-1']);
    process.stdout.write(`shared ClickHouse: both entries reached every watcher ${latencyMs} ms after they were sent\n`);

    // Delivery latency across servers: sent to A, seen by a watcher on B (printed, never asserted).
    const probe = new AbortController();
    const onB2 = lineReader(await fetch(`${base(1)}/api/v1/logs?follow=1&limit=0&workload=latency-v1`, { signal: probe.signal }));
    await new Promise((r) => setTimeout(r, 500));
    const latencies: number[] = [];
    const client = createAlsClient(`127.0.0.1:${servers[0]!.alsPort}`);
    for (let i = 0; i < 10; i++) {
      const at = Date.now();
      const stream = client.open();
      await stream.write({ identifier: istioIdentifier('latency-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry(`/latency/${i}`)] } });
      await stream.end();
      await onB2.until(i + 1);
      if (onB2.items.length === i + 1) latencies.push(Date.now() - at);
    }
    probe.abort();
    client.close();
    expect(onB2.items).toHaveLength(10);
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `shared ClickHouse: delivery to a watcher on the other server, ms: p50 ${latencies[5]}, max ${latencies[9]} (${latencies.join(' ')})\n`,
    );

    for (const s of servers) await s.store.flush();
    for (let i = 0; i < 2; i++) {
      const body = (await (await fetch(`${base(i)}/api/v1/logs?workload=reviews-v1`)).json()) as { items: any[] };
      expect(body.items.map((it) => it.httpAccessLog.request.path).sort()).toEqual(['/arrived-at-0', '/arrived-at-1']);
      const reviews = '{"workloadSelectors": [{"kubeWorkloadMatcher": {"labels": {"app": "reviews"}}}]}';
      const latest = await (await fetch(`${base(i)}/v0/observability/logs`, { method: 'POST', body: reviews })).text();
      expect(latest).toContain('/arrived-at-0');
      expect(latest).toContain('/arrived-at-1');
    }
  });
});
