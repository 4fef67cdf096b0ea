/**
 * What every sink shares: the delivery queue (bounded, batching, retry with backoff, drop
 * counting, deadline-bound shutdown) that a sink's one `write(batch)` method sits behind, the
 * error a sink throws when retrying is pointless, the address checks the validators and the
 * sinks both read, the operator's bounds on destinations (roots, allowed hosts), and the line records (format, compiler, encoding) file and tcp share.
 */
export { type HostPort, isFilePath, isHostPort, isHttpUrl, parseHostPort, parseHttpUrl } from './addresses.js';
export { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './backoff.js';
export { createSink } from './create-sink.js';
export { describeError, isPermanentDeliveryError, PermanentDeliveryError } from './delivery-errors.js';
export {
  createDeliveryQueue,
  type DeliveryQueue,
  type DeliveryQueueOptions,
  type DeliveryStats,
  defaultQueueOptions,
  type QueueOptions,
} from './delivery-queue.js';
export { addressProblem, createSinkPolicy, filePathProblem, guardedLookup, hostProblem, literalAddressProblem, type SinkPolicy } from './destination-policy.js';
export { type LineConfigSchema, lineConfigSchema, validateLineConfig, withLineFormat } from './line-config.js';
export { compileLineRecord, encodeLines, type LineRecord } from './line-record.js';
