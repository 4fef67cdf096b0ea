/**
 * The log query endpoints: Gloo's `POST /v0/observability/logs` and meshlog's `GET /api/v1/logs`.
 */
import type { Hono } from 'hono';
import { formatViolations } from '../../model/violations.js';
import type { LiveTail } from '../../pipeline/live-tail.js';
import { dedupeKey } from '../../pipeline/watch-render.js';
import { decodeStored, stringify, v1Item } from '../../protojson/items.js';
import type { LogQuery, QueryResult, StoredEntry, StoreHandle } from '../../store/types.js';
import { InvalidCursorError } from '../../store/types.js';
import type { Metrics, QueryName } from '../../telemetry/metrics.js';
import { parseGlooLogsBody } from '../gloo-logs-request.js';
import { parseLogsParams } from '../log-query-params.js';
import { watchStream } from '../watch-stream.js';
import { glooLines, v1Lines } from './item-lines.js';

export interface LogRoutesDeps {
  readonly store: StoreHandle;
  readonly liveTail: LiveTail;
  readonly metrics: Metrics;
}

/** A store read, timed in `meshlog_query_duration_seconds{query}`. */
export async function timedQuery(deps: Pick<LogRoutesDeps, 'store' | 'metrics'>, name: QueryName, query: LogQuery): Promise<QueryResult> {
  const done = deps.metrics.timeQuery(name);
  try {
    return await deps.store.query(query);
  } finally {
    done();
  }
}

/** Gloo returns "up to 10 of the latest access logs" when not watching. */
const glooLatest = 10;

export function addLogRoutes(app: Hono, deps: LogRoutesDeps): void {
  const { store, liveTail } = deps;
  app.post('/v0/observability/logs', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const watch = isTrue(params.get('watch'));
    const pretty = params.has('pretty') && !isFalse(params.get('pretty'));
    const parsed = parseGlooLogsBody(await c.req.text());
    if (!parsed.ok) {
      // grpc-gateway's error shape: google.rpc.Status with code 3 (INVALID_ARGUMENT).
      return c.json({ code: 3, message: formatViolations(parsed.violations), details: [] }, 400);
    }
    const { selectors } = parsed;
    if (!watch) {
      const { items } = await timedQuery(deps, 'gloo', { selectors, limit: glooLatest });
      // Newest are fetched first; print them oldest first, like a tail.
      return c.body(glooLines([...items].reverse(), pretty), 200, { 'content-type': 'application/json' });
    }
    // Gloo's stream has no place for a note: what it loses is counted (`meshlog_watch_dropped_total`).
    return watchStream(c, { liveTail, contentType: 'application/json', request: { query: { selectors }, format: pretty ? 'gloo-pretty' : 'gloo' } });
  });

  app.get('/api/v1/logs', async (c) => {
    const parsed = parseLogsParams(new URL(c.req.url).searchParams);
    if (!parsed.ok) return c.json({ error: 'invalid query parameters', violations: parsed.violations }, 400);
    const { query, format, follow } = parsed.request;
    const toItem = (s: StoredEntry) => v1Item(s, decodeStored(s));
    if (!follow) {
      let result: Awaited<ReturnType<typeof store.query>>;
      try {
        result = await timedQuery(deps, 'logs', query);
      } catch (err) {
        if (err instanceof InvalidCursorError)
          return c.json({ error: 'invalid query parameters', violations: [{ field: 'cursor', message: err.message }] }, 400);
        throw err;
      }
      if (format === 'ndjson') {
        const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
        if (result.nextCursor) headers['meshlog-next-cursor'] = result.nextCursor;
        return c.body(v1Lines(result.items), 200, headers);
      }
      return c.json({ items: result.items.map(toItem), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) });
    }
    const { limit: _limit, cursor: _cursor, until: _until, ...liveQuery } = query;
    return watchStream(c, {
      liveTail,
      contentType: 'application/x-ndjson',
      request: { query: liveQuery, format: 'v1', dedupe: true },
      lostNote: (lost) => stringify({ lost, message: `${lost} entries were not delivered: this client could not keep up.` }, false),
      // Backfill: the latest `limit` entries, oldest first, then live ones without duplicates.
      prelude: async () => {
        if (query.limit === 0) return { text: '' };
        // Entries taken before the watch was everywhere may not be committed yet.
        await store.flush().catch(() => undefined);
        const { items } = await timedQuery(deps, 'follow_backfill', query);
        return {
          text: Buffer.from(v1Lines([...items].reverse()).buffer).toString(),
          skip: new Set(items.map(dedupeKey)),
        };
      },
    });
  });
}

function isTrue(v: string | null): boolean {
  return v !== null && v !== '0' && v !== 'false';
}

function isFalse(v: string | null): boolean {
  return v === '0' || v === 'false';
}
