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
import { compileFormat, defaultFormatFor } from '../format/index.js';
import type { CompiledFormat, FormatContext } from '../format/types.js';
import type { PolicySet, ResolvedBackend } from '../policy/types.js';
import { builtinResource, compileOtelTemplate, entryTimeUnixNano, type OtelBackendConfig, type OtelLogRecord } from '../sinks/otlp/index.js';
import { openSink, sinkKey, type AnySink } from '../sinks/registry.js';
import type { LineRecord } from '../sinks/shared/line-record.js';
import type { SinkBackendConfig } from '../sinks/types.js';
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
}

type Formatter = (entry: DecodedEntry, context: FormatContext, identity: ProxyIdentity) => unknown;

export function createPolicyDelivery(options: PolicyDeliveryOptions): PolicyDelivery {
  const { metrics, logger } = options;
  const router = createPolicyRouter(options);
  const sinks = new Map<string, AnySink>();
  const formatters = new WeakMap<ResolvedBackend, Map<EntryKind, Formatter>>();
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
      sink = openSink(backend, { metrics, logger });
      sinks.set(key, sink);
    }
    return sink;
  };

  const formatterFor = (backend: ResolvedBackend & SinkBackendConfig, kind: EntryKind): Formatter => {
    let byKind = formatters.get(backend);
    if (!byKind) formatters.set(backend, (byKind = new Map()));
    let formatter = byKind.get(kind);
    if (!formatter) {
      formatter = compileBackendFormatter(backend, kind);
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

/** The record a backend's sink takes, built by the backend's compiled format. */
function compileBackendFormatter(backend: SinkBackendConfig, kind: EntryKind): Formatter {
  if (backend.type === 'openTelemetry') return compileOtelFormatter(backend, kind);
  const compiled = compileFormat(backend.format ?? defaultFormatFor(kind));
  if (!compiled.ok) {
    // Validation refuses such a format when the policy is applied; reaching here is a bug.
    throw new Error(`the ${backend.type} backend's format does not compile: ${compiled.violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
  }
  const format: CompiledFormat = compiled;
  return format.kind === 'plain'
    ? (entry, context): LineRecord => ({ text: format.format(entry, context) as string })
    : (entry, context): LineRecord => ({ object: format.format(entry, context) as Record<string, unknown> });
}

/**
 * An OTLP log record as Envoy's OpenTelemetry access logger builds it: the body and attributes
 * formatted, the request's start time, and Envoy's builtin resource attributes plus the mesh.
 */
function compileOtelFormatter(backend: OtelBackendConfig, kind: EntryKind): Formatter {
  const template = compileOtelTemplate(backend.body ?? defaultFormatText(kind), backend.attributes ?? []);
  if (!template.ok) {
    throw new Error(`the openTelemetry backend's body or attributes do not compile: ${template.violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
  }
  const resources = new WeakMap<ProxyIdentity, Record<string, string>>();
  return (entry, context, identity): OtelLogRecord => {
    let resource = resources.get(identity);
    if (!resource) {
      const base = { logName: identity.logName, zoneName: context.proxy.zone ?? '', clusterName: identity.nodeCluster, nodeName: identity.nodeId };
      resource = builtinResource(base, { 'kuma.mesh': context.proxy.mesh ?? '', ...(context.proxy.zone ? { 'kuma.zone': context.proxy.zone } : {}) });
      resources.set(identity, resource);
    }
    const { body, attributes } = template.render(entry, context);
    return { timeUnixNano: entryTimeUnixNano(entry), body, attributes, resource };
  };
}

function defaultFormatText(kind: EntryKind): string {
  const spec = defaultFormatFor(kind);
  return 'plain' in spec ? spec.plain : '';
}
