/**
 * The boundary between whatever receives access logs and whatever acts on them.
 *
 * The collector reads an ALS message and hands one `AlsBatch` to a `LogConsumer`: who sent it and
 * the entries as Envoy encoded them. Decoding happens behind this boundary, where the consumer
 * runs (an ingest worker decodes in parallel; a relay forwards the bytes untouched). After
 * `consume` returns, the batch belongs to the consumer; the producer never touches it again.
 */
import type { EntryKind } from './entry.js';
import type { ProxyIdentity } from './proxy-identity.js';

export interface AlsBatch {
  readonly proxy: ProxyIdentity;
  readonly kind: EntryKind;
  /** Each entry's encoded `HTTPAccessLogEntry` / `TCPAccessLogEntry`, in arrival order. */
  readonly encoded: readonly Uint8Array[];
  /** When the message was received, milliseconds since the epoch. */
  readonly receivedAt: number;
}

export interface LogConsumer {
  /**
   * Takes a batch. Returns false when the consumer is over its high-water mark: the caller
   * should stop reading more input until `onDrain` fires. The batch itself is always accepted.
   */
  consume(batch: AlsBatch): boolean;
  onDrain(listener: () => void): void;
}
