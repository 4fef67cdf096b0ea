/**
 * The ingest pool's backpressure is per worker: a worker over its mark holds back its own streams
 * only, and the collector is told to resume once that worker is below its low mark again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshAccessLogPolicy } from '../../api/mesh-access-log/model.js';
import { loadAlsTypes } from '../../envoy/protos.js';
import { sampleHttpObject } from '../../format/testing/sample-entries.js';
import type { AlsBatch } from '../../model/als-batch.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { createLiveTail } from '../../pipeline/live-tail.js';
import { createSinkSet } from '../../pipeline/sink-set.js';
import { silentLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { type IngestPool, packEntries, startIngestPool } from './pool.js';

const identity: ProxyIdentity = {
  nodeId: 'sidecar~10.0.0.1~ratings-v1-x.bookinfo~bookinfo.svc.cluster.local',
  nodeCluster: '',
  logName: 'http_envoy_accesslog',
  flavor: 'istio',
  proxyType: 'sidecar',
  workload: { name: 'ratings-v1', namespace: 'bookinfo', clusterName: 'c1' },
  instance: 'ratings-v1-x',
  ip: '10.0.0.1',
  labels: { app: 'ratings' },
  mesh: '',
  apiVersion: 'v3',
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function pool(workers: number, highWaterEntries: number): Promise<IngestPool> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-pool-'));
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = silentLogger();
  const started = await startIngestPool({
    workers,
    dataDir,
    store: 'sqlite',
    logLevel: 'warn',
    liveTail: createLiveTail(),
    sinks: createSinkSet({ metrics, logger }),
    metrics,
    logger,
    highWaterEntries,
  });
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  cleanup.push(() => started.close());
  return started;
}

const batch = (stream: number, entries = 1): AlsBatch => ({
  stream,
  proxy: identity,
  kind: 'http',
  encoded: Array.from({ length: entries }, () => new Uint8Array([0x0a, 0x00])),
  receivedAt: Date.now(),
});

describe('ingest pool backpressure', () => {
  it('holds back only the streams of the worker over its mark, and resumes them once it has taken its batches', async () => {
    const p = await pool(2, 2);
    // Batches are taken asynchronously: without turning the event loop, the first worker's count only grows.
    expect(p.consume(batch(1))).toBe(true);
    expect(p.consume(batch(1))).toBe(false);
    // A new stream goes to the other worker, which takes it.
    expect(p.consume(batch(2))).toBe(true);
    expect(p.consume(batch(1))).toBe(false);
    const drained = new Promise<void>((resolve) => p.onDrain(resolve));
    await drained;
    expect(p.consume(batch(1))).toBe(true);
    await p.flush();
  });

  it('counts entries, not batches: a large batch is taken and fills the mark at once', async () => {
    const p = await pool(1, 8);
    expect(p.consume(batch(1, 3))).toBe(true);
    expect(p.consume(batch(1, 3))).toBe(true);
    expect(p.consume(batch(1, 20))).toBe(false);
    const drained = new Promise<void>((resolve) => p.onDrain(resolve));
    await drained;
    expect(p.consume(batch(1, 3))).toBe(true);
    await p.flush();
  });
});

describe('a batch handed to a worker', () => {
  const entriesOf = (packed: ReturnType<typeof packEntries>) => {
    const bytes = new Uint8Array(packed.buffer);
    return Array.from({ length: packed.bounds.length / 2 }, (_, i) => [...bytes.subarray(packed.bounds[2 * i], packed.bounds[2 * i + 1])]);
  };

  it('carries each entry exactly, whether its entries are views into one message or not', () => {
    // A message: framing bytes, then entries with two framing bytes between them.
    const message = Uint8Array.from({ length: 128 }, (_, i) => i);
    const inOne = [message.subarray(3, 40), message.subarray(42, 80), message.subarray(82, 82), message.subarray(84, 120)];
    const one = packEntries(inOne);
    expect(entriesOf(one)).toEqual(inOne.map((e) => [...e]));
    // One span, the message's framing around it left out.
    expect(one.buffer.byteLength).toBe(117);
    const apart = [Uint8Array.of(1, 2), message.subarray(5, 9), Uint8Array.of(), message.subarray(2, 4)];
    expect(entriesOf(packEntries(apart))).toEqual(apart.map((e) => [...e]));
    const sparse = [message.subarray(0, 2), message.subarray(120, 122)];
    const packed = packEntries(sparse);
    expect(entriesOf(packed)).toEqual(sparse.map((e) => [...e]));
    expect(packed.buffer.byteLength).toBe(4);
    expect(entriesOf(packEntries([]))).toEqual([]);
  });
});

describe('MeshAccessLog delivery in a worker', () => {
  it('is loaded with the first policy, and the batches that come meanwhile wait for it, in order', async () => {
    const p = await pool(1, 64);
    const t = loadAlsTypes().HTTPAccessLogEntry;
    const entry = t.encode(t.fromObject(sampleHttpObject())).finish();
    // No AccessLogRecord: only the policy's store backend keeps these entries.
    const everything: MeshAccessLogPolicy = {
      name: 'all',
      mesh: 'default',
      targetRef: { kind: 'Mesh' },
      from: [{ targetRef: { kind: 'Mesh' }, default: { backends: [{ type: 'store' }] } }],
      to: [{ targetRef: { kind: 'Mesh' }, default: { backends: [{ type: 'store' }] } }],
    };
    p.setResources([], { policies: [everything], backends: [], routes: [] }, []);
    // Sent at once, while the worker is still loading the delivery.
    for (let i = 0; i < 5; i++) p.consume({ stream: 1, proxy: identity, kind: 'http', encoded: [entry, entry], receivedAt: Date.now() });
    await p.flush();
    // A worker's last store figures come with its goodbye.
    await p.close();
    expect(p.storeStats().written).toBe(10);
  });
});
