/**
 * The HTTP API of a meshlog server, as a Hono app (tests drive it in-process with `app.request`).
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ProxyRegistry } from '../collector/proxy-registry.js';
import type { LiveTail } from '../pipeline/live-tail.js';
import type { PolicyContext } from '../policy/index.js';
import type { StoreHandle } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { maxRequestBodyBytes } from './http-limits.js';
import { addLogRoutes } from './routes/logs.js';
import { addProxyRoutes } from './routes/proxies.js';
import { addRequestRoutes } from './routes/requests.js';
import { addServerInfoRoute } from './routes/server-info.js';
import { addStatsRoutes } from './routes/stats.js';
import { addViewerRoutes } from './static.js';

export interface AppDeps {
  readonly store: StoreHandle;
  readonly liveTail: LiveTail;
  readonly metrics: Metrics;
  readonly proxies: ProxyRegistry;
  readonly logger: Logger;
  /** When set, `/v0` and `/api` require `Authorization: Bearer <token>`; health and metrics stay open. */
  readonly authToken?: string;
  /** Null when ready; else why not (the body of a 503 from `/readyz`). */
  readonly readiness: () => string | null;
  /** The resources in force (policies, backends, inventory), for the proxy routes. */
  readonly policyContext?: () => PolicyContext;
  /** Where the built web viewer is (default `dist/web` of this checkout). */
  readonly viewerRoot?: string;
  /** Adds routes owned by other parts (resources, policies). */
  readonly extraRoutes?: ReadonlyArray<(app: Hono) => void>;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    const end = deps.metrics.httpRequestSeconds.startTimer();
    await next();
    // The route pattern (`/api/v1/requests/:id`), never the path: one series per route, not per id.
    const route = routePath(c);
    end({ method: c.req.method, route: route === '/*' || route === '*' ? 'unmatched' : route, code: String(c.res.status) });
  });
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', (c) => {
    const problem = deps.readiness();
    return problem === null ? c.text('ready\n') : c.text(`not ready: ${problem}\n`, 503);
  });
  app.get('/metrics', async (c) => {
    const { contentType, text } = await deps.metrics.exposition();
    return c.body(text, 200, { 'content-type': contentType });
  });
  // Only /v0 and /api take bodies; health and metrics are GETs.
  const limit = bodyLimit({
    maxSize: maxRequestBodyBytes,
    onError: (c) => c.json({ error: `the request body is larger than ${maxRequestBodyBytes} bytes (1 MiB)` }, 413),
  });
  app.use('/v0/*', limit);
  app.use('/api/*', limit);
  if (deps.authToken) {
    const auth = bearerAuth({ token: deps.authToken });
    app.use('/v0/*', auth);
    app.use('/api/*', auth);
  }
  addLogRoutes(app, deps);
  addRequestRoutes(app, deps);
  addProxyRoutes(app, deps);
  addServerInfoRoute(app, deps);
  addStatsRoutes(app, deps);
  for (const add of deps.extraRoutes ?? []) add(app);
  addViewerRoutes(app, deps.viewerRoot);
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((err, c) => {
    // Deliberate answers (401 from bearer auth) pass through; anything else is our failure.
    if (err instanceof HTTPException) return err.getResponse();
    deps.logger.error({ err, path: new URL(c.req.url).pathname }, 'An API request failed.');
    return c.json({ error: 'internal error; the server log has the details' }, 500);
  });
  return app;
}
