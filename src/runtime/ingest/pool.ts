/**
 * The ingest workers, seen from the main thread as one `LogConsumer`.
 *
 * Each ALS stream is given to one worker when it opens (the worker with the fewest streams), so a
 * stream's batches are taken in order while different streams run on different cores. The main
 * thread keeps only what must be in one place: gRPC framing, the proxy registry, resources, HTTP,
 * the sinks' connections and files, and the watchers' connections. Workers are told of resources,
 * of proxies' addresses and of watchers; they report the texts watchers want, the sinks' records,
 * and their store's figures.
 *
 * Backpressure is per worker: a worker with too many batches outstanding, or whose store is over
 * its mark, takes nothing new; `consume` then returns false for that worker's streams, and the
 * collector stops reading them until `onDrain`. Streams on other workers keep going.
 */
import type { Worker } from 'node:worker_threads';
import type { AccessLogRecordLike } from '../../api/access-log-record/model.js';
import type { InventoryProxy } from '../../api/dataplane/model.js';
import type { AlsBatch, LogConsumer } from '../../model/als-batch.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import type { LiveTail } from '../../pipeline/live-tail.js';
import type { SinkSet } from '../../pipeline/sink-set.js';
import type { PolicySet } from '../../policy/types.js';
import type { ForwardedBatch } from '../../relay/batch-writer.js';
import type { StoreStats } from '../../store/types.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Metrics, MetricsJson } from '../../telemetry/metrics.js';
import { startWorkerThread } from '../../util/worker-thread.js';
import type { FromWorker, IngestWorkerData, ToWorker } from './protocol.js';

export interface IngestPoolOptions extends Omit<IngestWorkerData, 'index'> {
  readonly workers: number;
  readonly liveTail: LiveTail;
  readonly sinks: SinkSet;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Entries a worker may have outstanding before it takes nothing new (it takes at least one batch). */
  readonly highWaterEntries?: number;
  /** With `output.relay`: what the workers collected, in the order they sent it. */
  readonly onRelay?: (batches: readonly ForwardedBatch[]) => void;
}

export interface IngestPool extends LogConsumer {
  settle(stream: number): Promise<void>;
  streamClosed(stream: number): void;
  /** Resolves once everything taken so far is committed; rejects when some of it is not. */
  flush(): Promise<void>;
  setResources(records: readonly AccessLogRecordLike[], set: PolicySet, declared: readonly InventoryProxy[]): void;
  /** A proxy that reports has this address (names the other end of calls). */
  peer(ip: string, identity: ProxyIdentity): void;
  storeStats(): StoreStats;
  /** Why ingest cannot take and keep entries now (a store that cannot write, a worker down, input blocked for long); null when it can. */
  problem(): string | null;
  /** Batches given to workers and not yet taken. */
  outstanding(): number;
  close(): Promise<void>;
}

interface Member {
  readonly index: number;
  worker: Worker;
  outstanding: number;
  /** The entries of those batches. */
  entries: number;
  overloaded: boolean;
  streams: number;
  store: StoreStats;
  problem: string | null;
  alive: boolean;
  /** Since when this worker has held its streams back without a break (0: it has not). */
  blockedSince: number;
}

/** Input held back this long without a break makes the server not ready. */
const blockedTooLongMs = 10_000;

const emptyStats: StoreStats = { entries: 0, bytesOnDisk: 0, pending: 0, written: 0, failed: 0, deletedByRetention: 0 };

