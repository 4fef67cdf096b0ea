/**
 * What the ClickHouse server can do, found out once on start: Debian's 18.16 lacks TTL and
 * insert deduplication tokens; current releases have both. Probed from `system` tables where they
 * say it, from the version where nothing else does.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface ServerFeatures {
  readonly version: string;
  /** `TTL` on MergeTree tables (19.6+). */
  readonly ttl: boolean;
  /** The MergeTree setting `ttl_only_drop_parts`: TTL drops whole parts instead of rewriting them. */
  readonly ttlOnlyDropParts: boolean;
  /** The query setting `insert_deduplication_token`. */
  readonly deduplicationToken: boolean;
  /** The MergeTree setting `non_replicated_deduplication_window`: a plain MergeTree deduplicates inserts. */
  readonly nonReplicatedDeduplication: boolean;
}

export async function probeFeatures(client: ClickHouseClient): Promise<ServerFeatures> {
  const rows = async (query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, string>>();
  const [{ v: version = '0' } = {}] = await rows('SELECT version() AS v');
  const settings = new Set((await rows("SELECT name FROM system.settings WHERE name IN ('insert_deduplication_token')")).map((r) => r['name']));
  const mergeTree = new Set(
    (await rows("SELECT name FROM system.merge_tree_settings WHERE name IN ('ttl_only_drop_parts', 'non_replicated_deduplication_window')")).map(
      (r) => r['name'],
    ),
  );
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return {
    version,
    ttl: major > 19 || (major === 19 && minor >= 6),
    ttlOnlyDropParts: mergeTree.has('ttl_only_drop_parts'),
    deduplicationToken: settings.has('insert_deduplication_token'),
    nonReplicatedDeduplication: mergeTree.has('non_replicated_deduplication_window'),
  };
}
