/**
 * The checkpointer's thread (`checkpointer.ts`): its own connection to one shard file, a passive
 * checkpoint every `intervalMs`. A passive checkpoint copies what it can without waiting for a
 * lock, so a busy writer or a long query only makes it copy less this time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerData } from './checkpointer.js';

const { file, intervalMs } = workerData as CheckpointerData;
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 0');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, or the file is being replaced: the next turn tries again.
  }
}, intervalMs);

parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
