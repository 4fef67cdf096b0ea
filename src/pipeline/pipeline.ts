/**
 * One path for every entry: MeshAccessLog backends (routing, formatting, sinks), which
 * AccessLogRecords want it, redaction of sensitive headers, columns for the store, the store, and
 * live watchers. An entry goes to the store when a record collects it or a policy names the
 * `store` backend for it.
 *
 * Runs on the ingest hot path: work per entry is the record filters, one columns object and,
 * only when a sensitive header is present, a re-encode; with policies in force, the routing and
 * one formatted record per backend.
 */
import { entryColumns } from '../envoy/entry-fields.js';
import { loadAlsTypes } from '../envoy/protos.js';
import type { LogStore, EntryRow } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { parseLogName } from '../envoy/log-name.js';
import { type ProxyCollection, type RecordMatcher, compileRecords } from './access-log-records.js';
import { createRedactionPolicy, redactEntry, type RedactionPolicy } from './redaction.js';
import type { CollectedEntry, LiveTail } from './live-tail.js';
import type { AlsBatch, LogConsumer } from '../model/als-batch.js';
import type { DecodedEntry } from '../model/entry.js';
import type protobuf from 'protobufjs';
import type { PolicyDelivery } from './policy-delivery.js';
import { type ProxyByIp, entryEdge } from './routing/edge.js';
import type { PolicySet } from '../policy/types.js';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';

export interface PipelineOptions {
  readonly store: LogStore;
  readonly liveTail: LiveTail;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** What is redacted: sensitive headers (unless a record includes them) and query parameters. */
  readonly redaction?: RedactionPolicy;
  /** MeshAccessLog backends; without it, only AccessLogRecords collect into the store. */
  readonly delivery?: PolicyDelivery;
  /** The proxy that has an IP, when it reports to meshlog too: names the other end of a call. */
  readonly proxyByIp?: ProxyByIp;
}

export interface Pipeline extends LogConsumer {
  /** Replaces the AccessLogRecords in force (from the resource repository). */
  setRecords(records: readonly AccessLogRecordLike[]): void;
  /** Replaces the MeshAccessLog policies, backends, routes and declared proxies in force. */
  setPolicies(set: PolicySet, declared: readonly InventoryProxy[]): void;
  readonly records: RecordMatcher;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { store, liveTail, metrics } = options;
  const types = loadAlsTypes();
  const redaction = options.redaction ?? createRedactionPolicy();
  let matcher = compileRecords([]);
  let overloaded = false;

  return {
    get records() {
      return matcher;
    },
    setRecords(records) {
      matcher = compileRecords(records);
    },
    setPolicies(set, declared) {
      options.delivery?.setPolicies(set, declared);
    },
    onDrain(listener) {
      store.onDrain(() => {
        overloaded = false;
        listener();
      });
    },
    consume(batch: AlsBatch): boolean {
      const { proxy, kind } = batch;
      const { entries, encoded } = decodeBatch(batch, kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry, metrics);
      // Policy backends first, on the entries as Envoy sent them: a format prints only what it names.
      // A stream of meshlog's rendered config carries entries for one purpose: `meshlog:records` for
      // AccessLogRecords, `meshlog:<listener>` for that listener's MeshAccessLog rules. Other streams serve both.
      const purpose = parseLogName(proxy.logName)?.kind;
      const delivery = options.delivery;
      const stored = delivery && !delivery.idle && purpose !== 'records' ? delivery.deliver(proxy, kind, entries) : null;
      const collection = purpose === 'listener' ? noCollection : matcher.forProxy(proxy);
      if (collection.none && stored === null) {
        metrics.entries.notSelected.inc(entries.length);
        return !overloaded;
      }
      const rows: EntryRow[] = [];
      const live: CollectedEntry[] | null = liveTail.watchers > 0 ? [] : null;
      const type = kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry;
      const instance = proxy.instance || proxy.nodeId;
      // Entries without a start time are stamped with their arrival.
      const receivedAtUs = batch.receivedAt * 1000;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        const matched = collection.none ? null : collection.match(entry);
        if (!matched && !stored?.has(i)) continue;
        let bytes = encoded[i]!;
        if (kind === 'http') {
          const allowed = !matched ? noHeaders : matched.length === 1 ? matched[0]!.includedHeaders : unionOf(matched.map((r) => r.includedHeaders));
          if (redactEntry(entry, redaction, allowed)) bytes = type.encode(entry).finish();
        }
        const c = entryColumns(kind, entry, receivedAtUs);
        const edge = entryEdge(proxy, entry, options.proxyByIp);
        const row: EntryRow = {
          ts: c.ts,
          kind,
          workload: proxy.workload,
          labels: proxy.labels,
          instance,
          method: c.method,
          authority: c.authority,
          path: c.path,
          status: c.status,
          durationUs: c.durationUs,
          responseFlags: c.responseFlags,
          upstreamCluster: c.upstreamCluster,
          requestId: c.requestId,
          direction: edge.direction,
          source: edge.source,
          destination: edge.destination,
          bytesReceived: c.bytesReceived,
          bytesSent: c.bytesSent,
          upstreamFailure: c.upstreamFailure,
          entry: bytes,
        };
        rows.push(row);
        live?.push({ proxy, kind, entry, row });
      }
      const skipped = entries.length - rows.length;
      if (skipped > 0) metrics.entries.notSelected.inc(skipped);
      if (rows.length === 0) return !overloaded;
      (kind === 'http' ? metrics.entries.collectedHttp : metrics.entries.collectedTcp).inc(rows.length);
      if (!store.write(rows)) overloaded = true;
      if (live && live.length > 0) liveTail.publish(live);
      return !overloaded;
    },
  };
}

/**
 * Decodes every entry of a batch. The producer framed each entry but did not decode it: one whose
 * contents are not a valid entry is counted and left out, and the rest of the batch goes on.
 */
function decodeBatch(batch: AlsBatch, type: protobuf.Type, metrics: Metrics): { entries: DecodedEntry[]; encoded: readonly Uint8Array[] } {
  const entries: DecodedEntry[] = new Array(batch.encoded.length);
  let bad: number[] | undefined;
  for (let i = 0; i < batch.encoded.length; i++) {
    try {
      entries[i] = type.decode(batch.encoded[i]!) as unknown as DecodedEntry;
    } catch {
      (bad ??= []).push(i);
    }
  }
  if (!bad) return { entries, encoded: batch.encoded };
  metrics.entries.dropped.labels('malformed').inc(bad.length);
  const keep = (_: unknown, i: number) => !bad.includes(i);
  return { entries: entries.filter(keep), encoded: batch.encoded.filter(keep) };
}

const noHeaders: ReadonlySet<string> = new Set();
const noCollection: ProxyCollection = { none: true, match: () => null };

function unionOf(sets: ReadonlyArray<ReadonlySet<string>>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const s of sets) for (const v of s) out.add(v);
  return out;
}
