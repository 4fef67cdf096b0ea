/**
 * Rows on their way to a shard's writer: grouped by workload and packed into chunks where they are
 * produced (the ingest worker, or the thread that called `write`), so that the writer only inserts
 * blobs. Everything in a batch is typed arrays and plain data: it crosses a thread by structured
 * clone or transfer without copying per row.
 */
import type { WorkloadRef } from '../../model/proxy-identity.js';
import type { EntryRow } from '../types.js';
import { type Allocate, align8, type PackedChunk, packChunk } from './chunk-codec.js';

export interface ChunkBatch {
  readonly count: number;
  readonly workloads: ReadonlyArray<{ readonly ref: WorkloadRef; readonly labels: Readonly<Record<string, string>> }>;
  /** `workload` indexes `workloads`. */
  readonly chunks: ReadonlyArray<{ readonly workload: number; readonly chunk: PackedChunk }>;
  /** Marks committed with the chunks (`LogWriter.mark`). */
  readonly marks?: ReadonlyArray<readonly [key: string, value: number]>;
}

export function packBatch(rows: readonly EntryRow[], allocate?: Allocate): ChunkBatch {
  // Rows of one proxy share their workload object, so identity groups them; a key catches the rest.
  const groups = new Map<string, EntryRow[]>();
  const byObject = new Map<WorkloadRef, EntryRow[]>();
  for (const row of rows) {
    let group = byObject.get(row.workload);
    if (!group) {
      const key = `${row.workload.clusterName}\n${row.workload.namespace}\n${row.workload.name}`;
      group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      byObject.set(row.workload, group);
    }
    group.push(row);
  }
  const workloads: Array<ChunkBatch['workloads'][number]> = [];
  const chunks: Array<ChunkBatch['chunks'][number]> = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    // The labels of the newest row stand for the workload.
    workloads.push({ ref: first.workload, labels: group[group.length - 1]!.labels });
    // The row index inside a chunk is 16 bits of an entry's id.
    for (let at = 0; at < group.length; at += maxChunkRows)
      chunks.push({ workload: workloads.length - 1, chunk: packChunk(group.slice(at, at + maxChunkRows), allocate) });
  }
  return { count: rows.length, workloads, chunks };
}

export const maxChunkRows = 65_536;

/** The buffers of a batch, to transfer it to another thread instead of copying it. */
export function batchBuffers(batch: ChunkBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const { chunk } of batch.chunks) for (const b of [chunk.columns, chunk.entries, chunk.bloom]) if (b.buffer instanceof ArrayBuffer) out.push(b.buffer);
  return out;
}

/**
 * A writer's memory for the blobs of the batch it is about to commit, reused from batch to batch:
 * a fresh blob per chunk cost more than packing it (a large zero-filled buffer is new pages to
 * fault in, and external memory that hurries the garbage collector). Blobs taken since the last
 * `reset` stay valid until the next one: the writer resets it only once what it packed there is
 * committed.
 */
export interface Arena {
  readonly allocate: Allocate;
  reset(): void;
}

export function createArena(initialBytes = 1 << 20, maxBytes = 64 << 20): Arena {
  let buffer = new ArrayBuffer(initialBytes);
  let at = 0;
  return {
    allocate(bytes) {
      // A blob larger than the arena may grow to is the batch's own.
      if (bytes > maxBytes / 2) return new Uint8Array(bytes);
      let start = align8(at);
      if (start + bytes > buffer.byteLength) {
        // Blobs taken from the old buffer keep it alive as long as they need it.
        buffer = new ArrayBuffer(Math.min(maxBytes, Math.max(2 * buffer.byteLength, 2 * bytes)));
        start = 0;
      }
      at = start + bytes;
      return new Uint8Array(buffer, start, bytes);
    },
    reset() {
      at = 0;
    },
  };
}
