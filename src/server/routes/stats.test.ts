import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyRegistry } from '../../collector/proxy-registry.js';
import { createLiveTail } from '../../pipeline/live-tail.js';
import { createSqliteStore } from '../../store/sqlite/index.js';
import { contractRow } from '../../store/testing/contract.js';
import type { LogStore } from '../../store/types.js';
import { silentLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { createApp } from '../app.js';
import { parseStatsParams } from './stats.js';

const now = 1_700_000_000_000;

describe('GET /api/v1/stats parameters', () => {
  it('defaults to 15 minutes by workload with about 60 round buckets', () => {
    const parsed = parseStatsParams(new URLSearchParams(), now);
    expect(parsed).toMatchObject({
      ok: true,
      query: { groupBy: 'workload', since: (now - 900_000) * 1000, until: now * 1000, bucketUs: 15_000_000, limit: 100, top: 5 },
    });
  });

  it('takes the filters of /api/v1/logs, a bucket and top', () => {
    const parsed = parseStatsParams(new URLSearchParams('groupBy=edge&since=1h&status=5xx&label=app=reviews&bucket=5m&top=2&limit=3'), now);
    expect(parsed).toMatchObject({
      ok: true,
      query: { groupBy: 'edge', bucketUs: 300_000_000, top: 2, limit: 3, filter: { status: [{ min: 500, max: 599 }], labels: { app: 'reviews' } } },
    });
  });

  it('names every bad parameter', () => {
    const parsed = parseStatsParams(new URLSearchParams('groupBy=pod&top=-1&bucket=soon&follow=1&status=9xx&bogus=1'), now);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.violations.map((v) => v.field).sort()).toEqual(['bogus', 'bucket', 'follow', 'groupBy', 'status', 'top']);
    const tooFine = parseStatsParams(new URLSearchParams('since=7d&bucket=1s'), now);
    expect(tooFine).toMatchObject({ ok: false, violations: [{ field: 'bucket' }] });
  });
});

describe('GET /api/v1/stats', () => {
  let dataDir: string;
  let store: LogStore;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-stats-'));
    store = await createSqliteStore({ dataDir });
    const base = (Date.now() - 60_000) * 1000;
    store.write(Array.from({ length: 30 }, (_, i) => contractRow(i, { ts: base + i * 1_000_000 })));
    await store.flush();
    app = createApp({
      store,
      liveTail: createLiveTail(),
      metrics: createMetrics(),
      proxies: createProxyRegistry(),
      logger: silentLogger(),
      readiness: () => null,
    });
  });

  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers golden signals per workload with rates, durations in ms and a series', async () => {
    const response = await app.request('/api/v1/stats?groupBy=workload&since=5m&cluster=mgmt-cluster');
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body).toMatchObject({ groupBy: 'workload', bucketSeconds: 5 });
    expect(body.groups).toHaveLength(3);
    const [first] = body.groups;
    expect(first.key).toMatchObject({ cluster: 'mgmt-cluster', namespace: 'bookinfo' });
    expect(first.requests).toBe(5);
    expect(first.requestsPerSecond).toBeCloseTo(5 / 300, 3);
    expect(first.errorRate).toBeGreaterThan(0);
    expect(first.durationMs.p99).toBeGreaterThan(first.durationMs.p50);
    expect(first.topFailures[0]).toEqual({ reason: 'TLS error: Secret is not supplied by SDS', requests: expect.any(Number) });
    expect(first.series.reduce((n: number, b: { requests: number }) => n + b.requests, 0)).toBe(5);
    expect(first.series[0].start).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('refuses bad parameters with 400 and names them', async () => {
    const response = await app.request('/api/v1/stats?groupBy=nope');
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).violations[0].field).toBe('groupBy');
  });
});
