/**
 * `GET /api/v1/server`: which meshlog answers (version, Node.js, the Envoy access-log APIs it
 * speaks and where their protos come from) and what it has taken in so far (entries received,
 * collected, not selected; AccessLogRecords in force; proxies heard from). `meshlog version`
 * prints the first part; `meshlog logs` uses the second to explain an empty answer.
 */
import type { Hono } from 'hono';
import type { ProxyRegistry } from '../../collector/proxy-registry.js';
import { protoSource } from '../../envoy/protos.js';
import type { PolicyContext } from '../../policy/index.js';
import type { StoreHandle } from '../../store/types.js';
import { buildInfo } from '../../telemetry/build-info.js';
import type { Metrics } from '../../telemetry/metrics.js';

export interface ServerInfoDeps {
  readonly store: StoreHandle;
  readonly metrics: Metrics;
  readonly proxies: ProxyRegistry;
  readonly policyContext?: () => PolicyContext;
}

export function addServerInfoRoute(app: Hono, deps: ServerInfoDeps): void {
  const startedAt = new Date().toISOString();
  app.get('/api/v1/server', async (c) => {
    const build = buildInfo();
    const stats = deps.store.stats();
    return c.json({
      version: build.version,
      node: build.node,
      envoy: { accessLogService: ['v3', 'v2'], protos: protoSource() },
      startedAt,
      ingest: await deps.metrics.entries.totals(),
      accessLogRecords: deps.policyContext?.().records.length ?? 0,
      proxies: deps.proxies.list().length,
      store: { entries: stats.entries, bytesOnDisk: stats.bytesOnDisk },
    });
  });
}
