/**
 * Live delivery of newly collected entries to watchers (`?watch=1`, `meshlog logs --follow`): a
 * fan-out behind the pipeline.
 *
 * `publish` only sorts entries into the watchers' bounded queues; rendering and writing happen in
 * a later turn of the event loop, off the stack of the ALS handler that published them, so a
 * watcher never adds its work to ingest. An entry is rendered once per output format however many
 * watchers write it (`renderOnce`). A watcher that cannot keep up (its connection is backpressured)
 * loses the older half of its queue when the queue is full, and is told how many, instead of
 * growing the heap without bound.
 */
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { EntryRow } from '../store/types.js';
import type { EntryKind, DecodedEntry } from '../model/entry.js';

export interface CollectedEntry {
  readonly proxy: ProxyIdentity;
  readonly kind: EntryKind;
  /** The decoded entry, after redaction. Read-only for watchers. */
  readonly entry: DecodedEntry;
  readonly row: EntryRow;
}

export interface WatchOptions {
  readonly match: (entry: CollectedEntry) => boolean;
  /** Receives entries in arrival order, and how many were lost before them. */
  readonly deliver: (entries: readonly CollectedEntry[], lost: number) => void;
  readonly maxQueued?: number;
}

export interface Watch {
  /** Stop handing over entries (the connection is backpressured); they queue up to `maxQueued`. */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface LiveTail {
  readonly watchers: number;
  publish(entries: readonly CollectedEntry[]): void;
  watch(options: WatchOptions): Watch;
  /** `render(entry)`, computed once per entry and `format` and shared by every watcher that asks. */
  renderOnce(entry: CollectedEntry, format: string, render: (entry: CollectedEntry) => string): string;
}

interface Watcher {
  readonly options: WatchOptions;
  readonly max: number;
  queue: CollectedEntry[];
  lost: number;
  paused: boolean;
}

export function createLiveTail(onLost: (count: number) => void = () => {}): LiveTail {
  const watchers = new Set<Watcher>();
  // Entries are dropped by every queue within a turn or two; the texts go with them.
  const rendered = new WeakMap<CollectedEntry, Map<string, string>>();
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    for (const w of watchers) deliver(w);
  };
  const deliver = (w: Watcher) => {
    if (w.paused || (w.queue.length === 0 && w.lost === 0)) return;
    const { queue, lost } = w;
    w.queue = [];
    w.lost = 0;
    try {
      w.options.deliver(queue, lost);
    } catch {
      // A failing watcher (its socket is gone) must not disturb the others; its owner closes it.
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return {
    get watchers() {
      return watchers.size;
    },
    publish(entries) {
      if (watchers.size === 0) return;
      for (const w of watchers) {
        for (const entry of entries) {
          if (!w.options.match(entry)) continue;
          if (w.queue.length >= w.max) {
            // Drop the older half at once: amortised O(1) per entry, where shift() would be O(n).
            const drop = Math.max(1, w.max >> 1);
            w.queue.splice(0, drop);
            w.lost += drop;
            onLost(drop);
          }
          w.queue.push(entry);
        }
      }
      schedule();
    },
    renderOnce(entry, format, render) {
      let byFormat = rendered.get(entry);
      if (!byFormat) rendered.set(entry, (byFormat = new Map()));
      let text = byFormat.get(format);
      if (text === undefined) {
        text = render(entry);
        byFormat.set(format, text);
      }
      return text;
    },
    watch(options) {
      const w: Watcher = { options, max: options.maxQueued ?? 10_000, queue: [], lost: 0, paused: false };
      watchers.add(w);
      return {
        pause() {
          w.paused = true;
        },
        resume() {
          if (!w.paused) return;
          w.paused = false;
          schedule();
        },
        close() {
          watchers.delete(w);
          w.queue = [];
        },
      };
    },
  };
}
