/**
 * A long-lived HTTP response fed by the live tail: used by `?watch=1` and `?follow=1`.
 *
 * While a write to the client is pending the watch is paused, so a slow client costs a bounded
 * queue (see `live-tail.ts`), never an unbounded heap. The response ends when the client goes away.
 */
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { CollectedEntry, LiveTail } from '../pipeline/live-tail.js';

export interface WatchStreamOptions {
  readonly liveTail: LiveTail;
  readonly match: (entry: CollectedEntry) => boolean;
  /** Text for a batch of entries, and for a count of entries lost before them (empty to say nothing). */
  readonly render: (entries: readonly CollectedEntry[], lost: number) => string;
  /** Written before live entries (a backfill), after the watch is registered so nothing falls between. */
  readonly prelude?: () => Promise<{ text: string; skip?: (entry: CollectedEntry) => boolean }>;
  readonly contentType: string;
}

export function watchStream(c: Context, options: WatchStreamOptions): Response {
  c.header('content-type', options.contentType);
  c.header('cache-control', 'no-store');
  c.header('x-accel-buffering', 'no');
  return stream(c, async (out) => {
    let closed = false;
    let skip: ((entry: CollectedEntry) => boolean) | undefined;
    const held: Array<{ entries: readonly CollectedEntry[]; lost: number }> = [];
    let ready = options.prelude === undefined;
    await new Promise<void>((resolve) => {
      const finish = () => {
        if (closed) return;
        closed = true;
        watch.close();
        resolve();
      };
      const send = (text: string) => {
        if (text === '' || closed) return;
        watch.pause();
        out.write(text).then(
          () => watch.resume(),
          () => finish(),
        );
      };
      const watch = options.liveTail.watch({
        match: options.match,
        deliver(entries, lost) {
          if (!ready) {
            held.push({ entries, lost });
            return;
          }
          const kept = skip ? entries.filter((e) => !skip!(e)) : entries;
          send(options.render(kept, lost));
        },
      });
      out.onAbort(finish);
      if (options.prelude) {
        options.prelude().then(
          (prelude) => {
            skip = prelude.skip;
            ready = true;
            let text = prelude.text;
            for (const h of held) text += options.render(skip ? h.entries.filter((e) => !skip!(e)) : h.entries, h.lost);
            held.length = 0;
            skip = undefined;
            send(text);
          },
          () => finish(),
        );
      }
    });
  });
}
