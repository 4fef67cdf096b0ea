/**
 * End-to-end ingest: a `meshlog serve` process, a load generator process sending ALS as fast as
 * HTTP/2 flow control allows, one watcher attached, and a probe stream that measures how long a
 * fresh entry takes to reach the watcher.
 *
 * Throughput counts entries committed to the store (what a query can return), not just received.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadAlsTypes } from '../envoy/protos.js';
import { freePort } from '../util/free-port.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The server under test is the built product; the bench itself runs from source under tsx. */
const cli = path.join(here, '..', '..', 'dist', 'cli', 'main.js');
const loadScript = path.join(here, 'als-load.ts');
/** The steady figures leave out the probe's entries seen in the load's first seconds. */
const warmUpMs = 5_000;

export type IngestFigures = {
  entriesPerSecond: number;
  receivedPerSecond: number;
  loadSentPerSecond: number;
  notCollected: number;
  dropped: number;
  /** Records MeshAccessLog sinks wrote, and dropped (0 without `resources`). */
  sinkSent: number;
  sinkDropped: number;
  watchP50Ms: number;
  watchP99Ms: number;
  watchMaxMs: number;
  watchSamples: number;
  /**
   * The same once the load has run for `warmUpMs`: the first seconds hold a transient (cold code,
   * and the load generator starting while the probe runs) that the overall p99 is made of.
   */
  watchSteadyP50Ms: number;
  watchSteadyP99Ms: number;
  watchSteadyMaxMs: number;
  peakRssMiB: number;
  seconds: number;
};

/**
 * `store`, when given, is the `--store` of the server (a ClickHouse URL); SQLite in `dataDir` otherwise.
 * `resources`, when given, are applied besides the record that collects everything (a
 * MeshAccessLog, so that the figures include routing, formatting and a sink).
 */
