/**
 * The tail of a shared ClickHouse table: entries that *other* meshlog servers stored, handed on as
 * they appear, so that a watcher on any server sees every entry wherever it arrived.
 *
 * Every row carries `written_us`, stamped by its writer when the insert is sent (again on each
 * retry). The tail polls for rows stamped after its watermark less a lag, which covers inserts
 * still in flight and clocks a little apart, and remembers the keys it handed on within the lag so
 * that none comes twice. Rows whose request started more than `windowMs` before they were stored (a
 * relay replaying its disk buffer) are stored and queryable but not tailed: the bound on `ts` is
 * what lets each poll read only the newest granules. A poll hands on at most `maxRowsPerPoll`; more
 * than that is skipped and counted, as a slow watcher loses entries rather than growing a heap.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../telemetry/logger.js';
import type { EntryRow } from '../types.js';
import { type EntryJson, entryReadColumns, storedEntry } from './reader.js';
import type { Schema } from './schema.js';
import { int } from './sql.js';

export interface RemoteTailOptions {
  readonly client: ClickHouseClient;
  readonly schema: Schema;
  /** The tags of this server's writers: their rows reach the live tail from the ingest workers, not from here. */
  readonly localWriters: readonly number[];
  readonly listener: (rows: readonly EntryRow[]) => void;
  /** Polls only while this holds (someone is watching); from now on when it starts to hold again. */
  readonly active?: () => boolean;
  readonly logger?: Logger;
  readonly pollMs?: number;
  readonly lagMs?: number;
  readonly windowMs?: number;
  readonly maxRowsPerPoll?: number;
}

interface TailRow extends EntryJson {
  written_us: string | number;
  method: string | null;
  authority: string | null;
  path: string | null;
  status: number | null;
  duration_us: string | number | null;
  response_flags: string;
  upstream_cluster: string | null;
  request_id: string | null;
  bytes_received: string | number;
  bytes_sent: string | number;
  upstream_failure: string | null;
}

export function createRemoteTail(options: RemoteTailOptions) {
  const { client, schema } = options;
  const pollMs = options.pollMs ?? 250;
  const lagUs = (options.lagMs ?? 2_000) * 1000;
  const windowUs = (options.windowMs ?? 600_000) * 1000;
  const maxRows = options.maxRowsPerPoll ?? 20_000;
  let watermark = Date.now() * 1000;
  /** Keys handed on, with their `written_us`, forgotten once older than the watermark less the lag. */
  const seen = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  let skipped = 0;
  let failing = false;

  async function poll(): Promise<void> {
    const nowUs = Date.now() * 1000;
    if (options.active && !options.active()) {
      watermark = nowUs;
      seen.clear();
      return;
    }
    const from = watermark - lagUs;
    const result = await client.query({
      query: `SELECT ${entryReadColumns}, written_us, method, authority, path, status, duration_us, response_flags, upstream_cluster, request_id, bytes_received, bytes_sent, upstream_failure FROM ${schema.entries} WHERE ts >= ${int(Math.min(from, nowUs) - windowUs)} AND written_us > ${int(from)} AND intDiv(id, 4294967296) NOT IN (${options.localWriters.map(int).join(', ')}) ORDER BY written_us, ts, id LIMIT ${maxRows + 1}`,
      format: 'JSONEachRow',
    });
    const found = await result.json<TailRow>();
    if (found.length > maxRows) {
      // More than a poll hands on within the lag alone: start again from now.
      skipped += found.length;
      options.logger?.warn({ skipped }, 'Other servers store entries faster than the tail hands them on; some are not shown to watchers here.');
      found.length = 0;
      watermark = nowUs;
    }
    const rows: EntryRow[] = [];
    for (const r of found) {
      const key = `${r.ts}:${r.id}`;
      const written = Number(r.written_us);
      if (written > watermark) watermark = written;
      if (seen.has(key)) continue;
      seen.set(key, written);
      rows.push(entryRow(r));
    }
    for (const [key, written] of seen) if (written <= watermark - lagUs) seen.delete(key);
    if (rows.length > 0) options.listener(rows);
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll().then(
        () => {
          failing = false;
        },
        (err: unknown) => {
          if (!failing) options.logger?.warn({ err }, 'The ClickHouse tail cannot poll; retrying.');
          failing = true;
        },
      );
      void polling.finally(schedule);
    }, pollMs);
  }
  schedule();

  return {
    get skipped() {
      return skipped;
    },
    async close(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await polling;
    },
  };
}

function entryRow(r: TailRow): EntryRow {
  const stored = storedEntry(r);
  const orNull = (v: string | number | null) => (v === null ? null : Number(v));
  return {
    ts: stored.ts,
    kind: stored.kind,
    workload: stored.workload,
    labels: stored.labels,
    instance: stored.instance,
    method: r.method,
    authority: r.authority,
    path: r.path,
    status: r.status,
    durationUs: orNull(r.duration_us),
    responseFlags: r.response_flags,
    upstreamCluster: r.upstream_cluster,
    requestId: r.request_id,
    direction: stored.direction,
    source: stored.source,
    destination: stored.destination,
    bytesReceived: Number(r.bytes_received),
    bytesSent: Number(r.bytes_sent),
    upstreamFailure: r.upstream_failure,
    entry: stored.entry,
  };
}
