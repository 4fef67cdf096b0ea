/**
 * Retention for ClickHouse: whole partitions are dropped, the oldest first, when they are past
 * `--retention-age` or while the table is over `--retention-size`. The newest partition is never
 * dropped for size, so a store over its size keeps the latest entries rather than none.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../telemetry/logger.js';
import type { Schema } from './schema.js';
import { quote } from './sql.js';

export interface RetentionOptions {
  readonly client: ClickHouseClient;
  readonly schema: Schema;
  readonly maxAgeMs?: number;
  readonly maxBytes?: number;
  readonly logger?: Logger;
}

export interface TableSize {
  readonly rows: number;
  readonly bytes: number;
}

export function createRetention(options: RetentionOptions) {
  const { client, schema } = options;

  async function partitions(): Promise<Array<{ partition: number; rows: number; bytes: number }>> {
    const result = await client.query({
      query: `SELECT partition_id, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = ${quote(schema.database)} AND table = 'entries' AND active GROUP BY partition_id`,
      format: 'JSONEachRow',
    });
    const all = await result.json<{ partition_id: string; rows: string; bytes: string }>();
    return all.map((p) => ({ partition: Number(p.partition_id), rows: Number(p.rows), bytes: Number(p.bytes) })).sort((a, b) => a.partition - b.partition);
  }

  return {
    /** Drops what retention says and returns how many rows went with the partitions. */
    async apply(now = Date.now()): Promise<{ deleted: number; size: TableSize }> {
      const all = await partitions();
      const drop: typeof all = [];
      if (options.maxAgeMs !== undefined) {
        const cutoffUs = (now - options.maxAgeMs) * 1000;
        // A partition goes once all of it is older than the cutoff.
        while (all.length > 0 && (all[0]!.partition + 1) * schema.partitionUs <= cutoffUs) drop.push(all.shift()!);
      }
      if (options.maxBytes !== undefined) {
        let bytes = all.reduce((sum, p) => sum + p.bytes, 0);
        while (all.length > 1 && bytes > options.maxBytes) {
          const oldest = all.shift()!;
          bytes -= oldest.bytes;
          drop.push(oldest);
        }
      }
      for (const p of drop) await client.command({ query: `ALTER TABLE ${schema.entries} ${schema.onCluster}DROP PARTITION ${p.partition}` });
      const deleted = drop.reduce((sum, p) => sum + p.rows, 0);
      if (drop.length > 0) options.logger?.info({ partitions: drop.length, rows: deleted }, 'Retention dropped the oldest ClickHouse partitions.');
      return { deleted, size: { rows: all.reduce((sum, p) => sum + p.rows, 0), bytes: all.reduce((sum, p) => sum + p.bytes, 0) } };
    },
  };
}
