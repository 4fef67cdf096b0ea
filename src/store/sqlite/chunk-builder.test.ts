import { describe, expect, it } from 'vitest';
import { contractRow } from '../testing/contract.js';
import type { EntryRow } from '../types.js';
import { BatchBuilder, packBatch } from './chunk-batch.js';
import { bloomMayContain } from './chunk-bloom.js';
import { ChunkBuilder, packChunk } from './chunk-builder.js';
import { ChunkRow, unpackColumns } from './chunk-codec.js';

/** Rows of one workload with odd values in every column kind. */
function rows(from: number, count: number): EntryRow[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return contractRow(3 * i, {
      path: i % 7 === 0 ? null : `/r/${i % 11}/é\u{1F600}${i % 3 === 0 ? '\ud800' : ''}`,
      requestId: i % 5 === 0 ? null : `req-${i}`,
      status: [200, null, 503, -1, 70_000, 1.5][i % 6]!,
      durationUs: [1234.7, null, Number.POSITIVE_INFINITY, 0][i % 4]!,
      bytesReceived: i % 9 === 0 ? Number.NaN : i * 1000,
      kind: i % 8 === 0 ? 'tcp' : 'http',
      entry: Uint8Array.from({ length: i % 13 === 0 ? 0 : 40 + (i % 300) }, (_, b) => (b * 31 + i) & 0xff),
    });
  });
}

describe('a chunk built as its rows come', () => {
  it('gives the same blobs from a builder reused across chunks, small and large, as from a fresh one', () => {
    const builder = new ChunkBuilder();
    let from = 0;
    for (const count of [0, 1, 63, 64, 65, 2000, 5000, 10, 300]) {
      const these = rows(from, count);
      from += count;
      for (const r of these) builder.add(r);
      const built = builder.finish();
      const fresh = packChunk(these);
      expect(built.count).toBe(count);
      expect([built.minTs, built.maxTs]).toEqual([fresh.minTs, fresh.maxTs]);
      expect(Buffer.from(built.columns).equals(Buffer.from(fresh.columns))).toBe(true);
      expect(Buffer.from(built.entries).equals(Buffer.from(fresh.entries))).toBe(true);
      expect(Buffer.from(built.bloom).equals(Buffer.from(fresh.bloom))).toBe(true);
    }
  });

  it('reads back every column, every entry and every request id it was given', () => {
    const these = rows(100, 500);
    const chunk = packChunk(these);
    const columns = unpackColumns(chunk.columns);
    const row = new ChunkRow(columns, these[0]!.workload, these[0]!.labels, chunk.entries);
    these.forEach((r, i) => {
      row.at(i);
      // A lone surrogate is stored as U+FFFD, as UTF-8 has it.
      const path = r.path === null ? null : Buffer.from(r.path).toString();
      expect([row.path, row.requestId, row.method, row.instance, row.kind, row.direction]).toEqual([
        path,
        r.requestId,
        r.method,
        r.instance,
        r.kind,
        r.direction,
      ]);
      expect(row.status).toBe(r.status !== null && Number.isInteger(r.status) && r.status >= 0 && r.status < 0xffff ? r.status : null);
      expect([...row.entry]).toEqual([...r.entry]);
      expect(row.source).toEqual({ ...r.source, port: r.source.port ?? null });
      if (r.requestId !== null) expect(bloomMayContain(chunk.bloom, r.requestId)).toBe(true);
    });
  });

  it('keeps a copy of each entry as it is added: the batch the row came from may be reused at once', () => {
    const batch = Uint8Array.from({ length: 64 }, (_, i) => i);
    const builder = new BatchBuilder();
    builder.add(contractRow(1, { entry: batch.subarray(0, 32) }));
    builder.add(contractRow(1, { entry: batch.subarray(32, 64) }));
    batch.fill(0xee);
    const packed = builder.finish();
    expect([...packed.chunks[0]!.chunk.entries]).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it('groups a batch by workload in order of arrival, the newest labels standing for each', () => {
    const mixed = [contractRow(0), contractRow(1), contractRow(7, { labels: { app: 'ratings', version: 'v2' } }), contractRow(2)];
    const builder = new BatchBuilder();
    for (const r of mixed) builder.add(r);
    const built = builder.finish();
    expect(built.count).toBe(4);
    expect(built.workloads.map((w) => [w.ref.name, w.ref.clusterName, w.labels['version']])).toEqual([
      ['reviews-v1', 'mgmt-cluster', 'v1'],
      ['ratings-v1', 'remote-cluster', 'v2'],
      ['details-v1', 'mgmt-cluster', 'v1'],
    ]);
    expect(built.chunks.map((c) => [c.workload, c.chunk.count])).toEqual([
      [0, 1],
      [1, 2],
      [2, 1],
    ]);
    // The same rows packed at once give the same batch; the builder starts over empty.
    expect(packBatch(mixed).chunks.map((c) => Buffer.from(c.chunk.columns).toString('hex'))).toEqual(
      built.chunks.map((c) => Buffer.from(c.chunk.columns).toString('hex')),
    );
    expect(builder.finish()).toEqual({ count: 0, workloads: [], chunks: [] });
  });
});
