/**
 * What every sink shares: the delivery queue (bounded, batching, retry with backoff, drop
 * counting, deadline-bound shutdown) that a sink's one `write(batch)` method sits behind, the
 * error a sink throws when retrying is pointless, and the small encodings file and tcp share.
 */
export { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './backoff.js';
export { createSink } from './create-sink.js';
export { describeError, isPermanentDeliveryError, PermanentDeliveryError } from './delivery-errors.js';
export {
  createDeliveryQueue,
  defaultQueueOptions,
  type DeliveryQueue,
  type DeliveryQueueOptions,
  type DeliveryStats,
  type QueueOptions,
} from './delivery-queue.js';
export { parseHostPort, type HostPort } from './host-port.js';
export { encodeLines, type LineRecord } from './line-record.js';
