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
  /** The producer's stream this batch came on: a stream's batches are consumed in order. */
  readonly stream?: number;
  readonly proxy: ProxyIdentity;
  readonly kind: EntryKind;
  /** Each entry's encoded `HTTPAccessLogEntry` / `TCPAccessLogEntry`, in arrival order. */
  readonly encoded: readonly Uint8Array[];
  /** When the message was received, milliseconds since the epoch. */
  readonly receivedAt: number;
  /**
   * Chosen where it was collected (a batch an agent relayed): every entry is kept as it is, already
   * filtered, redacted and delivered to policy backends there, so none of that happens again.
   */
  readonly selected?: boolean;
  /** Committed with the batch's entries (`LogWriter.mark`): the relay's (agent, sequence). */
  readonly mark?: { readonly key: string; readonly value: number };
}

export interface LogConsumer {
  /**
   * Takes a batch. Returns false when the consumer is over its high-water mark: the caller
   * should stop reading more input until `onDrain` fires. The batch itself is always accepted.
   */
  consume(batch: AlsBatch): boolean;
  onDrain(listener: () => void): void;
  /**
   * Resolves once every batch consumed so far for this stream is durably stored; rejects when some
   * of it is not. The producer acknowledges its client only after this (absent: nothing to wait for).
   */
  settle?(stream: number): Promise<void>;
  /** The stream ended: no more batches will come on it. */
  streamClosed?(stream: number): void;
}
