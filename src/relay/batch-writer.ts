/**
 * The writer an agent's ingest worker has instead of a store shard: the rows the pipeline collects
 * (entries some AccessLogRecord collects or a policy sends to `store`, already redacted) are
 * gathered per proxy and kind, packed and compressed here, in the worker, and handed to the main
 * thread once per event-loop turn, where the exporter appends them to the buffer.
 */

import type { AlsBatch } from '../model/als-batch.js';
import type { EntryKind } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { RowWriter } from '../pipeline/pipeline.js';
import type { EntryRow, StoreStats } from '../store/types.js';
import { type Compression, packEntries, type RelayBatch } from './protocol.js';

/** A batch on its way to the buffer: a `RelayBatch` still without its sequence number. */
export type ForwardedBatch = Omit<RelayBatch, 'sequence'>;

export interface RelayBatchWriterOptions {
  readonly compression: Compression;
  /** Hands batches to the main thread; `transfer` lists their buffers. */
  readonly send: (batches: ForwardedBatch[], transfer: ArrayBuffer[]) => void;
}

interface Gathering {
  readonly proxy: ProxyIdentity;
  readonly kind: EntryKind;
  readonly receivedAtMs: number;
  readonly encoded: Uint8Array[];
}

export function createRelayBatchWriter(options: RelayBatchWriterOptions): RowWriter {
  let gathering = new Map<ProxyIdentity, Map<EntryKind, Gathering>>();
  let pending = 0;
  let forwarded = 0;
  let scheduled = false;
  let settled: Array<() => void> = [];

  const forward = () => {
    scheduled = false;
    if (pending === 0) return;
    const batches: ForwardedBatch[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const byKind of gathering.values()) {
      for (const g of byKind.values()) {
        const packed = packEntries(g.encoded, options.compression);
        // A buffer of its own, so that it can be transferred rather than copied.
        const entries = packed.byteOffset === 0 && packed.byteLength === packed.buffer.byteLength ? packed : packed.slice();
        batches.push({ proxy: g.proxy, kind: g.kind, receivedAtMs: g.receivedAtMs, count: g.encoded.length, compression: options.compression, entries });
        if (entries.buffer instanceof ArrayBuffer) transfer.push(entries.buffer);
      }
    }
    forwarded += pending;
    pending = 0;
    gathering = new Map();
    options.send(batches, transfer);
    const done = settled;
    settled = [];
    for (const f of done) f();
  };

  return {
    // In an agent, rows are settled once handed to the main thread, which appends them to the buffer.
    write(rows: readonly EntryRow[], onSettled?: () => void, from?: AlsBatch) {
      if (!from || rows.length === 0) return true;
      let byKind = gathering.get(from.proxy);
      if (!byKind) gathering.set(from.proxy, (byKind = new Map()));
      let g = byKind.get(from.kind);
      if (!g) byKind.set(from.kind, (g = { proxy: from.proxy, kind: from.kind, receivedAtMs: from.receivedAt, encoded: [] }));
      for (const row of rows) g.encoded.push(row.entry);
      pending += rows.length;
      if (onSettled) settled.push(onSettled);
      if (!scheduled) {
        scheduled = true;
        setImmediate(forward);
      }
      return true;
    },
    onDrain() {
      // Never over a mark: the ingest pool bounds what a worker has outstanding.
    },
    async flush() {
      forward();
    },
    problem: () => null,
    stats(): StoreStats {
      return { entries: forwarded, bytesOnDisk: 0, pending, written: forwarded, failed: 0, deletedByRetention: 0 };
    },
    async close() {
      forward();
    },
  };
}
