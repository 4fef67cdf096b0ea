/**
 * Messages between the main thread (gRPC, HTTP, resources) and an ingest worker (decode, filter,
 * route, format, store, render watchers). Everything is plain data; a batch's bytes travel as one
 * transferred buffer with entry boundaries beside it.
 */
import type { AccessLogRecordLike } from '../../api/access-log-record/model.js';
import type { InventoryProxy } from '../../api/dataplane/model.js';
import type { EntryKind } from '../../model/entry.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import type { WatchOutput, WatchSpec } from '../../pipeline/watch-render.js';
import type { PolicySet } from '../../policy/types.js';
import type { ForwardedBatch } from '../../relay/batch-writer.js';
import type { Compression } from '../../relay/protocol.js';
import type { SinkBackendConfig } from '../../sinks/registry.js';
import type { StoreStats } from '../../store/types.js';

/** What a worker is started with (`workerData`). */
export interface IngestWorkerData {
  readonly index: number;
  readonly dataDir: string;
  readonly store: string;
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly logLevel: string;
  readonly sensitiveHeaders?: readonly string[];
  readonly revealHeaders?: readonly string[];
  readonly redactQueryParams?: readonly string[];
  /** Where collected rows go: a store shard (`meshlog serve`, `server`), or the relay (`meshlog agent`). */
  readonly output?: { readonly relay: { readonly compression: Compression } };
}

export type ToWorker =
  | {
      readonly type: 'batch';
      readonly stream: number;
      /** With the first batch of a stream only: the worker keeps it for the stream's life. */
      readonly identity?: ProxyIdentity;
      readonly kind: EntryKind;
      readonly buffer: ArrayBuffer;
      /** Entry i is `buffer[bounds[2i] .. bounds[2i + 1]]`. */
      readonly bounds: Uint32Array;
      readonly receivedAt: number;
      readonly selected?: boolean;
      readonly mark?: { readonly key: string; readonly value: number };
    }
  | { readonly type: 'stream-closed'; readonly stream: number }
  /** Reply `done` once everything this worker took so far is committed (or why it is not). */
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'resources'; readonly records: readonly AccessLogRecordLike[]; readonly set: PolicySet; readonly declared: readonly InventoryProxy[] }
  | { readonly type: 'peer'; readonly ip: string; readonly identity: ProxyIdentity }
  | { readonly type: 'watches'; readonly id: number; readonly specs: readonly WatchSpec[] }
  | { readonly type: 'watch-consumed'; readonly bytes: number }
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'close' };

export interface SinkRecords {
  readonly key: string;
  readonly config: SinkBackendConfig;
  readonly records: unknown[];
}

export type FromWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'processed';
      /** Batches taken since the last report. */
      readonly batches: number;
      /** The entries of those batches. */
      readonly entries: number;
      /** The worker's store is over its high-water mark (or failing): send it nothing new. */
      readonly overloaded: boolean;
      readonly watch: readonly WatchOutput[];
      /** Entries a watcher lost here because the main thread was behind on its texts. */
      readonly watchLost: ReadonlyArray<readonly [id: number, count: number]>;
      readonly sinks: readonly SinkRecords[];
      readonly store: StoreStats;
      /** Why the worker's store cannot write now; null while it can. */
      readonly problem: string | null;
    }
  | { readonly type: 'done'; readonly id: number; readonly error?: string }
  /** An agent's worker: collected entries, packed, for the relay's buffer. */
  | { readonly type: 'relay'; readonly batches: ForwardedBatch[] }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: unknown[] }
  | { readonly type: 'closed'; readonly store: StoreStats }
  | { readonly type: 'fatal'; readonly error: string };
