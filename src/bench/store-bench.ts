/**
 * The embedded store at size: fill it with realistic rows through its real write path (worker
 * thread, batches), then time the queries users run most, with percentiles over many runs.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createSqliteStore } from '../store/sqlite/index.js';
import type { EntryRow, LogQuery } from '../store/types.js';

const apps = ['productpage', 'details', 'reviews', 'ratings', 'mysqldb'];

function rows(start: number, count: number, baseTs: number, blob: Uint8Array): EntryRow[] {
  const out: EntryRow[] = [];
  for (let i = start; i < start + count; i++) {
    // 50 workloads: 5 apps x 5 versions x 2 clusters.
    const w = i % 50;
    const app = apps[w % 5]!;
    const version = `v${Math.floor(w / 5) % 5}`;
    const cluster = w < 25 ? 'mgmt-cluster' : 'remote-cluster';
    out.push({
      ts: baseTs + i * 100,
      kind: 'http',
      workload: workloads[w] ??= { name: `${app}-${version}`, namespace: 'bookinfo', clusterName: cluster },
      labels: labels[w] ??= { app, version },
      instance: `${app}-${version}-744894fbdb-ctvpd`,
      method: 'GET',
      authority: `${app}:9080`,
      path: `/${app}/${i % 1000}`,
      // About 2% 5xx, spread over the workloads.
      status: i % 53 === 7 ? 503 : 200,
      durationUs: 1000 + (i % 40_000),
      responseFlags: i % 53 === 7 ? 'UF' : '',
      upstreamCluster: `outbound|9080||${app}.bookinfo.svc.cluster.local`,
      requestId: `req-${i}`,
      direction: 'outbound',
      source: { cluster, namespace: 'bookinfo', workload: `${app}-${version}`, ip: `10.0.0.${w}`, port: null, service: null },
      destination: { cluster, namespace: 'bookinfo', workload: null, ip: '10.0.1.1', port: 9080, service: `${apps[(w + 1) % 5]}.bookinfo` },
      bytesReceived: 0,
      bytesSent: 180 + (i % 200),
      upstreamFailure: i % 53 === 7 ? 'delayed connect error: 111' : null,
      entry: blob,
    });
  }
  return out;
}

const workloads: EntryRow['workload'][] = [];
const labels: EntryRow['labels'][] = [];

export async function benchStore(opts: { dataDir: string; rows?: number; runs?: number }): Promise<Record<string, number>> {
  const total = opts.rows ?? 1_000_000;
  const store = await createSqliteStore({ dataDir: opts.dataDir, highWaterRows: 200_000, lowWaterRows: 100_000 });
  try {
    const blob = new Uint8Array(700).fill(7);
    const baseTs = (Date.now() - 3_600_000) * 1000;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < total; i += 10_000) {
      if (!store.write(rows(i, Math.min(10_000, total - i), baseTs, blob))) await new Promise<void>((resolve) => store.onDrain(resolve));
    }
    await store.flush();
    const fillSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
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
      // Main thread and writer worker together; 100% is one core.
      fillCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / fillSeconds) * 100),
    };
    for (const [name, q] of Object.entries(queries)) {
      const times: number[] = [];
      for (let run = 0; run < (opts.runs ?? 200); run++) {
        const t = performance.now();
        const { items } = await store.query(q);
        times.push(performance.now() - t);
        if (items.length === 0) throw new Error(`the bench query ${name} found nothing`);
      }
      times.sort((a, b) => a - b);
      figures[`${name}P50Ms`] = round(times[Math.floor(times.length * 0.5)]!);
      figures[`${name}P99Ms`] = round(times[Math.floor(times.length * 0.99)]!);
    }
    const bytes = readdirSync(opts.dataDir).reduce((sum, f) => sum + statSync(path.join(opts.dataDir, f)).size, 0);
    figures['bytesPerEntryOnDisk'] = Math.round(bytes / total);
    return figures;
  } finally {
    await store.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
