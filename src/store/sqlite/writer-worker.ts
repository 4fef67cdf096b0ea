/**
 * The store's writer, in a worker thread: one shard writer (`shard-writer.ts`) behind messages, so
 * that inserts and retention run beside the thread that produces the rows.
 */
import { parentPort } from 'node:worker_threads';
import { openShardWriter, type ShardWriter } from './shard-writer.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('writer-worker.js runs as a worker thread only.');

const send = (message: FromWorker) => port.postMessage(message);

let writer: ShardWriter | undefined;
let retention: { maxAgeMs?: number; maxBytes?: number } = {};
let deleted = 0;
let sinceRetention = 0;
let timer: NodeJS.Timeout | undefined;

port.on('message', (message: ToWorker) => {
  try {
    handle(message);
  } catch (err) {
    send({ type: 'fatal', error: err instanceof Error ? err.message : String(err) });
  }
});

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'open':
      writer = openShardWriter(message.dataDir, message.shard, (problem) => send({ type: 'problem', error: problem }));
      retention = { maxAgeMs: message.maxAgeMs, maxBytes: message.maxBytes };
      timer = setInterval(applyRetention, message.retentionIntervalMs);
      send({ type: 'ready', entries: writer.entries() });
      return;
    case 'write':
      if (!writer) {
        send({ type: 'failed', seq: message.seq, count: message.batch.count, error: 'the store is not open' });
        return;
      }
      try {
        writer.write(message.batch);
      } catch (err) {
        send({ type: 'failed', seq: message.seq, count: message.batch.count, error: err instanceof Error ? err.message : String(err) });
        return;
      }
      sinceRetention += message.batch.count;
      send({ type: 'written', seq: message.seq, count: message.batch.count, entries: writer.entries() });
      if (sinceRetention >= 200_000) applyRetention();
      return;
    case 'flush':
      send({ type: 'flushed', id: message.id });
      return;
    case 'retention':
      applyRetention();
      return;
    case 'close':
      if (timer) clearInterval(timer);
      writer?.close();
      writer = undefined;
      send({ type: 'closed' });
      return;
  }
}

/** One bounded step of retention; when more is due, the next step comes after pending writes. */
function applyRetention(): void {
  if (!writer) return;
  sinceRetention = 0;
  const step = writer.applyRetention(retention);
  deleted += step.deleted;
  send({ type: 'stats', entries: writer.entries(), bytesOnDisk: writer.bytesOnDisk(), deleted });
  if (step.more) setImmediate(applyRetention);
}
