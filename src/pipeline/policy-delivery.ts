/**
 * `MeshAccessLog` backends on the collector side: each entry the router gives a rule is formatted
 * as each backend asks and handed, per batch, to a `SinkOutput` — the sinks themselves (`sink-set.ts`)
 * in one thread, or a bridge to them when this runs in an ingest worker. Formats are compiled once
 * per resolved backend, where the entries are (the expensive part runs in parallel).
 *
 * Never throws into the collector: a failure to format is counted and logged once per cause, and
 * the other backends still get the entry.
 */

import type { InventoryProxy } from '../api/dataplane/model.js';
import type { DecodedEntry, EntryKind } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { PolicySet, ResolvedBackend } from '../policy/types.js';
import { compileRecord, type SinkBackendConfig } from '../sinks/registry.js';
import type { RecordCompiler } from '../sinks/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createPolicyRouter, type PolicyRouterOptions } from './routing/policy-router.js';

export interface PolicyDelivery {
  /** True while no policy exists: nothing to do per entry. */
  readonly idle: boolean;
  setPolicies(set: PolicySet, declared: readonly InventoryProxy[]): void;
  /**
   * Starts a batch of one proxy's entries: `add` routes and formats one entry (true when a `store`
   * backend asked for it), `end` hands each backend its records.
   */
  begin(identity: ProxyIdentity, kind: EntryKind): DeliveryBatch;
  /** Problems resolving policies (dangling references). */
  errors(): readonly string[];
}

export interface DeliveryBatch {
  add(entry: DecodedEntry): boolean;
  end(): void;
}

/** Where formatted records go: one call per sink destination per batch. */
export interface SinkOutput {
  push(config: SinkBackendConfig, records: unknown[]): void;
}

export interface PolicyDeliveryOptions extends PolicyRouterOptions {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly output: SinkOutput;
}

export function createPolicyDelivery(options: PolicyDeliveryOptions): PolicyDelivery {
  const { metrics, logger } = options;
  const router = createPolicyRouter(options);
  const formatters = new WeakMap<ResolvedBackend, Map<EntryKind, RecordCompiler<unknown>>>();
  const reported = new Set<string>();

  const reportOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    logger.warn(fields, message);
  };

  const formatterFor = (backend: ResolvedBackend & SinkBackendConfig, kind: EntryKind): RecordCompiler<unknown> => {
    let byKind = formatters.get(backend);
    if (!byKind) formatters.set(backend, (byKind = new Map()));
    let formatter = byKind.get(kind);
    if (!formatter) {
      formatter = compileRecord(backend, kind);
      byKind.set(kind, formatter);
    }
    return formatter;
  };

  return {
    get idle() {
      return router.empty;
    },
    setPolicies(set, declared) {
      router.setPolicies(set, declared);
      for (const e of router.errors()) logger.warn({ problem: e }, 'A MeshAccessLog policy references a backend that does not resolve.');
    },
    errors: () => router.errors(),
    begin(identity, kind) {
      // Backends of one batch, by identity: each gets one push with its records.
      const batches = new Map<SinkBackendConfig, unknown[]>();
      return {
        add(entry) {
          if (router.empty) return false;
          let routed: ReturnType<typeof router.route>;
          try {
            routed = router.route(identity, kind, entry);
          } catch (err) {
            metrics.entries.dropped.labels('routing_error').inc();
            reportOnce(`route:${String(err)}`, { err }, 'Routing an entry by policy failed; the entry is not delivered to policy backends.');
            return false;
          }
          if (!routed) return false;
          let stored = false;
          for (const backend of routed.rule.backends) {
            if (backend.type === 'store') {
              stored = true;
              continue;
            }
            try {
              const record = formatterFor(backend, kind)(entry, routed.context, identity);
              let batch = batches.get(backend);
              if (!batch) batches.set(backend, (batch = []));
              batch.push(record);
            } catch (err) {
              metrics.entries.dropped.labels('format_error').inc();
              reportOnce(
                `format:${backend.type}:${String(err)}`,
                { err, backend: backend.type },
                'Formatting an entry for a backend failed; that backend does not get it.',
              );
            }
          }
          return stored;
        },
        end() {
          for (const [backend, records] of batches) options.output.push(backend, records);
        },
      };
    },
  };
}
