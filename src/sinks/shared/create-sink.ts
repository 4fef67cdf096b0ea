/**
 * Puts a sink's `BatchWriter` behind the shared delivery queue, so that every sink has the same
 * `push` / `flush` / `shutdown` / `stats` behaviour and the same metrics.
 */
import type { BatchWriter, Sink, SinkDeps } from '../types.js';
import { createDeliveryQueue, type QueueOptions } from './delivery-queue.js';

export function createSink<R>(type: string, destination: string, writer: BatchWriter<R>, options: QueueOptions, deps: SinkDeps = {}): Sink<R> {
  const name = `${type}:${destination}`;
  const queue = createDeliveryQueue<R>({
    ...options,
    name,
    write: (batch, signal) => writer.write(batch, signal),
    close: () => writer.close(),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  return {
    type,
    destination,
    name,
    push: (records) => queue.push(records),
    flush: () => queue.flush(),
    shutdown: (deadlineMs) => queue.shutdown(deadlineMs),
    stats: () => queue.stats(),
  };
}
