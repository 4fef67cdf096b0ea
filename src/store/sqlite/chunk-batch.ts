/**
 * Rows on their way to a shard's writer: grouped by workload and packed into chunks where they are
 * produced (the ingest worker, or the thread that called `write`), so that the writer only inserts
 * blobs. Everything in a batch is typed arrays and plain data: it crosses a thread by structured
 * clone or transfer without copying per row.
 */
import type { WorkloadRef } from '../../model/proxy-identity.js';
import type { EntryRow } from '../types.js';
import { type PackedChunk, packChunk } from './chunk-codec.js';

export interface ChunkBatch {
  readonly count: number;
  readonly workloads: ReadonlyArray<{ readonly ref: WorkloadRef; readonly labels: Readonly<Record<string, string>> }>;
  /** `workload` indexes `workloads`. */
  readonly chunks: ReadonlyArray<{ readonly workload: number; readonly chunk: PackedChunk }>;
  /** Marks committed with the chunks (`LogWriter.mark`). */
  readonly marks?: ReadonlyArray<readonly [key: string, value: number]>;
}

export function packBatch(rows: readonly EntryRow[]): ChunkBatch {
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
      chunks.push({ workload: workloads.length - 1, chunk: packChunk(group.slice(at, at + maxChunkRows)) });
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
