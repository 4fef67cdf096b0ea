/**
 * The HTTP route table, read from the app a server builds: `createApp` with stand-in
 * dependencies (nothing is listened on, stored or requested) plus the resource routes of
 * `startResources`. Hono lists what was registered in `app.routes`; the meaning of each route is
 * written here, and a route without one (or one without a route) stops the generator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createProxyRegistry } from '../../src/collector/proxy-registry.js';
import type { LiveTail } from '../../src/pipeline/live-tail.js';
import { startResources } from '../../src/runtime/resources.js';
import { createApp } from '../../src/server/app.js';
import type { StoreHandle } from '../../src/store/types.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { cell } from './markers.js';

export interface HttpRoute {
  readonly method: string;
  readonly path: string;
  /** Whether `--auth-token` puts this route behind `Authorization: Bearer`. */
  readonly needsToken: boolean;
}

/** What each route is for, keyed `METHOD path` as Hono registers it. */
export const routeMeanings: Readonly<Record<string, string>> = {
  'GET /healthz': 'liveness: `ok`',
  'GET /readyz':
    'readiness: `ready` once the ALS and HTTP ports listen and ingest can keep what it takes, else HTTP 503 `not ready: <why>` (a store that cannot write, an ingest worker restarting, input held back for more than 10 s)',
  'GET /metrics': 'Prometheus text exposition (see [monitoring](../operations/monitoring.md#metrics))',
  'POST /v0/observability/logs': "Gloo Mesh's query: the latest 10 entries, or a stream with `?watch=1`",
  'GET /api/v1/logs': 'entries newest first, filtered; `follow=1` streams',
  'GET /api/v1/requests/:id': 'one request across proxies: its hops, caller vs callee time, retries, where it failed',
  'GET /api/v1/server': 'version, Envoy API, and what the server has taken in (entries received, collected, not selected)',
  'GET /api/v1/stats': 'golden signals per workload, edge, path, status class or response flag over a time range, with a series',
  'GET /api/v1/proxies': 'the inventory: declared `Dataplane`s and proxies that sent logs',
  'GET /api/v1/proxies/:id/policies': 'what the `MeshAccessLog` policies resolve to for one proxy',
  'GET /api/v1/proxies/:id/envoy': "that proxy's Envoy (or Istio) configuration",
  'POST /api/v1/resources': 'apply resources (YAML or JSON, many documents)',
  'GET /api/v1/resources': 'list resources, `?kind=` for one kind',
  'GET /api/v1/resources/:kind/:name': 'read one resource',
  'DELETE /api/v1/resources/:kind/:name': 'delete one resource applied through the API',
  'GET /': 'the [web viewer](web-viewer.md) (its page; the `/#/...` forms of the views come here too)',
  'GET /logs': "the viewer's logs view (the page; the view's filters are the query)",
  'GET /failures': "the viewer's failures by edge and cause",
  'GET /requests/:id': "the viewer's hops of one request",
  'GET /overview': "the viewer's golden signals and service map",
  'GET /proxies': "the viewer's proxy inventory",
  'GET /proxies/:id': "the viewer's rules and Envoy config of one proxy",
  'GET /assets/*': "the viewer's script, stylesheet and bundled licences (`npm run build` makes them)",
};

export async function listRoutes(): Promise<HttpRoute[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-docs-'));
  try {
    const logger = silentLogger();
    const proxies = createProxyRegistry();
    const resources = await startResources({ dataDir, onContext: () => undefined, proxies, logger });
    const app = createApp({
      store: {} as StoreHandle,
      liveTail: {} as LiveTail,
      metrics: createMetrics(),
      proxies,
      logger,
      authToken: 'docs',
      readiness: () => 'documenting',
      policyContext: () => resources.context(),
      extraRoutes: [resources.routes],
    });
    await resources.close();
    // Middleware (the bearer check) is registered for every method on a `/prefix/*` pattern; the
    // one on every path (`/*`, request timing) guards nothing.
    const guarded = app.routes.filter((r) => r.method === 'ALL' && r.path.endsWith('/*') && r.path !== '/*').map((r) => r.path.slice(0, -1));
    return app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, path: r.path, needsToken: guarded.some((prefix) => r.path.startsWith(prefix)) }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function routesTable(routes: readonly HttpRoute[]): string {
  const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const undocumented = [...keys].filter((k) => !(k in routeMeanings));
  const gone = Object.keys(routeMeanings).filter((k) => !keys.has(k));
  if (undocumented.length > 0 || gone.length > 0) {
    throw new Error(
      `scripts/docs/http-routes.ts: routeMeanings is out of step with the server${undocumented.length ? `; describe ${undocumented.join(', ')}` : ''}${gone.length ? `; no longer served: ${gone.join(', ')}` : ''}`,
    );
  }
  const lines = ['| method | path | token with `--auth-token` | what |', '|---|---|---|---|'];
  for (const r of routes) {
    const shown = r.path.replace(/:(\w+)/g, '{$1}');
    lines.push(`| ${r.method} | \`${shown}\` | ${r.needsToken ? 'yes' : 'no'} | ${cell(routeMeanings[`${r.method} ${r.path}`]!)} |`);
  }
  return lines.join('\n');
}
