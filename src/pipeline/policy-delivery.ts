/**
 * `MeshAccessLog` backends on the collector side: each entry the router gives a rule goes, formatted
 * as each backend asks, to that backend's sink. One sink per destination (file path, tcp address,
 * OTel endpoint), opened on first use and shared by every policy; formats are compiled once per
 * resolved backend. Entries are handed to sinks per batch, one `push` per sink.
 *
 * Never throws into the collector: a failure to format or to open a sink is counted and logged
 * once per cause, and the other backends still get the entry.
 */
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { PolicySet, ResolvedBackend } from '../policy/types.js';
import { compileRecord, openSink, sinkKey, type AnySink, type SinkBackendConfig } from '../sinks/registry.js';
import type { SinkPolicy } from '../sinks/index.js';
import type { RecordCompiler } from '../sinks/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createPolicyRouter, type PolicyRouterOptions } from './routing/policy-router.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { EntryKind, DecodedEntry } from '../model/entry.js';

export interface PolicyDelivery {
  /** True while no policy exists: nothing to do per entry. */
  readonly idle: boolean;
  setPolicies(set: PolicySet, declared: readonly InventoryProxy[]): void;
  /**
   * Routes and delivers a batch. Returns the indexes of entries a `store` backend asked for, or
   * null when none did.
   */
  deliver(identity: ProxyIdentity, kind: EntryKind, entries: readonly DecodedEntry[]): Set<number> | null;
  /** Problems resolving policies (dangling references). */
  errors(): readonly string[];
  /** Reopens every file sink (external rotation: the server calls this on SIGHUP). */
  reopenFiles(): Promise<void>;
  /** Flushes and closes every sink within the deadline. */
  shutdown(deadlineMs?: number): Promise<void>;
}

export interface PolicyDeliveryOptions extends PolicyRouterOptions {
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The operator's bounds on where sinks write and connect (`--file-sink-root`, `--sink-allow-host`). */
  readonly sinkPolicy?: SinkPolicy;
}

export function createPolicyDelivery(options: PolicyDeliveryOptions): PolicyDelivery {
  const { metrics, logger } = options;
  const router = createPolicyRouter(options);
  const sinks = new Map<string, AnySink>();
  const formatters = new WeakMap<ResolvedBackend, Map<EntryKind, RecordCompiler<unknown>>>();
  const reported = new Set<string>();

  const reportOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    logger.warn(fields, message);
  };

  const sinkFor = (backend: SinkBackendConfig): AnySink => {
    const key = sinkKey(backend);
    let sink = sinks.get(key);
    if (!sink) {
      sink = openSink(backend, { metrics, logger, ...(options.sinkPolicy ? { policy: options.sinkPolicy } : {}) });
      sinks.set(key, sink);
    }
    return sink;
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
    deliver(identity, kind, entries) {
      if (router.empty) return null;
      let stored: Set<number> | null = null;
      const batches = new Map<AnySink, unknown[]>();
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        let routed;
        try {
          routed = router.route(identity, kind, entry);
        } catch (err) {
          metrics.entries.dropped.labels('routing_error').inc();
          reportOnce(`route:${String(err)}`, { err }, 'Routing an entry by policy failed; the entry is not delivered to policy backends.');
          continue;
        }
        if (!routed) continue;
        for (const backend of routed.rule.backends) {
          if (backend.type === 'store') {
            (stored ??= new Set()).add(i);
            continue;
          }
          try {
            const record = formatterFor(backend, kind)(entry, routed.context, identity);
            const sink = sinkFor(backend);
            let batch = batches.get(sink);
            if (!batch) batches.set(sink, (batch = []));
            batch.push(record);
          } catch (err) {
            metrics.entries.dropped.labels('format_error').inc();
            reportOnce(`format:${backend.type}:${String(err)}`, { err, backend: backend.type }, 'Formatting an entry for a backend failed; that backend does not get it.');
          }
        }
      }
      for (const [sink, records] of batches) sink.push(records as never[]);
      return stored;
    },
    async reopenFiles() {
      await Promise.all([...sinks.values()].map((s) => ('reopen' in s && typeof s.reopen === 'function' ? (s.reopen as () => Promise<void>)() : undefined)));
    },
    async shutdown(deadlineMs = 5_000) {
      await Promise.all([...sinks.values()].map((s) => s.shutdown(deadlineMs)));
    },
  };
}
