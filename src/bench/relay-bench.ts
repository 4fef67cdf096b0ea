/**
 * The relay end to end: a `meshlog server` process and a `meshlog agent` process over mTLS on
 * loopback, the same ALS load process as the ingest bench sending to the agent, a record that
 * collects everything. Counted: entries committed to the server's store per second while the load
 * runs and until the agent's buffer is empty, bytes per entry on the wire (relay messages as sent,
 * compressed), and replay speed: entries buffered while the server was stopped, stored per second
 * once it is back. Also: gzip against zstd on the agent's batches, one core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bookinfoProxies } from '../demo/bookinfo-proxies.js';
import { requestHops } from '../demo/bookinfo-requests.js';
import { mulberry32 } from '../demo/bookinfo-traffic.js';
import { agentCommandArgs, serverCommandArgs } from '../demo/topology.js';
import { loadAlsTypes } from '../envoy/protos.js';
import { relayTypes } from '../relay/protocol.js';
import { makeDemoCertificates } from '../util/certificates.js';
import { freePort } from '../util/free-port.js';
import { peakRss, runChild, scrape, waitFor } from './ingest-bench.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', '..', 'dist', 'cli', 'main.js');
const loadScript = path.join(here, 'als-load.ts');

export type RelayFigures = {
  entriesPerSecond: number;
  loadSentPerSecond: number;
  wireBytesPerEntry: number;
  replayEntries: number;
  replayPerSecond: number;
  dropped: number;
  /** kill -9 of the agent in the middle of the load, then a restart on the same buffer. */
  crashSentByClient: number;
  crashReceivedByAgentAtLastScrape: number;
  crashStored: number;
  crashLost: number;
  serverPeakRssMiB: number;
  agentPeakRssMiB: number;
  seconds: number;
};

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  child.kill('SIGTERM');
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function benchRelay(opts: { dir: string; seconds?: number }): Promise<RelayFigures> {
  const seconds = opts.seconds ?? 15;
  const certs = await makeDemoCertificates(path.join(opts.dir, 'certs'), ['mgmt-cluster']);
  const [relayPort, httpPort, alsPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const serverArgs = serverCommandArgs({
    dataDir: path.join(opts.dir, 'server'),
    httpPort,
    relayPort,
    tls: { ...certs.server, ca: certs.ca },
    extra: ['--retention-size', '64GiB', '--log-level', 'warn'],
  });
  const agentArgs = agentCommandArgs({
    cluster: 'mgmt-cluster',
    server: `localhost:${relayPort}`,
    alsHost: '127.0.0.1',
    alsPort,
    metricsPort,
    bufferDir: path.join(opts.dir, 'buffer'),
    tls: { ...certs.agents['mgmt-cluster']!, ca: certs.ca },
    extra: ['--buffer-size', '8GiB', '--log-level', 'warn'],
  });
  const startServer = () => spawn(process.execPath, [cli, ...serverArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${httpPort}`;
  let server = startServer();
  const startAgent = () => spawn(process.execPath, [cli, ...agentArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
  let agent = startAgent();
  const load = (secs: number) =>
    runChild(
      spawn(process.execPath, ['--import', 'tsx', loadScript, '--target', `127.0.0.1:${alsPort}`, '--streams', '4', '--seconds', String(secs)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ).then((out) => JSON.parse(out.trim().split('\n').pop() ?? '{}') as { entriesSent?: number });
  const drained = async () =>
    (await metric(metricsPort, 'meshlog_relay_buffer_entries')) === 0 &&
    (await scrape(base)).pending === 0 &&
    (await metric(metricsPort, 'meshlog_ingest_batches_outstanding')) === 0;
  try {
    await waitFor(async () => (await fetch(`${base}/readyz`)).ok, 20_000);
    const applied = await fetch(`${base}/api/v1/resources`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n',
    });
    if (!applied.ok) throw new Error(`applying the bench record failed: ${await applied.text()}`);
    await waitFor(async () => (await metric(metricsPort, 'meshlog_relay_connected')) === 1, 20_000);
    // The record reaches the agent with the connection; a moment for it to reach the workers.
    await new Promise((r) => setTimeout(r, 1_000));

    const before = (await scrape(base)).stored;
    const startedAt = Date.now();
    const sent = await load(seconds);
    const loadSeconds = (Date.now() - startedAt) / 1000;
    await waitFor(drained, 300_000);
    const elapsed = (Date.now() - startedAt) / 1000;
    const stored = (await scrape(base)).stored - before;
    const wireBytes = await metric(metricsPort, 'meshlog_relay_bytes_sent_total');
    const acked = await metric(metricsPort, 'meshlog_relay_entries_acked_total');

    // Replay: the server goes away, the agent buffers, the server comes back.
    const serverPeak = peakRss(server.pid!);
    await stop(server);
    await load(Math.max(2, Math.round(seconds / 2)));
    await waitFor(async () => (await metric(metricsPort, 'meshlog_ingest_batches_outstanding')) === 0, 60_000);
    const buffered = await metric(metricsPort, 'meshlog_relay_buffer_entries');
    const storedBefore = stored + before;
    server = startServer();
    await waitFor(async () => (await fetch(`${base}/readyz`)).ok, 20_000);
    const replayStarted = Date.now();
    await waitFor(drained, 300_000);
    const replaySeconds = (Date.now() - replayStarted) / 1000;
    const replayed = (await scrape(base)).stored - storedBefore;
    const agentPeak = peakRss(agent.pid!);

    // Crash: the agent is killed with -9 halfway through the load, then started again on its buffer.
    const crashBefore = (await scrape(base)).stored;
    const received = () => metric(metricsPort, 'meshlog_entries_received_total');
    const receivedBefore = await received();
    const loading = load(seconds);
    let lastReceived = receivedBefore;
    const killAt = Date.now() + (seconds * 1000) / 2;
    while (Date.now() < killAt) {
      lastReceived = await received().catch(() => lastReceived);
      await new Promise((r) => setTimeout(r, 20));
    }
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    const crashSent = (await loading).entriesSent ?? 0;
    agent = startAgent();
    await waitFor(async () => (await metric(metricsPort, 'meshlog_relay_connected')) === 1, 20_000);
    await waitFor(drained, 300_000);
    const crashStored = (await scrape(base)).stored - crashBefore;

    return {
      entriesPerSecond: Math.round(stored / elapsed),
      loadSentPerSecond: Math.round((sent.entriesSent ?? 0) / loadSeconds),
      wireBytesPerEntry: acked > 0 ? wireBytes / acked : NaN,
      replayEntries: replayed,
      replayPerSecond: Math.round(buffered / replaySeconds),
      dropped: await metric(metricsPort, 'meshlog_relay_dropped_total'),
      crashSentByClient: crashSent,
      crashReceivedByAgentAtLastScrape: lastReceived - receivedBefore,
      crashStored,
      crashLost: crashSent - crashStored,
      serverPeakRssMiB: Math.round(Math.max(serverPeak, peakRss(server.pid!))),
      agentPeakRssMiB: Math.round(agentPeak),
      seconds: Math.round(elapsed * 10) / 10,
    };
  } finally {
    await Promise.all([stop(agent), stop(server)]);
  }
}

/**
 * Bytes per entry and speed of the agent's batch payload (an `Entries` message of the bench's
 * entries) raw, gzip (levels 1 and 6; the agent uses 1) and zstd (levels 1 and 3, when
 * `zstd-napi` is installed: it is not a dependency), for batches of `batch` entries.
 */
export async function benchCompression(opts: { batch: number; seconds?: number }): Promise<Record<string, number>> {
  const types = loadAlsTypes();
  const proxies = bookinfoProxies();
  const random = mulberry32(7);
  const encoded: Uint8Array[] = [];
  while (encoded.length < opts.batch * 20) {
    for (const hop of requestHops(proxies, random() < 0.5 ? 'mgmt-cluster' : 'remote-cluster', Date.now(), random)) {
      for (const e of [hop.outbound, hop.inbound])
        if (hop.kind === 'http' && e) encoded.push(types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject(e)).finish());
    }
  }
  const payloads = Array.from({ length: 20 }, (_, i) =>
    relayTypes()
      .Entries.encode({ entry: encoded.slice(i * opts.batch, (i + 1) * opts.batch) })
      .finish(),
  );
  const rawBytes = payloads.reduce((n, p) => n + p.byteLength, 0);
  const entries = opts.batch * payloads.length;
  const measure = (compress: (b: Uint8Array) => Uint8Array) => {
    let out = 0;
    let rounds = 0;
    const until = performance.now() + (opts.seconds ?? 1) * 1000;
    const started = performance.now();
    while (performance.now() < until) {
      out = 0;
      for (const p of payloads) out += compress(p).byteLength;
      rounds++;
    }
    return { bytesPerEntry: out / entries, entriesPerSecond: Math.round((rounds * entries) / ((performance.now() - started) / 1000)) };
  };
  const figures: Record<string, number> = { rawBytesPerEntry: rawBytes / entries };
  for (const level of [1, 6]) {
    const gzip = measure((b) => gzipSync(b, { level }));
    figures[`gzip${level}BytesPerEntry`] = gzip.bytesPerEntry;
    figures[`gzip${level}EntriesPerSecond`] = gzip.entriesPerSecond;
  }
  try {
    const zstd = (await import('zstd-napi' as string)) as { compress(b: Uint8Array, params?: Record<string, unknown>): Uint8Array };
    for (const level of [1, 3]) {
      const z = measure((b) => zstd.compress(b, { compressionLevel: level }));
      figures[`zstd${level}BytesPerEntry`] = z.bytesPerEntry;
      figures[`zstd${level}EntriesPerSecond`] = z.entriesPerSecond;
    }
  } catch {
    process.stdout.write('  (zstd-napi is not installed: zstd not measured)\n');
  }
  return figures;
}
