/**
 * Messages between the store (main thread) and its writer worker.
 */
import type { RowBatch } from './row-batch.js';

export type ToWorker =
  | { type: 'open'; dataDir: string; maxAgeMs?: number; maxBytes?: number; retentionIntervalMs: number }
  | { type: 'write'; seq: number; batch: RowBatch }
  | { type: 'flush'; id: number }
  | { type: 'retention' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; entries: number }
  | { type: 'written'; seq: number; count: number; entries: number }
  | { type: 'failed'; seq: number; count: number; error: string }
  | { type: 'flushed'; id: number }
  | { type: 'stats'; entries: number; bytesOnDisk: number; deleted: number }
  | { type: 'closed' }
  | { type: 'fatal'; error: string };
