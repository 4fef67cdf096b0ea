/**
 * Entries that other meshlog servers stored in a shared store, made into what this server's live
 * tail carries: decoded once here, with the identity the stored row knows (workload, labels,
 * instance). The local pipeline publishes its own entries; these come from `LogStore.followRemote`.
 */
import { loadAlsTypes } from '../envoy/protos.js';
import type { DecodedEntry } from '../model/entry.js';
import type { CollectedEntry } from '../pipeline/live-tail.js';
import type { EntryRow } from '../store/types.js';

export function collectedFromRows(rows: readonly EntryRow[]): CollectedEntry[] {
  const types = loadAlsTypes();
  const out: CollectedEntry[] = [];
  for (const row of rows) {
    let entry: DecodedEntry;
    try {
      entry = (row.kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry).decode(row.entry) as unknown as DecodedEntry;
    } catch {
      // Stored by a server that decoded it; a row that does not decode is not shown rather than fatal.
      continue;
    }
    const proxy = {
      nodeId: row.instance,
      nodeCluster: row.workload.clusterName,
      logName: '',
      flavor: 'envoy' as const,
      proxyType: 'proxy',
      workload: row.workload,
      instance: row.instance,
      ip: '',
      labels: row.labels,
      mesh: '',
      apiVersion: 'v3' as const,
    };
    out.push({ proxy, kind: row.kind, entry, row });
  }
  return out;
}
