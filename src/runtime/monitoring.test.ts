/**
 * Monitoring meshlog itself: the metrics a stock dashboard and our alerts read (and the commit
 * callback the ingest latency is measured with), and log lines with ISO times and level names.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { createShardStore } from '../store/sqlite/shard-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const record = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: all, namespace: gloo-mesh}
spec: {}
`;

/** The value of one sample line of the exposition (`name{labels} value`). */
function sample(text: string, line: RegExp): number | undefined {
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.slice(found.lastIndexOf(' ') + 1));
}

describe('monitoring meshlog', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-monitoring-'));
    server = await runServer({
      dataDir,
      alsHost: '127.0.0.1',
      alsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
      retention: { maxAgeMs: 86_400_000, maxBytes: 1e9 },
    });
    base = `http://127.0.0.1:${server.httpPort}`;
    expect((await fetch(`${base}/api/v1/resources`, { method: 'POST', body: record })).status).toBe(200);
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves process and Node metrics under their standard names, build info, counters as _total and known reasons at 0', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toMatch(/^meshlog_process_/m);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(sample(text, new RegExp(`^meshlog_build_info\\{version="${version.replace(/\./g, '\\.')}",node_version="${process.version}"\\}`))).toBe(1);
    expect(text).toMatch(/^# TYPE meshlog_store_write_failures_total counter$/m);
    expect(sample(text, /^meshlog_store_write_failures_total /)).toBe(0);
    for (const reason of ['malformed', 'routing_error', 'format_error'])
      expect(sample(text, new RegExp(`^meshlog_entries_dropped_total\\{reason="${reason}"\\}`))).toBe(0);
    for (const reason of ['malformed', 'missing_identifier', 'oversized', 'too_many_streams', 'internal'])
      expect(sample(text, new RegExp(`^meshlog_als_errors_total\\{reason="${reason}"\\}`))).toBe(0);
    expect(sample(text, /^meshlog_store_retention_bytes /)).toBe(1e9);
    expect(sample(text, /^meshlog_store_retention_seconds /)).toBe(86_400);
  });

  it('observes ALS batch → commit, query time and HTTP request time', async () => {
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const stream = als.open();
    await stream.write({ identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/a'), httpEntry('/b')] } });
    await stream.end();
    als.close();
    await server.store.flush();
    expect((await fetch(`${base}/api/v1/logs?limit=5`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, /^meshlog_ingest_commit_seconds_count /)).toBeGreaterThanOrEqual(1);
    expect(sample(text, /^meshlog_query_duration_seconds_count\{query="logs"\}/)).toBeGreaterThanOrEqual(1);
    expect(sample(text, /^meshlog_query_duration_seconds_count\{query="request"\}/)).toBe(0);
    expect(sample(text, /^meshlog_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/logs",code="200"\}/)).toBeGreaterThanOrEqual(1);
    // One series per route pattern, none per unknown path.
    await fetch(`${base}/no/such/path`);
    const after = await (await fetch(`${base}/metrics`)).text();
    expect(sample(after, /^meshlog_http_request_duration_seconds_count\{method="GET",route="unmatched",code="404"\}/)).toBe(1);
  });

  it('tells a writer when its rows are committed, in the single-process store and in an ingest shard', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-settled-'));
    const stored = (await server.store.query({ limit: 1 })).items[0]!;
    const row = {
      ...stored,
      method: 'GET',
      authority: null,
      path: '/x',
      status: 200,
      durationUs: 1,
      responseFlags: '',
      upstreamCluster: null,
      requestId: null,
      bytesReceived: 0,
      bytesSent: 0,
      upstreamFailure: null,
    };
    const store = await createSqliteStore({ dataDir: path.join(dir, 'single'), batchDelayMs: 60_000 });
    mkdirSync(path.join(dir, 'shard'));
    const shard = createShardStore({ dataDir: path.join(dir, 'shard'), shard: 0, batchDelayMs: 60_000 });
    try {
      for (const writer of [store, shard]) {
        let settled = 0;
        writer.write([row, row], () => settled++);
        writer.write([row], () => settled++);
        // Held for a batch that has not been committed yet.
        expect(settled).toBe(0);
        await writer.flush();
        expect(settled).toBe(2);
      }
    } finally {
      await store.close();
      await shard.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs ISO times and level names as JSON when standard error is not a terminal', async () => {
    const script = "import { createLogger } from './src/telemetry/logger.ts'; createLogger().info({ proxy: 'p' }, 'A proxy opened its first ALS stream.');";
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      timeout: 20_000,
    });
    const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', proxy: 'p', msg: 'A proxy opened its first ALS stream.' });
    expect(line['time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