export async function benchIngest(opts: {
  dataDir: string;
  seconds?: number;
  streams?: number;
  resources?: string;
  store?: string;
  /** Entries/s the load sends in all (as fast as it can otherwise). */
  rate?: number;
  /** The latency watcher watches all traffic (and is timed on the probe's entries) instead of the probe alone. */
  firehose?: boolean;
}): Promise<IngestFigures> {
  const seconds = opts.seconds ?? 15;
  const [alsPort, httpPort] = [await freePort(), await freePort()];
  const server = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--data-dir',
      opts.dataDir,
      '--als-host',
      '127.0.0.1',
      '--als-port',
      String(alsPort),
      '--http-port',
      String(httpPort),
      '--retention-size',
      '64GiB',
      '--log-level',
      'warn',
      ...(opts.store ? ['--store', opts.store] : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(async () => (await fetch(`${base}/readyz`)).ok, 20_000);
    const applied = await fetch(`${base}/api/v1/resources`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n',
    });
    if (!applied.ok) throw new Error(`applying the bench record failed: ${await applied.text()}`);
    if (opts.resources) {
      const extra = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: opts.resources });
      if (!extra.ok) throw new Error(`applying the bench resources failed: ${await extra.text()}`);
    }

    const latencies: number[] = [];
    /** When each latency was taken. */
    const takenAt: number[] = [];
    const watcher = watchProbe(base, latencies, takenAt, opts.firehose ?? false);
    const probe = startProbe(`127.0.0.1:${alsPort}`);

    const before = await scrape(base);
    const startedAt = Date.now();
    const load = await runChild(
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          loadScript,
          '--target',
          `127.0.0.1:${alsPort}`,
          '--streams',
          String(opts.streams ?? 4),
          '--seconds',
          String(seconds),
          ...(opts.rate ? ['--rate', String(opts.rate)] : []),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
    const loadResult = JSON.parse(load.trim().split('\n').pop() ?? '{}') as { entriesSent?: number };
    const loadSeconds = (Date.now() - startedAt) / 1000;
    const afterLoad = await scrape(base);
    // The probe stops with the load: its entry every 50 ms would keep a queue from ever being empty.
    probe.stop();
    // Everything received must end up committed; wait for the queue to drain.
    let last: Scrape | undefined;
    await waitFor(
      async () => {
        last = await scrape(base);
        return last.pending === 0 && last.sinkQueued === 0;
      },
      120_000,
      () => `the store and sinks to drain (last seen: ${JSON.stringify(last)})`,
    );
    const drained = await scrape(base);
    const elapsed = (Date.now() - startedAt) / 1000;

    watcher.abort();
    const peakRssMiB = peakRss(server.pid!);
    const steady = latencies.filter((_, i) => takenAt[i]! >= startedAt + warmUpMs).sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    return {
      entriesPerSecond: Math.round((drained.stored - before.stored) / elapsed),
      receivedPerSecond: Math.round((afterLoad.received - before.received) / loadSeconds),
      loadSentPerSecond: Math.round((loadResult.entriesSent ?? 0) / loadSeconds),
      notCollected: drained.notSelected,
      dropped: drained.dropped,
      sinkSent: drained.sinkSent,
      sinkDropped: drained.sinkDropped,
      watchP50Ms: percentile(latencies, 0.5),
      watchP99Ms: percentile(latencies, 0.99),
      watchMaxMs: latencies.at(-1) ?? NaN,
      watchSamples: latencies.length,
      watchSteadyP50Ms: percentile(steady, 0.5),
      watchSteadyP99Ms: percentile(steady, 0.99),
      watchSteadyMaxMs: steady.at(-1) ?? Number.NaN,
      peakRssMiB: Math.round(peakRssMiB),
      seconds: Math.round(elapsed * 10) / 10,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

export interface Scrape {
  received: number;
  stored: number;
  pending: number;
  notSelected: number;
  dropped: number;
  sinkSent: number;
  sinkDropped: number;
  sinkQueued: number;
}

export async function scrape(base: string): Promise<Scrape> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{'))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const sumWhere = (name: string, label: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && l.includes(label))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    received: sum('meshlog_entries_received_total'),
    stored: sum('meshlog_store_entries'),
    pending: sum('meshlog_store_queue_depth'),
    notSelected: sum('meshlog_entries_not_selected_total'),
    dropped: sum('meshlog_entries_dropped_total'),
    sinkSent: sumWhere('meshlog_sink_records_total', 'outcome="sent"'),
    sinkDropped: sumWhere('meshlog_sink_records_total', 'outcome="dropped"'),
    sinkQueued: sum('meshlog_sink_queue_depth'),
  };
}

/**
 * A watcher on the probe workload only, or on all traffic (`firehose`); records now − startTime
 * for each of the probe's entries it receives.
 */
function watchProbe(base: string, latencies: number[], takenAt: number[], firehose: boolean): AbortController {
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await fetch(`${base}/v0/observability/logs?watch=1`, {
        method: 'POST',
        body: JSON.stringify(firehose ? {} : { workloadSelectors: [{ kubeWorkloadMatcher: { labels: { app: 'meshlog-probe' } } }] }),
        signal: controller.signal,
      });
      let pending = '';
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        const lines = (pending + Buffer.from(chunk).toString()).split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          // The probe's entries are the only ones with the path /probe.
          if (firehose && !line.includes('"/probe"')) continue;
          const start = JSON.parse(line).result.httpAccessLog.commonProperties.startTime as string;
          const now = Date.now();
          latencies.push(now - Date.parse(start));
          takenAt.push(now);
        }
      }
    } catch {
      // Aborted at the end of the run.
    }
  })();
  return controller;
}

/** One entry every 50 ms with start_time = now, from a proxy labelled app=meshlog-probe. */
function startProbe(target: string): { stop(): void } {
  const types = loadAlsTypes();
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const call = client.makeClientStreamRequest(
    '/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs',
    (b: Buffer) => b,
    (b: Buffer) => b,
    () => {},
  );
  let first = true;
  const timer = setInterval(() => {
    const now = Date.now();
    const message: Record<string, unknown> = {
      httpLogs: {
        logEntry: [
          {
            commonProperties: { startTime: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 } },
            request: { path: '/probe' },
            response: { responseCode: { value: 200 } },
          },
        ],
      },
    };
    if (first) {
      message['identifier'] = {
        node: {
          id: 'probe-1',
          cluster: 'meshlog-probe',
          metadata: { fields: { LABELS: { structValue: { fields: { app: { stringValue: 'meshlog-probe' } } } } } },
        },
        logName: 'probe',
      };
      first = false;
    }
    call.write(Buffer.from(types.StreamAccessLogsMessage.encode(types.StreamAccessLogsMessage.fromObject(message)).finish()));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      call.end();
      client.close();
    },
  };
}

export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function runChild(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${path.basename(String(child.spawnargs.find((a) => a.endsWith('.ts')) ?? child.spawnargs[1]))} exited with ${code}`)),
    );
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs} ms${what ? ` for ${what()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
