/**
 * The sinks' contract with the pipeline: a sink takes batches of formatted records for one
 * destination, and a factory per backend type builds it from a `MeshAccessLog` backend config.
 */
import type { Violation } from '../model/violations.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { DeliveryStats, QueueOptions } from './shared/delivery-queue.js';
import type { BackendConfig } from '../api/shared/model.js';

/** The backend types that have a sink here (`store` is the store's own path). */
export type SinkBackendConfig = Exclude<BackendConfig, { readonly type: 'store' }>;
export type SinkType = SinkBackendConfig['type'];

export interface Sink<R> {
  readonly type: SinkType;
  /** File path, tcp address or OTel endpoint: one sink per destination, shared by all policies. */
  readonly destination: string;
  /** `type:destination`, the `sink` label of its metrics. */
  readonly name: string;
  /** Never blocks and never throws: accepts what fits, counts the rest as dropped. */
  push(records: readonly R[]): number;
  flush(): Promise<boolean>;
  /** Flushes until the deadline, then releases the destination. Idempotent. */
  shutdown(deadlineMs?: number): Promise<void>;
  stats(): DeliveryStats;
}

/** What a sink implements: one method that writes a batch, and a way to let go of its resources. */
export interface BatchWriter<R> {
  /** Resolves once the batch is delivered; throws to have it retried (or `PermanentDeliveryError`). */
  write(batch: readonly R[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface SinkDeps {
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

export interface SinkFactory<C extends SinkBackendConfig, O extends QueueOptions, S> {
  readonly type: C['type'];
  readonly defaults: O;
  /** What instances are shared by: two configs with the same destination get one sink. */
  destination(config: C): string;
  /** Pure checks of what the sink needs from the config; `path` prefixes each field. */
  validate(config: C, path: string): Violation[];
  /** Opens nothing yet: files and connections open on the first write. */
  create(config: C, deps?: SinkDeps, options?: Partial<O>): S;
}
