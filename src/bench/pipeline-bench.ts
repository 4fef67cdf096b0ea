/**
 * The ingest worker's share of the work, in one thread and without gRPC: CPU microseconds per
 * entry for the pipeline (wire scan, record filters, rows, edges) and the SQLite shard it commits
 * to, alone and with watchers rendering (one watching one workload of eight, one watching all).
 * What is left of the 2-core budget after these is the main thread's gRPC framing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAlsTypes } from '../envoy/protos.js';
import { createWireScanner } from '../envoy/wire-scan.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { createPipeline } from '../pipeline/pipeline.js';
import { createWatchRenderer, type WatchSpec } from '../pipeline/watch-render.js';
import { createShardStore } from '../store/sqlite/shard-store.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { encodedBatches } from './als-load.js';

function identity(i: number): ProxyIdentity {
  const name = ['ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'details-v1', 'productpage-v1', 'cart-v1', 'payments-v1'][i % 8]!;
  return {
    nodeId: `sidecar~10.0.0.${i}~${name}-x.bookinfo~bookinfo.svc.cluster.local`,
    nodeCluster: '',
    logName: 'http_envoy_accesslog',
    flavor: 'istio',
    proxyType: 'sidecar',
    workload: { name, namespace: 'bookinfo', clusterName: 'c1' },
    instance: `${name}-x`,
    ip: `10.0.0.${i}`,
    labels: { app: name.replace(/-v\d$/, '') },
    mesh: '',
    apiVersion: 'v3',
  };
}

/** Entries of the batches, as the collector hands them on: each entry's bytes. */
function entriesOf(message: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  const types = loadAlsTypes();
  const decoded = types.StreamAccessLogsMessage.decode(message) as unknown as { httpLogs: { logEntry: unknown[] } };
  for (const e of decoded.httpLogs.logEntry) out.push(types.HTTPAccessLogEntry.encode(e as never).finish());
  return out;
}

export async function run(seconds: number, specs: readonly WatchSpec[]): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-pipeline-bench-'));
  const writer = createShardStore({ dataDir, shard: 0 });
  const watches = createWatchRenderer();
  watches.setSpecs(specs);
  const pipeline = createPipeline({ writer, metrics: createMetrics({ defaultMetrics: false }), logger: silentLogger(), watches });
  pipeline.setRecords([{ name: 'all', namespace: 'gloo-mesh', spec: {} }]);
  const batches = encodedBatches(100).map(entriesOf);
  const proxies = Array.from({ length: 8 }, (_, i) => identity(i));
  let entries = 0;
  const cpu0 = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  for (let n = 0; performance.now() < end; n++) {
    pipeline.consume({ stream: n % 8, proxy: proxies[n % 8]!, kind: 'http', encoded: batches[n % batches.length]!, receivedAt: Date.now() });
    watches.take();
    entries += 100;
    // The worker's event loop turns between messages: let the store's batch timer run.
    if (n % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  await writer.flush();
  const cpu = process.cpuUsage(cpu0);
  await writer.close();
  rmSync(dataDir, { recursive: true, force: true });
  return (cpu.user + cpu.system) / entries;
}

export async function benchPipeline(opts: { seconds?: number } = {}): Promise<Record<string, number>> {
  const seconds = opts.seconds ?? 5;
  const types = loadAlsTypes();
  const scan = createWireScanner(types, new Set(['authorization']));
  const sample = entriesOf(encodedBatches(100)[0]!);
  // The wire scan against protobufjs's full decode, on the same entries.
  const per = (work: (b: Uint8Array) => void) => {
    const t = process.cpuUsage();
    let n = 0;
    const stop = performance.now() + 1000;
    while (performance.now() < stop) {
      for (const b of sample) work(b);
      n += sample.length;
    }
    const u = process.cpuUsage(t);
    return (u.user + u.system) / n;
  };
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    wireScanUsPerEntry: round(per((b) => scan('http', b))),
    fullDecodeUsPerEntry: round(per((b) => types.HTTPAccessLogEntry.decode(b))),
    pipelineAndStoreUsPerEntry: round(await run(seconds, [])),
    withWatcherOfOneWorkloadUsPerEntry: round(await run(seconds, [{ id: 1, query: { workloads: ['reviews-v2'] }, format: 'gloo' }])),
    withFirehoseWatcherUsPerEntry: round(await run(seconds, [{ id: 1, query: {}, format: 'v1' }])),
  };
}
