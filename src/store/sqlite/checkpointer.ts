/**
 * A shard's checkpoints, off its writer's thread. SQLite copies the write-ahead log into the
 * database at a checkpoint; done by the writer (`wal_autocheckpoint`), it runs inside the commit
 * that crosses the mark, and the ingest worker that owns the shard renders nothing for watchers
 * meanwhile: measured at 20k entries/s, a watcher's p99 was 124 ms with the writer's checkpoints
 * and 18 ms without. Here a thread of its own runs passive checkpoints, which never wait for the
 * writer nor hold it; the writer keeps a much larger mark of its own as a backstop.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../../util/worker-thread.js';

export interface CheckpointerData {
  readonly file: string;
  readonly intervalMs: number;
}

export interface Checkpointer {
  /** Stops the thread; resolves once it has closed its connection (or after a second, ended). */
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = 200): Checkpointer {
  const data: CheckpointerData = { file, intervalMs };
  const worker: Worker = startWorkerThread(import.meta.url, 'checkpointer-thread', {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  // A checkpointer that fails leaves the writer's backstop in charge: nothing to report upward.
  worker.on('error', () => undefined);
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 1000).unref());
      if ((await Promise.race([exited, timeout])) === 'late') await worker.terminate();
    },
  };
}
