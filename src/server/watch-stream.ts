/**
 * A long-lived HTTP response fed by the live tail: used by `?watch=1` and `?follow=1`.
 *
 * The entries' texts are rendered where entries are ingested; this only writes them, in few large
 * writes. While a write to the client is pending the watch is paused, so a slow client costs a
 * bounded queue (see `live-tail.ts`), never an unbounded heap. The response ends when the client
 * goes away, or when the server has no room for another watcher (a 503 then).
 */
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { type LiveTail, TooManyWatchersError, type WatchOutput, type WatchRequest } from '../pipeline/live-tail.js';

export interface WatchStreamOptions {
  readonly liveTail: LiveTail;
  readonly request: WatchRequest;
  /** A line saying how many entries were lost (empty to say nothing in this format). */
  readonly lostNote?: (lost: number) => string;
  /**
   * Written before live entries (a backfill), once the watch is registered everywhere so nothing
   * falls between; live texts whose dedupe key is in `skip` were in the backfill.
   */
  readonly prelude?: () => Promise<{ text: string; skip?: ReadonlySet<string> }>;
  readonly contentType: string;
  /** Called with the number of entries a watcher lost (a metric). */
  readonly onLost?: (lost: number) => void;
}

export function watchStream(c: Context, options: WatchStreamOptions): Response {
  let register: (deliver: Parameters<LiveTail['watch']>[1]) => ReturnType<LiveTail['watch']>;
  try {
    // Refuse before the response starts when the server has no room for another watcher.
    const probe = options.liveTail.watch(options.request, () => undefined);
    probe.close();
    register = (deliver) => options.liveTail.watch(options.request, deliver);
  } catch (err) {
    if (err instanceof TooManyWatchersError) return c.json({ error: err.message }, 503);
    throw err;
  }
  c.header('content-type', options.contentType);
  c.header('cache-control', 'no-store');
  c.header('x-accel-buffering', 'no');
  return stream(c, async (out) => {
    let closed = false;
    let skip: ReadonlySet<string> | undefined;
    const held: Array<{ outputs: readonly WatchOutput[]; lost: number }> = [];
    let ready = options.prelude === undefined;
    const note = (lost: number) => (lost > 0 ? (options.lostNote?.(lost) ?? '') : '');
    /** The bytes to write: the note on lost entries, then the outputs as they came (less what the backfill had). */
    const partsOf = (outputs: readonly WatchOutput[], lost: number, parts: Uint8Array[] = []): Uint8Array[] => {
      const n = note(lost);
      if (n !== '') parts.push(Buffer.from(n));
      for (const o of outputs) {
        if (!skip || !o.keys || !o.ends) {
          parts.push(o.bytes);
          continue;
        }
        for (let i = 0; i < o.count; i++) if (!skip.has(o.keys[i]!)) parts.push(o.bytes.subarray(i === 0 ? 0 : o.ends[i - 1], o.ends[i]));
      }
      return parts;
    };
    await new Promise<void>((resolve) => {
      let watch: ReturnType<LiveTail['watch']> | undefined;
      const finish = () => {
        if (closed) return;
        closed = true;
        watch?.close();
        resolve();
      };
      const send = (parts: readonly Uint8Array[]) => {
        if (closed) return;
        const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        if (bytes.byteLength === 0) return;
        watch?.pause();
        out.write(bytes).then(
          () => watch?.resume(),
          () => finish(),
        );
      };
      try {
        watch = register((outputs, lost) => {
          if (lost > 0) options.onLost?.(lost);
          if (!ready) {
            held.push({ outputs, lost });
            return;
          }
          send(partsOf(outputs, lost));
        });
      } catch {
        // Another watcher took the last place since the probe: end the (empty) response.
        finish();
        return;
      }
      out.onAbort(finish);
      if (options.prelude) {
        const prelude = options.prelude;
        watch.ready
          .then(() => prelude())
          .then(
            (p) => {
              skip = p.skip;
              ready = true;
              const parts = [Buffer.from(p.text)];
              for (const h of held) partsOf(h.outputs, h.lost, parts);
              held.length = 0;
              // An entry rendered before the backfill was read can still arrive after it: the skip
              // set (at most the backfill's size) stays.
              send(parts);
            },
            () => finish(),
          );
      }
    });
  });
}
