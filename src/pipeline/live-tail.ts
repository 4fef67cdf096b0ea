/**
 * Live delivery of newly collected entries to watchers (`?watch=1`, `meshlog logs --follow`), on
 * the thread that serves HTTP: the hub between the producers that render entries where they are
 * ingested (`watch-render.ts`, in each ingest worker) and the watchers' connections.
 *
 * A watcher registers a `WatchSpec`; the hub hands the set of specs to the producers and resolves
 * `ready` once every producer has it. Rendered texts arrive in batches and are handed over in a
 * later turn of the event loop, never on the producer's stack. They stay as the producers sent
 * them, one buffer per watcher and batch, so that the connection writes bytes it did not copy.
 * Each watcher has a bounded queue (bytes): one that cannot keep up (its connection is
 * backpressured) loses the older half of its queue when it is full, and is told how many
 * entries, instead of growing the heap without bound.
 * The number of watchers is capped.
 */
import type { WatchFormat, WatchOutput, WatchSpec } from './watch-render.js';

export type WatchRequest = Omit<WatchSpec, 'id'>;

/** Outputs in arrival order (their `id` is the watcher's), and how many entries were lost before them. */
export type WatchDeliver = (outputs: readonly WatchOutput[], lost: number) => void;

export interface LiveWatch {
  /** Resolves once every producer has this watcher: entries collected after that reach it. */
  readonly ready: Promise<void>;
  /** Stop handing over texts (the connection is backpressured); they queue up to the bound. */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface LiveTail {
  readonly watchers: number;
  /** Throws `TooManyWatchersError` past the cap. */
  watch(request: WatchRequest, deliver: WatchDeliver): LiveWatch;
  /** Producers report rendered outputs here, and entries they dropped for a watcher. */
  receive(outputs: readonly WatchOutput[]): void;
  lost(id: number, count: number): void;
  /** The specs in force, for a producer that starts. */
  specs(): readonly WatchSpec[];
  /** A producer is told of every change; the promise it returns says when it applied it. */
  onSpecs(listener: (specs: readonly WatchSpec[]) => Promise<void> | void): void;
}

export class TooManyWatchersError extends Error {
  override readonly name = 'TooManyWatchersError';
}

export interface LiveTailOptions {
  readonly maxWatchers?: number;
  /** Bytes queued per watcher before it loses the older half. */
  readonly maxQueuedBytes?: number;
  readonly onLost?: (count: number) => void;
}

interface Watcher {
  readonly spec: WatchSpec;
  readonly deliver: WatchDeliver;
  queue: WatchOutput[];
  bytes: number;
  lost: number;
  paused: boolean;
}

export function createLiveTail(options: LiveTailOptions = {}): LiveTail {
  const maxWatchers = options.maxWatchers ?? 256;
  const maxQueuedBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  const watchers = new Map<number, Watcher>();
  const listeners: Array<(specs: readonly WatchSpec[]) => Promise<void> | void> = [];
  let nextId = 1;
  let scheduled = false;

  const specs = () => [...watchers.values()].map((w) => w.spec);
  const announce = () => Promise.all(listeners.map((l) => l(specs()))).then(() => undefined);

  const deliver = (w: Watcher) => {
    if (w.paused || (w.queue.length === 0 && w.lost === 0)) return;
    const { queue, lost } = w;
    w.queue = [];
    w.bytes = 0;
    w.lost = 0;
    try {
      w.deliver(queue, lost);
    } catch {
      // A failing watcher (its socket is gone) must not disturb the others; its owner closes it.
    }
  };
  const flush = () => {
    scheduled = false;
    for (const w of watchers.values()) deliver(w);
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const drop = (w: Watcher, count: number) => {
    w.lost += count;
    options.onLost?.(count);
  };

  return {
    get watchers() {
      return watchers.size;
    },
    watch(request, deliverTo) {
      if (watchers.size >= maxWatchers) throw new TooManyWatchersError(`this server already serves ${maxWatchers} watchers; try again later`);
      const spec: WatchSpec = { ...request, id: nextId++ };
      const w: Watcher = { spec, deliver: deliverTo, queue: [], bytes: 0, lost: 0, paused: false };
      watchers.set(spec.id, w);
      const ready = announce();
      return {
        ready,
        pause() {
          w.paused = true;
        },
        resume() {
          if (!w.paused) return;
          w.paused = false;
          schedule();
        },
        close() {
          if (!watchers.delete(spec.id)) return;
          w.queue = [];
          // Nobody waits on a close: a worker that stops meanwhile (shutdown) gets the specs when it restarts.
          announce().catch(() => undefined);
        },
      };
    },
    receive(outputs) {
      for (const out of outputs) {
        const w = watchers.get(out.id);
        if (!w) continue;
        const size = out.bytes.byteLength;
        if (w.bytes + size > maxQueuedBytes && w.queue.length > 0) {
          // Drop the older half at once: amortised O(1) per output, where shift() would be O(n).
          let entries = 0;
          for (const o of w.queue.splice(0, Math.max(1, w.queue.length >> 1))) {
            w.bytes -= o.bytes.byteLength;
            entries += o.count;
          }
          drop(w, entries);
        }
        w.queue.push(out);
        w.bytes += size;
      }
      schedule();
    },
    lost(id, count) {
      const w = watchers.get(id);
      if (!w || count <= 0) return;
      drop(w, count);
      schedule();
    },
    specs,
    onSpecs(listener) {
      listeners.push(listener);
    },
  };
}

export type { WatchFormat, WatchOutput, WatchSpec };
