/**
 * The hook that makes a shared store's other servers visible to this server's watchers: entries
 * that other meshlog servers stored (`LogReader.followRemote`, ClickHouse's tail of its table) are
 * rendered here, on the main thread, for the watchers that want them, and handed to the live tail
 * as the ingest workers hand over theirs. The tail polls only while someone watches; this server's
 * own entries reach the watchers from its workers, not from here.
 */
import { loadAlsTypes } from '../envoy/protos.js';
import type { DecodedEntry } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { LiveTail } from '../pipeline/live-tail.js';
import { createWatchRenderer } from '../pipeline/watch-render.js';
import type { EntryRow, LogReader } from '../store/types.js';

export function followRemoteEntries(reader: LogReader, liveTail: LiveTail): { close(): Promise<void> } | undefined {
  if (!reader.followRemote) return undefined;
  const renderer = createWatchRenderer();
  renderer.setSpecs(liveTail.specs());
  liveTail.onSpecs((specs) => renderer.setSpecs(specs));
  const types = loadAlsTypes();
  return reader.followRemote(
    (rows) => {
      for (const row of rows) {
        renderer.offer(
          row,
          proxyOf(row),
          row.kind,
          () => (row.kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry).decode(row.entry) as unknown as DecodedEntry,
        );
      }
      const outputs = renderer.take();
      if (outputs.length > 0) liveTail.receive(outputs);
    },
    () => liveTail.watchers > 0,
  );
}

/** What a stored row tells of the proxy that reported it. */
function proxyOf(row: EntryRow): ProxyIdentity {
  return {
    nodeId: row.instance,
    nodeCluster: row.workload.clusterName,
    logName: '',
    flavor: 'envoy',
    proxyType: 'proxy',
    workload: row.workload,
    instance: row.instance,
    ip: '',
    labels: row.labels,
    mesh: '',
    apiVersion: 'v3',
  };
}
