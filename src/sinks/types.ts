/**
 * The sinks' contract with the rest of meshlog: a factory per backend type says how the backend
 * is written in a resource (schema), when it is valid (validate), what the sink reads (normalize),
 * how an entry becomes the sink's record (compile) and how the sink is built (create); a sink
 * takes batches of those records for one destination.
 */
import type { Static, TObject } from '@sinclair/typebox';
import type { FormatContext } from '../format/types.js';
import type { DecodedEntry, EntryKind } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { Violation } from '../model/violations.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { DeliveryStats, QueueOptions } from './shared/delivery-queue.js';
import type { SinkPolicy } from './shared/destination-policy.js';

/** What every sink's normalised config has: the backend type that reads it. */
export type SinkConfig = { readonly type: string };

/** Turns one entry into a sink's record; built once per backend and entry kind, run per entry. */
export type RecordCompiler<R> = (entry: DecodedEntry, context: FormatContext, identity: ProxyIdentity) => R;

export interface Sink<R> {
  /** The backend type (`file`, `tcp`, ...). */
  readonly type: string;
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
  /** The operator's bounds on destinations, checked again when a file opens or a name resolves. */
  readonly policy?: SinkPolicy;
}

/**
 * One backend type, whole. `Schema` is its config as a resource writes it (`{path, format}`);
 * `C` the normalised config; `R` the record its sink takes; `O` its options; `S` its sink.
 */
export interface SinkFactory<Schema extends TObject, C extends SinkConfig, R, O extends QueueOptions, S extends Sink<R>> {
  readonly type: C['type'];
  /** Kuma 2.x's name for the type (`type: Tcp` beside a `tcp` field). */
  readonly kumaType: string;
  /**
   * The config's fields, under the type's own key in a backend (`tcp: {address}`); also what the
   * seed's `conf` may hold when `type` names this sink. Its required fields are what `conf` must set.
   */
  readonly schema: Schema;
  readonly defaults: O;
  /** What instances are shared by: two configs with the same destination get one sink. */
  destination(config: C): string;
  /**
   * The one check of this sink's fields beyond their JSON types (the schema's job), pure and
   * complete: every violation, each under `path`. Fields of the wrong type are skipped. With the
   * operator's `policy` (a server validating on write), destinations outside it are violations too.
   */
  validate(raw: Readonly<Record<string, unknown>>, path: string, policy?: SinkPolicy): Violation[];
  /** The config of a spec that validated. */
  normalize(spec: Static<Schema>): C;
  /** Compiles the config's formats once; throws when they do not compile (validation refuses those). */
  compile(config: C, kind: EntryKind): RecordCompiler<R>;
  /** Opens nothing yet: files and connections open on the first write. */
  create(config: C, deps?: SinkDeps, options?: Partial<O>): S;
}
