/**
 * An ingest worker thread: takes the ALS batches of the streams the main thread gives it, runs the
 * pipeline on them (scan, record filters, redaction, policy routing and formatting, rows), writes
 * its own store shard, and renders what live watchers want. It reports back per event-loop turn:
 * how many batches it took, the watchers' texts, the sinks' records, its store's figures.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { createPipeline } from '../../pipeline/pipeline.js';
import type { createSinkBridge } from '../../pipeline/sink-set.js';
import { createWatchRenderer, watchBuffers } from '../../pipeline/watch-render.js';
import { createRelayBatchWriter } from '../../relay/batch-writer.js';
import { openStoreWriter } from '../../store/registry.js';
import { createLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import type { FromWorker, IngestWorkerData, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the ingest worker runs as a worker thread only.');
const data = workerData as IngestWorkerData;
const send = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

/** Watch bytes sent and not yet consumed by the main thread; past this, outputs are dropped and their entries counted. */
const maxWatchBytesInFlight = 32 * 1024 * 1024;

async function main(): Promise<void> {
  const logger = createLogger({ level: data.logLevel }).child({ ingestWorker: data.index });
  const metrics = createMetrics({ defaultMetrics: false });
  const writer = data.output?.relay
    ? createRelayBatchWriter({ compression: data.output.relay.compression, send: (batches, transfer) => send({ type: 'relay', batches }, transfer) })
    : await openStoreWriter(data.store, data.index, {
        dataDir: data.dataDir,
        retention: data.retention,
        logger,
        onError: (error) => logger.error({ shard: data.index, error }, 'The store shard reports a problem.'),
      });
  const peers = new Map<string, ProxyIdentity>();
  const proxyByIp = (ip: string) => peers.get(ip);
  const watches = createWatchRenderer();
  const pipeline = createPipeline({
    writer,
    metrics,
    logger,
    watches,
    proxyByIp,
    sensitiveHeaders: data.sensitiveHeaders,
    revealHeaders: data.revealHeaders,
    redactQueryParams: data.redactQueryParams,
  });
  /**
   * MeshAccessLog delivery (its routing, formats and sinks: about 12 MiB per worker) is loaded with the
   * first policy. Messages that come while it loads wait, in order, behind it.
   */
  let bridge: ReturnType<typeof createSinkBridge> | undefined;
  let loading: ToWorker[] | undefined;
  const loadDelivery = async () => {
    const [{ createPolicyDelivery }, { createSinkBridge }] = await Promise.all([
      import('../../pipeline/policy-delivery.js'),
      import('../../pipeline/sink-set.js'),
    ]);
    bridge = createSinkBridge();
    pipeline.setDelivery(createPolicyDelivery({ metrics, logger, output: bridge, proxyByIp }));
  };
  const streams = new Map<number, ProxyIdentity>();
  let taken = 0;
  let takenEntries = 0;
  let overloaded = false;
  let reportScheduled = false;
  let watchBytesInFlight = 0;

  const report = () => {
    reportScheduled = false;
    const outputs = watches.take();
    const watchLost: Array<[number, number]> = [];
    const sent = [];
    for (const out of outputs) {
      const bytes = out.bytes.byteLength;
      if (watchBytesInFlight + bytes > maxWatchBytesInFlight) watchLost.push([out.id, out.count]);
      else {
        watchBytesInFlight += bytes;
        sent.push(out);
      }
    }
    send(
      {
        type: 'processed',
        batches: taken,
        entries: takenEntries,
        overloaded,
        watch: sent,
        watchLost,
        sinks: bridge?.take() ?? [],
        store: writer.stats(),
        problem: writer.problem(),
      },
      watchBuffers(sent),
    );
    taken = 0;
    takenEntries = 0;
  };
  const scheduleReport = () => {
    if (!reportScheduled) {
      reportScheduled = true;
      setImmediate(report);
    }
  };
  pipeline.onDrain(() => {
    overloaded = false;
    scheduleReport();
  });
  // The store's figures reach the main thread even while no batch comes.
  setInterval(scheduleReport, 1_000).unref();

  port!.on('message', (message: ToWorker) => {
    if (loading) loading.push(message);
    else handle(message);
  });

  function handle(message: ToWorker): void {
    switch (message.type) {
      case 'batch': {
        if (message.identity) streams.set(message.stream, message.identity);
        const identity = streams.get(message.stream);
        taken++;
        takenEntries += message.bounds.length / 2;
        if (identity) {
          const bytes = new Uint8Array(message.buffer);
          const encoded: Uint8Array[] = new Array(message.bounds.length / 2);
          for (let i = 0; i < encoded.length; i++) encoded[i] = bytes.subarray(message.bounds[2 * i]!, message.bounds[2 * i + 1]!);
          try {
            const batch = { proxy: identity, kind: message.kind, encoded, receivedAt: message.receivedAt, selected: message.selected, mark: message.mark };
            if (!pipeline.consume(batch)) overloaded = true;
          } catch (err) {
            // The pipeline counts what it cannot take; an exception here is a bug, not bad input.
            metrics.entries.dropped.labels('internal').inc(encoded.length);
            logger.error({ err }, 'The pipeline failed on a batch; its entries are counted as dropped.');
          }
        }
        scheduleReport();
        return;
      }
      case 'stream-closed':
        streams.delete(message.stream);
        return;
      case 'flush':
        // Everything taken before this message is reported first: the main thread sees the texts of
        // those entries before it hears they are committed.
        report();
        writer.flush().then(
          () => send({ type: 'done', id: message.id }),
          (err: unknown) => {
            // The main thread hears why (its readiness) before it hears the flush failed.
            report();
            send({ type: 'done', id: message.id, error: err instanceof Error ? err.message : String(err) });
          },
        );
        return;
      case 'resources':
        pipeline.setRecords(message.records);
        if (!bridge && message.set.policies.length > 0) {
          const waiting: ToWorker[] = [message];
          loading = waiting;
          loadDelivery().then(
            () => {
              loading = undefined;
              for (const m of waiting) handle(m);
            },
            (err: unknown) => {
              // A broken installation, not bad input: the waiting messages must not pile up, so this
              // worker stops; the pool answers its streams with an error and starts another.
              send({ type: 'fatal', error: `loading MeshAccessLog delivery failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
              process.exit(1);
            },
          );
          return;
        }
        pipeline.setPolicies(message.set, message.declared);
        return;
      case 'peer':
        peers.set(message.ip, message.identity);
        return;
      case 'watches':
        watches.setSpecs(message.specs);
        send({ type: 'done', id: message.id });
        return;
      case 'watch-consumed':
        watchBytesInFlight = Math.max(0, watchBytesInFlight - message.bytes);
        return;
      case 'metrics':
        void metrics.registry.getMetricsAsJSON().then((json) => send({ type: 'metrics', id: message.id, metrics: json }));
        return;
      case 'close':
        report();
        void writer
          .close()
          .catch((err: unknown) => logger.error({ err }, 'Closing the store shard failed.'))
          .then(() => send({ type: 'closed', store: writer.stats() }));
        return;
    }
  }
  send({ type: 'ready' });
}

main().catch((err: unknown) => send({ type: 'fatal', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
