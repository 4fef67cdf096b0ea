/**
 * `GET /api/v1/requests/{id}`: every kept entry of one request (by `x-request-id`), across proxies
 * and clusters, as a hop chain (`request-trace.ts`). `meshlog trace ID` prints it.
 */
import type { Hono } from 'hono';
import { decodeStored, v1Item } from '../../protojson/items.js';
import { buildTrace, type TraceItem } from '../request-trace.js';
import { type LogRoutesDeps, timedQuery } from './logs.js';

/** More entries than any real request has; a request id reused by a broken client stops here. */
export const maxTraceEntries = 1000;

export function addRequestRoutes(app: Hono, deps: Pick<LogRoutesDeps, 'store' | 'metrics'>): void {
  app.get('/api/v1/requests/:id', async (c) => {
    const id = c.req.param('id');
    const { items, nextCursor } = await timedQuery(deps, 'request', { requestIds: [id], limit: maxTraceEntries });
    if (items.length === 0) {
      return c.json(
        { error: `no kept entry has the request id "${id}" (only entries an AccessLogRecord selected are kept, until retention removes them)` },
        404,
      );
    }
    const trace = buildTrace(
      id,
      items.map((s) => v1Item(s, decodeStored(s)) as unknown as TraceItem),
    );
    return c.json({ ...trace, ...(nextCursor ? { truncated: `only the latest ${maxTraceEntries} entries of this request id are shown` } : {}) });
  });
}
