/**
 * The boundary between the collector and everything after it.
 *
 * The collector decodes an ALS message and hands one `AlsBatch` to a `LogConsumer`; the relay
 * between agent and server will sit on the same interface. After `consume` returns, the batch
 * belongs to the consumer; the collector never touches it again.
 */
import type { ProxyIdentity } from './proxy-identity.js';
import type { DecodedEntry, EntryKind } from './entry.js';

export interface AlsBatch {
  readonly proxy: ProxyIdentity;
  readonly kind: EntryKind;
  readonly entries: readonly DecodedEntry[];
  /** The encoded bytes of each entry, in the same order (views into the received message). */
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
