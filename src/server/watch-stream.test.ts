import { setImmediate as nextTurn } from 'node:timers/promises';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLiveTail } from '../pipeline/live-tail.js';
import { watchOutput } from '../pipeline/testing/watch-output.js';
import { watchStream } from './watch-stream.js';

/** Reads a streamed body until it holds `until`, or fails after a bounded number of reads. */
async function readUntil(body: ReadableStream<Uint8Array>, until: string): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let i = 0; i < 100 && !text.includes(until); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe('a watch stream (the response of ?watch=1 and ?follow=1)', () => {
  it('writes the backfill, then live outputs without the texts the backfill had, and says what was lost', async () => {
    const liveTail = createLiveTail();
    let release!: () => void;
    const backfillRead = new Promise<void>((r) => (release = r));
    const app = new Hono().get('/watch', (c) =>
      watchStream(c, {
        liveTail,
        contentType: 'application/x-ndjson',
        request: { query: {}, format: 'v1', dedupe: true },
        lostNote: (n) => `lost ${n}\n`,
        prelude: async () => {
          await backfillRead;
          return { text: 'old-1\nold-2\n', skip: new Set(['k-old-2']) };
        },
      }),
    );
    const response = await app.request('/watch');
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    await nextTurn();
    const id = liveTail.specs()[0]!.id;
    // Rendered while the backfill was read: held, and the one the backfill has is left out.
    liveTail.receive([watchOutput(id, ['old-2', 'new-ü'], ['k-old-2', 'k-new-1'])]);
    await nextTurn();
    release();
    await nextTurn();
    liveTail.lost(id, 3);
    liveTail.receive([watchOutput(id, ['old-2', 'new-2'], ['k-old-2', 'k-new-2'])]);
    const text = await readUntil(response.body!, 'new-2\n');
    expect(text).toBe('old-1\nold-2\nnew-ü\nlost 3\nnew-2\n');
  });
});