export async function startIngestPool(options: IngestPoolOptions): Promise<IngestPool> {
  const { liveTail, sinks, metrics, logger } = options;
  // What a worker has been handed and not yet taken is what a watched entry waits behind at full
  // load, so the mark counts entries, not batches (Envoy's are of any size). 1,600 (16 of the
  // benches' 100-entry batches) keep a worker busy while the main thread refills it. 6,400 gave the
  // same rates, a firehose watcher's p50 at 363-378 ms (71-88 ms with 1,600) and up to 90 MiB more
  // RSS. 400 halved that p50 in `npm run bench`, but under the peer bench's 8 streams the peak RSS
  // rose to 306-416 MiB (252-306 with 1,600), and two runs of four were 15% slower.
  const highWater = options.highWaterEntries ?? 1600;
  const lowWater = Math.floor(highWater / 4);
  const streams = new Map<number, Member>();
  /** The identity each stream's worker was last told: a producer may change it between batches (a relay). */
  const identities = new Map<number, ProxyIdentity>();
  const drainListeners: Array<() => void> = [];
  const waiting = new Map<number, { member: Member; resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let closing = false;
  let resources: Extract<ToWorker, { type: 'resources' }> | undefined;
  const peers = new Map<string, ProxyIdentity>();

  const request = <T>(member: Member, message: (id: number) => ToWorker): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { member, resolve: resolve as (value: unknown) => void, reject });
      member.worker.postMessage(message(id));
    });
  };

  const taking = (m: Member) => m.alive && !m.overloaded && m.entries < highWater;
  // The collector resumes every paused stream on a drain; a stream of a worker still over its mark
  // gives one more batch and pauses again.
  const maybeDrained = (member: Member) => {
    if (member.blockedSince === 0) return;
    if (member.alive && (member.overloaded || member.entries > lowWater)) return;
    member.blockedSince = 0;
    for (const listener of drainListeners) listener();
  };

  const handle = (member: Member, message: FromWorker) => {
    switch (message.type) {
      case 'processed': {
        member.outstanding -= message.batches;
        member.entries -= message.entries;
        member.overloaded = message.overloaded;
        member.store = message.store;
        member.problem = message.problem;
        if (message.watch.length > 0) {
          liveTail.receive(message.watch);
          let bytes = 0;
          for (const out of message.watch) bytes += out.bytes.byteLength;
          member.worker.postMessage({ type: 'watch-consumed', bytes } satisfies ToWorker);
        }
        for (const [id, count] of message.watchLost) liveTail.lost(id, count);
        for (const s of message.sinks) sinks.pushKeyed(s.key, s.config, s.records);
        maybeDrained(member);
        return;
      }
      case 'done': {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error !== undefined) w?.reject(new Error(message.error));
        else w?.resolve(undefined);
        return;
      }
      case 'metrics': {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        w?.resolve(message.metrics);
        return;
      }
      case 'relay':
        options.onRelay?.(message.batches);
        return;
      case 'fatal':
        logger.error({ ingestWorker: member.index, error: message.error }, 'An ingest worker failed.');
        return;
      default:
        return;
    }
  };

  const spawn = (index: number): Promise<Worker> => {
    const data: IngestWorkerData = {
      index,
      dataDir: options.dataDir,
      store: options.store,
      retention: options.retention,
      logLevel: options.logLevel,
      sensitiveHeaders: options.sensitiveHeaders,
      revealHeaders: options.revealHeaders,
      output: options.output,
      redactQueryParams: options.redactQueryParams,
    };
    // The young generation: the per-entry objects of a batch die young. Since watched entries are
    // written from their bytes (no decoded objects), 16 MiB measured the same CPU per entry as 48 on
    // the peer bench, with or without a firehose watcher, and 30-60 MiB less peak RSS; 8 cost CPU.
    const worker = startWorkerThread(import.meta.url, 'worker', { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') {
          worker.off('message', onMessage);
          resolve(worker);
        } else if (message.type === 'fatal') reject(new Error(`ingest worker ${index} could not start: ${message.error}`));
      };
      worker.on('message', onMessage);
      worker.once('error', (err) => reject(new Error(`ingest worker ${index} could not start: ${err.message}`)));
    });
  };

  const members: Member[] = [];
  const attach = (member: Member) => {
    member.worker.on('message', (message: FromWorker) => handle(member, message));
    member.worker.on('error', (err) => logger.error({ ingestWorker: member.index, err }, 'An ingest worker failed.'));
    member.worker.once('exit', (code) => onExit(member, code));
  };

  /**
   * A worker that died took the batches it had not committed with it: its streams are answered
   * with an error (Envoy counts the loss) and a new worker takes new streams on the same shard.
   */
  const onExit = (member: Member, code: number) => {
    member.alive = false;
    for (const [id, w] of waiting) {
      if (w.member !== member) continue;
      waiting.delete(id);
      w.reject(new Error(`ingest worker ${member.index} stopped (exit code ${code})`));
    }
    if (closing) return;
    logger.error({ ingestWorker: member.index, code, outstanding: member.outstanding }, 'An ingest worker stopped; starting a new one.');
    spawn(member.index).then(
      (worker) => {
        member.worker = worker;
        member.outstanding = 0;
        member.entries = 0;
        member.overloaded = false;
        member.alive = true;
        attach(member);
        if (resources) worker.postMessage(resources);
        for (const [ip, identity] of peers) worker.postMessage({ type: 'peer', ip, identity } satisfies ToWorker);
        worker.postMessage({ type: 'watches', id: 0, specs: liveTail.specs() } satisfies ToWorker);
        maybeDrained(member);
      },
      (err: unknown) => logger.error({ err }, 'An ingest worker could not be restarted.'),
    );
  };

  const count = Math.max(1, options.workers);
  const workers = await Promise.all(Array.from({ length: count }, (_, i) => spawn(i)));
  for (const [index, worker] of workers.entries()) {
    const member: Member = {
      index,
      worker,
      outstanding: 0,
      entries: 0,
      overloaded: false,
      streams: 0,
      store: emptyStats,
      problem: null,
      alive: true,
      blockedSince: 0,
    };
    members.push(member);
    attach(member);
  }

  liveTail.onSpecs(async (specs) => {
    await Promise.all(members.filter((m) => m.alive).map((m) => request(m, (id) => ({ type: 'watches', id, specs }))));
  });
  metrics.addSource(() => Promise.all(members.filter((m) => m.alive).map((m) => request<MetricsJson>(m, (id) => ({ type: 'metrics', id })))));

  const memberOf = (stream: number): Member | undefined => streams.get(stream);

  return {
    consume(batch: AlsBatch): boolean {
      const stream = batch.stream ?? 0;
      let member = memberOf(stream);
      let identity: ProxyIdentity | undefined;
      if (!member?.alive) {
        // A new stream goes to the live worker with the fewest streams.
        member = members.filter((m) => m.alive).reduce((a, b) => (b.streams < a.streams ? b : a), members.find((m) => m.alive) ?? members[0]!);
        member.streams++;
        streams.set(stream, member);
        identities.delete(stream);
      }
      if (identities.get(stream) !== batch.proxy) {
        identity = batch.proxy;
        identities.set(stream, batch.proxy);
      }
      const { buffer, bounds } = packEntries(batch.encoded);
      const message: ToWorker = {
        type: 'batch',
        stream,
        ...(identity ? { identity } : {}),
        kind: batch.kind,
        buffer,
        bounds,
        receivedAt: batch.receivedAt,
        ...(batch.selected ? { selected: true } : {}),
        ...(batch.mark ? { mark: batch.mark } : {}),
      };
      member.outstanding++;
      member.entries += batch.encoded.length;
      member.worker.postMessage(message, [buffer]);
      if (taking(member)) return true;
      if (member.blockedSince === 0) member.blockedSince = Date.now();
      return false;
    },
    onDrain(listener) {
      drainListeners.push(listener);
    },
    settle(stream) {
      const member = memberOf(stream);
      if (!member) return Promise.resolve();
      if (!member.alive) return Promise.reject(new Error(`ingest worker ${member.index} stopped before this stream's entries were stored`));
      return request<void>(member, (id) => ({ type: 'flush', id }));
    },
    streamClosed(stream) {
      const member = memberOf(stream);
      if (!member) return;
      streams.delete(stream);
      identities.delete(stream);
      member.streams = Math.max(0, member.streams - 1);
      if (member.alive) member.worker.postMessage({ type: 'stream-closed', stream } satisfies ToWorker);
    },
    async flush() {
      await Promise.all(members.filter((m) => m.alive).map((m) => request<void>(m, (id) => ({ type: 'flush', id }))));
    },
    setResources(records, set, declared) {
      resources = { type: 'resources', records, set, declared };
      for (const m of members) if (m.alive) m.worker.postMessage(resources);
    },
    peer(ip, identity) {
      if (peers.get(ip) === identity) return;
      peers.set(ip, identity);
      for (const m of members) if (m.alive) m.worker.postMessage({ type: 'peer', ip, identity } satisfies ToWorker);
    },
    storeStats() {
      const sum = { ...emptyStats };
      for (const m of members) for (const key of Object.keys(sum) as Array<keyof StoreStats>) sum[key] += m.store[key];
      return sum;
    },
    outstanding: () => members.reduce((n, m) => n + m.outstanding, 0),
    problem() {
      const down = members.filter((m) => !m.alive).map((m) => m.index);
      if (down.length > 0) return `ingest worker ${down.join(', ')} is restarting`;
      const failing = members.find((m) => m.problem !== null);
      if (failing) return `store shard ${failing.index}: ${failing.problem}`;
      const since = Math.min(...members.map((m) => m.blockedSince || Number.POSITIVE_INFINITY));
      if (Date.now() - since > blockedTooLongMs)
        return `ingest has held Envoy back for ${Math.round((Date.now() - since) / 1000)} s: the store does not keep up`;
      return null;
    },
    async close() {
      closing = true;
      await Promise.all(
        members.map(
          (m) =>
            new Promise<void>((resolve) => {
              if (!m.alive) return resolve();
              const timer = setTimeout(() => void m.worker.terminate().then(() => resolve()), 30_000);
              m.worker.on('message', (message: FromWorker) => {
                if (message.type !== 'closed') return;
                clearTimeout(timer);
                m.store = message.store;
                void m.worker.terminate().then(() => resolve());
              });
              m.worker.postMessage({ type: 'close' } satisfies ToWorker);
            }),
        ),
      );
    },
  };
}

