/**
 * The live tail behind the logs view: `GET /api/v1/logs?follow=1` read as NDJSON over fetch (the
 * same stream `meshlog logs --follow` reads), kept as rows in memory, oldest first.
 *
 * It is built to take thousands of entries a second: lines arrive in batches, each is parsed once
 * into a row, the newest `capacity` rows are kept, and the page is told of changes at most ten
 * times a second (each repaint of the table forces a layout; at 60 a second a fast tail would
 * spend its time there, and nobody reads faster). While paused, new rows wait aside (the newest `capacity` of them) and the
 * table stays still. With `until` set there is nothing to follow: the range is read once.
 */
import { ApiError, apiFetch, ndjsonBatches } from '../../api/client.js';
import { type EntryRow, type LogItem, parseItem, rowOf } from '../../data/entry-row.js';
import { fetchRows } from '../../data/sources.js';

export type TailStatus = 'connecting' | 'live' | 'reconnecting' | 'done' | 'failed';

export interface TailSnapshot {
  readonly rows: readonly EntryRow[];
  readonly status: TailStatus;
  readonly paused: boolean;
  /** Rows that arrived while paused and are not shown yet. */
  readonly waiting: number;
  /** Entries received since the tail started. */
  readonly received: number;
  /** Entries the server could not deliver because this page fell behind (it says so in the stream). */
  readonly lost: number;
  readonly perSecond: number;
  readonly error: unknown;
}

export interface Tail {
  snapshot(): TailSnapshot;
  pause(): void;
  resume(): void;
  close(): void;
}

const notifyEveryMs = 100;

/** Rows kept in the page; older ones are let go (the store still has them). */
export const tailCapacity = 20_000;

export function createTail(query: URLSearchParams, onChange: () => void, capacity: number = tailCapacity): Tail {
  const controller = new AbortController();
  let rows: EntryRow[] = [];
  let waiting: EntryRow[] = [];
  let status: TailStatus = 'connecting';
  let paused = false;
  let received = 0;
  let lost = 0;
  let error: unknown = null;
  let seq = 0;
  const arrivals: number[] = [];
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let scheduled = false;
  let lastNotified = -Infinity;
  let snapshot: TailSnapshot | null = null;

  const changed = () => {
    snapshot = null;
    if (scheduled) return;
    scheduled = true;
    const notify = () => {
      frame = requestAnimationFrame(() => {
        scheduled = false;
        lastNotified = performance.now();
        onChange();
      });
    };
    const wait = lastNotified + notifyEveryMs - performance.now();
    if (wait > 0) timer = setTimeout(notify, wait);
    else notify();
  };
  const trim = (list: EntryRow[]) => (list.length > capacity ? list.slice(list.length - capacity) : list);

  const take = (lines: readonly string[]) => {
    const fresh: EntryRow[] = [];
    for (const line of lines) {
      let item: LogItem | null;
      try {
        item = parseItem(line);
      } catch {
        continue;
      }
      if (item) fresh.push(rowOf(item, line, seq++));
      else lost += (JSON.parse(line) as { lost?: number }).lost ?? 0;
    }
    received += fresh.length;
    arrivals.push(performance.now(), fresh.length);
    if (paused) waiting = trim(waiting.concat(fresh));
    else rows = trim(rows.concat(fresh));
    changed();
  };

  const follow = async () => {
    let backoff = 500;
    let first = true;
    while (!controller.signal.aborted) {
      const params = new URLSearchParams(query);
      params.set('follow', '1');
      // After a reconnect the rows on screen stay; the server is not asked for them again.
      if (!first) params.set('limit', '0');
      try {
        const response = await apiFetch(`/api/v1/logs?${params}`, controller.signal);
        status = 'live';
        error = null;
        backoff = 500;
        first = false;
        changed();
        for await (const lines of ndjsonBatches(response)) take(lines);
      } catch (err) {
        if (controller.signal.aborted) return;
        // A bad filter or a missing token does not get better by asking again.
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
          status = 'failed';
          error = err;
          changed();
          return;
        }
        error = err;
      }
      if (controller.signal.aborted) return;
      status = 'reconnecting';
      changed();
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  };

  const once = async () => {
    try {
      const limit = Number(query.get('limit') ?? 500);
      const { rows: newestFirst } = await fetchRows(query, limit, controller.signal);
      rows = newestFirst.reverse();
      received = rows.length;
      status = 'done';
    } catch (err) {
      if (controller.signal.aborted) return;
      status = 'failed';
      error = err;
    }
    changed();
  };

  void (query.has('until') ? once() : follow());

  return {
    snapshot() {
      if (snapshot) return snapshot;
      // Entries per second over the last five seconds.
      const now = performance.now();
      while (arrivals.length && arrivals[0]! < now - 5000) arrivals.splice(0, 2);
      let n = 0;
      for (let i = 1; i < arrivals.length; i += 2) n += arrivals[i]!;
      snapshot = { rows, status, paused, waiting: waiting.length, received, lost, perSecond: n / 5, error };
      return snapshot;
    },
    pause() {
      paused = true;
      changed();
    },
    resume() {
      paused = false;
      rows = trim(rows.concat(waiting));
      waiting = [];
      changed();
    },
    close() {
      controller.abort();
      clearTimeout(timer);
      cancelAnimationFrame(frame);
    },
  };
}
