/**
 * `meshlog logs --follow` that outlives the server: when the stream ends or the server goes away,
 * it reconnects with backoff (0.5 s doubling to 10 s) and resumes after the last entry it printed.
 *
 * Entries arrive in the order proxies flush them, not by start time, so "after the last entry" is
 * a window: it asks again for everything that started up to `windowMs` before the newest entry it
 * printed, and skips the entries of that window it has already printed.
 */
import { errorMessage, ndjsonLines, request, resolveTarget, type ServerFlags } from './api-client.js';

export interface FollowOptions {
  readonly names: Readonly<Record<string, string>>;
  readonly print: (item: unknown) => void;
  readonly notice: (text: string) => void;
  readonly signal?: AbortSignal;
  /** Backfill on reconnect: the server's largest `limit`. */
  readonly resumeLimit?: number;
  readonly backoffMs?: { readonly first: number; readonly max: number };
  /** How far back a resumed stream looks for entries that arrived late (default 30 s). */
  readonly windowMs?: number;
}

/** Two items are the same entry when all but the store's `id` (absent on live items) agree. */
function identity(item: unknown): string {
  const { id: _id, ...rest } = item as Record<string, unknown>;
  return JSON.stringify(rest);
}

export async function followLogs(flags: ServerFlags, params: URLSearchParams, options: FollowOptions): Promise<void> {
  const backoff = options.backoffMs ?? { first: 500, max: 10_000 };
  let delay = backoff.first;
  const windowMs = options.windowMs ?? 30_000;
  // What was printed within the window before the newest start time, to skip it when resuming.
  const printed = new Map<string, number>();
  let newest: number | undefined;
  let prunedAt = 0;
  let connected = false;
  for (;;) {
    const query = new URLSearchParams(params);
    query.set('follow', '1');
    if (newest !== undefined) {
      query.set('since', new Date(newest - windowMs).toISOString());
      query.set('limit', String(options.resumeLimit ?? 10_000));
    }
    let reason: string;
    try {
      const response = await request(flags, `api/v1/logs?${query}`, { signal: options.signal });
      if (response.status === 400 || response.status === 404) throw new Fatal(await errorMessage(response, options.names));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (connected) options.notice('reconnected; resuming after the last entry printed');
      connected = true;
      delay = backoff.first;
      for await (const item of ndjsonLines(response)) {
        const start = Date.parse((item as { startTime?: string }).startTime ?? '');
        if (Number.isNaN(start)) {
          options.print(item);
          continue;
        }
        const key = identity(item);
        if (printed.has(key)) continue;
        printed.set(key, start);
        if (newest === undefined || start > newest) newest = start;
        // Pruned once a second of entries, not per entry: the window can hold many thousands.
        if (newest - prunedAt > 1000) {
          for (const [k, at] of printed) if (at < newest - windowMs) printed.delete(k);
          prunedAt = newest;
        }
        options.print(item);
      }
      reason = `the server at ${resolveTarget(flags).server} ended the stream`;
    } catch (err) {
      if (err instanceof Fatal || options.signal?.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (/\(401\)/.test(message)) throw err;
      // A stream cut mid-way is a bare "terminated" from fetch: say whose stream it was.
      reason = message.startsWith('cannot reach') ? message : `lost the stream from ${resolveTarget(flags).server} (${message})`;
    }
    options.notice(`${reason}; reconnecting in ${delay / 1000}s`);
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, backoff.max);
  }
}

class Fatal extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