/**
 * A batch's entries in one buffer of their own, to transfer: entry i is `bounds[2i] .. bounds[2i + 1]`.
 * Entries that are views, in order, into one message (as the collector gives them) are copied as
 * the one span they make with the few framing bytes between them: a copy per entry cost the main
 * thread a tenth of its time.
 */
export function packEntries(encoded: readonly Uint8Array[]): { buffer: ArrayBuffer; bounds: Uint32Array } {
  const n = encoded.length;
  const bounds = new Uint32Array(n * 2);
  if (n === 0) return { buffer: new ArrayBuffer(0), bounds };
  const first = encoded[0]!;
  const source = first.buffer;
  const start = first.byteOffset;
  let end = start;
  let oneSpan = true;
  for (let i = 0; i < n; i++) {
    const e = encoded[i]!;
    if (e.buffer !== source || e.byteOffset < end) {
      oneSpan = false;
      break;
    }
    bounds[2 * i] = e.byteOffset - start;
    end = e.byteOffset + e.byteLength;
    bounds[2 * i + 1] = end - start;
  }
  // The span is worth copying whole unless the gaps are a good part of it.
  let total = 0;
  for (const e of encoded) total += e.byteLength;
  if (oneSpan && end - start <= total + total / 8) {
    const buffer = new ArrayBuffer(end - start);
    new Uint8Array(buffer).set(new Uint8Array(source, start, end - start));
    return { buffer, bounds };
  }
  const buffer = new ArrayBuffer(total);
  const bytes = new Uint8Array(buffer);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const e = encoded[i]!;
    bytes.set(e, at);
    bounds[2 * i] = at;
    at += e.byteLength;
    bounds[2 * i + 1] = at;
  }
  return { buffer, bounds };
}
