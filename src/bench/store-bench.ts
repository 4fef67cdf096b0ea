/**
 * A store at size, any engine: fill it with realistic rows through its real write path, then time
 * the queries users run most (latest 10 with a label selector, the 5xx of one workload, stats by
 * workload, ...) with percentiles over many runs. SQLite and ClickHouse get the same rows and the
 * same queries, so their figures stand side by side.
 */
import type protobuf from 'protobufjs';
import { loadAlsTypes } from '../envoy/protos.js';
import type { EntryRow, LogQuery, LogStore, StatsQuery } from '../store/types.js';
import { benchEntry } from './proto-json-bench.js';

const apps = ['productpage', 'details', 'reviews', 'ratings', 'mysqldb'];
const workloads: EntryRow['workload'][] = [];
const labels: EntryRow['labels'][] = [];

/**
 * Row i of the bench mesh: 50 workloads, about 2% 5xx, and an encoded Envoy entry of its own
 * (about 700 bytes, request id, path, times and addresses varying), so a compressing engine is
 * measured on what it would really hold.
 */
function makeRows(start: number, count: number, baseTs: number, template: Record<string, unknown>, type: protobuf.Type): EntryRow[] {
  const out: EntryRow[] = [];
  const common = template['commonProperties'] as Record<string, unknown>;
  const request = template['request'] as Record<string, unknown>;
  const response = template['response'] as Record<string, unknown>;
  for (let i = start; i < start + count; i++) {
    const w = i % 50;
    const app = apps[w % 5]!;
    const version = `v${Math.floor(w / 5) % 5}`;
    const cluster = w < 25 ? 'mgmt-cluster' : 'remote-cluster';
    const failed = i % 53 === 7;
    const ts = baseTs + i * 100;
    const durationUs = 1000 + ((i * 7919) % 40_000);
    const requestId = `${(i * 2654435761).toString(16).padStart(8, '0')}-${(i % 65536).toString(16)}-4a57-b99b-${(i * 40503).toString(16).padStart(12, '0')}`;
    const path = `/${app}/${i % 1000}`;
    const entry = type
      .encode(
        type.fromObject({
          ...template,
          commonProperties: {
            ...common,
            startTime: { seconds: Math.floor(ts / 1e6), nanos: (ts % 1e6) * 1000 },
            duration: { nanos: durationUs * 1000 },
            downstreamRemoteAddress: { socketAddress: { address: `10.244.${w}.${i % 250}`, portValue: 30000 + (i % 30000) } },
            streamId: requestId,
            ...(failed ? { responseFlags: { upstreamConnectionFailure: true }, upstreamTransportFailureReason: 'delayed connect error: 111' } : {}),
          },
          request: { ...request, path, requestId, authority: `${app}:9080` },
          response: { ...response, responseCode: { value: failed ? 503 : 200 }, responseBodyBytes: 180 + (i % 200) },
        }),
      )
      .finish();
    out.push({
      ts,
      kind: 'http',
      workload: (workloads[w] ??= { name: `${app}-${version}`, namespace: 'bookinfo', clusterName: cluster }),
      labels: (labels[w] ??= { app, version }),
      instance: `${app}-${version}-744894fbdb-ctvpd`,
      method: 'GET',
      authority: `${app}:9080`,
      path,
      status: failed ? 503 : 200,
      durationUs,
      responseFlags: failed ? 'UF' : '',
      upstreamCluster: `outbound|9080||${app}.bookinfo.svc.cluster.local`,
      requestId,
      direction: 'outbound',
      source: { cluster, namespace: 'bookinfo', workload: `${app}-${version}`, ip: `10.244.${w}.${i % 250}`, port: null, service: null },
      destination: { cluster, namespace: 'bookinfo', workload: null, ip: '10.0.1.1', port: 9080, service: `${apps[(w + 1) % 5]}.bookinfo` },
      bytesReceived: 0,
      bytesSent: 180 + (i % 200),
      upstreamFailure: failed ? 'delayed connect error: 111' : null,
      entry,
    });
  }
  return out;
}

export interface StoreBenchOptions {
  readonly store: LogStore;
  /** Bytes the store takes on disk once filled. */
  readonly bytesOnDisk: () => Promise<number>;
  readonly rows: number;
  readonly runs?: number;
  /**
   * Lets the engine finish its background work (ClickHouse: merge the parts the fill left): the
   * queries are then timed again, as `...Merged`, beside the figures taken right after the fill.
   */
  readonly settle?: () => Promise<void>;
}

export async function benchStore(opts: StoreBenchOptions): Promise<Record<string, number>> {
  const { store, rows: total } = opts;
  const types = loadAlsTypes();
  const template = benchEntry(types.root);
  // The newest entries end now, as in a store that is being written.
  const baseTs = Date.now() * 1000 - total * 100 - 1_000_000;
  let encodeMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < total; i += 10_000) {
    const e0 = performance.now();
    const batch = makeRows(i, Math.min(10_000, total - i), baseTs, template, types.HTTPAccessLogEntry);
    encodeMs += performance.now() - e0;
    if (!store.write(batch)) await new Promise<void>((resolve) => store.onDrain(resolve));
  }
  await store.flush();
  // Making the rows (protobuf encoding) is the bench's work, not the store's.
  const fillSeconds = (performance.now() - t0 - encodeMs) / 1000;
  const endTs = baseTs + total * 100;
  const midTs = baseTs + Math.floor(total / 2) * 100;
  const queries: Record<string, LogQuery> = {
    latest10LabelSelector: { selectors: [{ labels: { app: 'reviews', version: 'v2' } }], limit: 10 },
    latest10ClusterSelector: { selectors: [{ clusters: ['remote-cluster'] }], limit: 10 },
    latest10Status5xxOneWorkload: { selectors: [{ labels: { app: 'ratings', version: 'v3' } }], status: [{ min: 500, max: 599 }], limit: 10 },
    page100TimeRange: { since: midTs, until: midTs + 60_000_000, limit: 100 },
  };
  const figures: Record<string, number> = {
    rows: total,
    fillRowsPerSecond: Math.round(total / fillSeconds),
  };
  const time = async (name: string, runs: number, run: () => Promise<number>) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const found = await run();
      times.push(performance.now() - t);
      if (found === 0) throw new Error(`the bench query ${name} found nothing`);
    }
    times.sort((a, b) => a - b);
    figures[`${name}P50Ms`] = round(times[Math.floor(times.length * 0.5)]!);
    figures[`${name}P99Ms`] = round(times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!);
  };
  const stats: StatsQuery = {
    groupBy: 'workload',
    filter: {},
    since: baseTs,
    until: endTs,
    bucketUs: Math.max(1_000_000, Math.ceil((endTs - baseTs) / 60 / 1e6) * 1e6),
    limit: 100,
    top: 5,
  };
  const timeAll = async (suffix: string) => {
    for (const [name, q] of Object.entries(queries)) await time(`${name}${suffix}`, opts.runs ?? 200, async () => (await store.query(q)).items.length);
    await time(`statsByWorkload${suffix}`, Math.max(5, Math.floor((opts.runs ?? 200) / 10)), async () => (await store.aggregate(stats)).groups.length);
  };
  await timeAll('');
  if (opts.settle) {
    await opts.settle();
    await timeAll('Merged');
  }
  figures['bytesPerEntryOnDisk'] = Math.round((await opts.bytesOnDisk()) / total);
  return figures;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
