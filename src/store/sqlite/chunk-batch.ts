/**
 * Rows on their way to a shard's writer: grouped by workload and packed into chunks where they are
 * produced (the ingest worker, or the thread that called `write`), so that the writer only inserts
 * blobs. Everything in a batch is typed arrays and plain data: it crosses a thread by structured
 * clone or transfer without copying per row.
 */
import type { WorkloadRef } from '../../model/proxy-identity.js';
import type { EntryRow } from '../types.js';
import { ChunkBuilder, type PackedChunk } from './chunk-builder.js';
import { type Allocate, align8 } from './chunk-codec.js';

export interface ChunkBatch {
  readonly count: number;
  readonly workloads: ReadonlyArray<{ readonly ref: WorkloadRef; readonly labels: Readonly<Record<string, string>> }>;
  /** `workload` indexes `workloads`. */
  readonly chunks: ReadonlyArray<{ readonly workload: number; readonly chunk: PackedChunk }>;
  /** Marks committed with the chunks (`LogWriter.mark`). */
  readonly marks?: ReadonlyArray<readonly [key: string, value: number]>;
}

/**
 * Rows packed into a batch as they come: grouped by workload, each group into chunks of at most
 * `maxChunkRows` (`chunk-builder.ts` says why rows are not kept until the commit). `finish` gives
 * the batch and starts over, keeping its builders for the next one.
 */
export class BatchBuilder {
  count = 0;
  // Rows of one proxy share their workload object, so identity groups them; a key catches the rest.
  private readonly byObject = new Map<WorkloadRef, Group>();
  private readonly groups = new Map<string, Group>();
  private readonly spare: ChunkBuilder[] = [];

  add(row: EntryRow): void {
    let group = this.byObject.get(row.workload);
    if (!group) {
      const key = `${row.workload.clusterName}\n${row.workload.namespace}\n${row.workload.name}`;
      group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { ref: row.workload, labels: row.labels, builders: [this.spare.pop() ?? new ChunkBuilder()] }));
      this.byObject.set(row.workload, group);
    }
    // The labels of the newest row stand for the workload.
    group.labels = row.labels;
    let builder = group.builders[group.builders.length - 1]!;
    // The row index inside a chunk is 16 bits of an entry's id.
    if (builder.count === maxChunkRows) group.builders.push((builder = this.spare.pop() ?? new ChunkBuilder()));
    builder.add(row);
    this.count++;
  }

  finish(allocate?: Allocate): ChunkBatch {
    const workloads: Array<ChunkBatch['workloads'][number]> = [];
    const chunks: Array<ChunkBatch['chunks'][number]> = [];
    for (const group of this.groups.values()) {
      workloads.push({ ref: group.ref, labels: group.labels });
      for (const builder of group.builders) {
        chunks.push({ workload: workloads.length - 1, chunk: builder.finish(allocate) });
        if (this.spare.length < maxSpareBuilders) this.spare.push(builder);
      }
    }
    const batch = { count: this.count, workloads, chunks };
    this.count = 0;
    this.byObject.clear();
    this.groups.clear();
    return batch;
  }
}

interface Group {
  readonly ref: WorkloadRef;
  labels: Readonly<Record<string, string>>;
  readonly builders: ChunkBuilder[];
}

/** Builders kept between batches: one per workload a commit usually holds. */
const maxSpareBuilders = 64;

export function packBatch(rows: readonly EntryRow[], allocate?: Allocate): ChunkBatch {
  const builder = new BatchBuilder();
  for (const row of rows) builder.add(row);
  return builder.finish(allocate);
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
