/**
 * Messages between a store (main thread) and its writer worker.
 */
import type { ChunkBatch } from './chunk-batch.js';

export type ToWorker =
  | { type: 'open'; dataDir: string; shard: number; maxAgeMs?: number; maxBytes?: number; retentionIntervalMs: number }
  | { type: 'write'; seq: number; batch: ChunkBatch }
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
  /** Something opening the shard found wrong (and what was done about it). */
  | { type: 'problem'; error: string }
  | { type: 'fatal'; error: string };
