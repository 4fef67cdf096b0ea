/**
 * One path for every entry: which AccessLogRecords want it, MeshAccessLog backends (routing,
 * formatting, sinks), redaction of sensitive headers and query parameters, the row the store keeps, the store, and live
 * watchers. An entry goes to the store when a record collects it or a policy names the `store`
 * backend for it. It runs wherever entries are ingested: in each ingest worker of `meshlog serve`.
 *
 * The hot path reads each entry's columns straight from the wire (`envoy/wire-scan.ts`) and
 * decodes an entry only when something needs all of it: a policy's routing and formats, a
 * record's header filter, a sensitive header to redact, a watcher that wants it. Redaction comes
 * before anything leaves: the store, the sinks and the watchers all get the redacted entry.
 */
import type protobuf from 'protobufjs';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import { parseLogName } from '../envoy/log-name.js';
import { type AlsTypes, loadAlsTypes } from '../envoy/protos.js';
import { decodeRepairing } from '../envoy/utf8-repair.js';
import { createWireScanner, type EntryScan, type WireScanner } from '../envoy/wire-scan.js';
import type { AlsBatch, LogConsumer } from '../model/als-batch.js';
import type { DecodedEntry } from '../model/entry.js';
import type { PolicySet } from '../policy/types.js';
import type { EntryRow, LogWriter } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { compileRecords, type EntryView, type ProxyCollection, type RecordMatcher } from './access-log-records.js';
import { defaultSensitiveHeaders } from './entry-headers.js';
import type { PolicyDelivery } from './policy-delivery.js';
import { defaultRedactedQueryParams, type RedactionPolicy, redactEntry, redactQuery } from './redaction.js';
import { entryEdge, type ProxyByIp } from './routing/edge.js';
import type { WatchRenderer } from './watch-render.js';

/** Where collected rows go: a store shard, or (in an agent) the relay, which wants the batch they came from too. */
export interface RowWriter extends LogWriter {
  write(rows: readonly EntryRow[], onSettled?: () => void, from?: AlsBatch): boolean;
}

export interface PipelineOptions {
  readonly writer: RowWriter;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Live watchers, rendered here. */
  readonly watches?: WatchRenderer;
  /** Header names whose values are redacted unless a record includes them or the operator reveals them. */
  readonly sensitiveHeaders?: readonly string[];
  /** Sensitive headers the operator chose to show (`--reveal-header`). */
  readonly revealHeaders?: readonly string[];
  /** Query parameters whose values are redacted in `:path` (and the original path and referer). */
  readonly redactQueryParams?: readonly string[];
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
  /** Delivers to MeshAccessLog backends from now on (when it was not given at creation). */
  setDelivery(delivery: PolicyDelivery): void;
  readonly records: RecordMatcher;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { writer, metrics, watches } = options;
  const types = loadAlsTypes();
  const sensitive = new Set((options.sensitiveHeaders ?? defaultSensitiveHeaders).map((h) => h.toLowerCase()));
  const revealed: ReadonlySet<string> = new Set((options.revealHeaders ?? []).map((h) => h.toLowerCase()));
  const queryParams: ReadonlySet<string> = new Set((options.redactQueryParams ?? defaultRedactedQueryParams).map((p) => p.toLowerCase()));
  const redaction: RedactionPolicy = { sensitiveHeaders: sensitive, queryParams };
  const scan = createWireScanner(types, sensitive);
  // One for the pipeline's life: a fresh one per batch, closures and all, outlived the batch.
  const entries = createEntryAccess(types, scan, redaction, () => metrics.entries.repairedUtf8.inc());
  let matcher = compileRecords([]);
  let overloaded = false;
  let delivery = options.delivery;

  return {
    get records() {
      return matcher;
    },
    setRecords(records) {
      matcher = compileRecords(records);
    },
    setPolicies(set, declared) {
      delivery?.setPolicies(set, declared);
    },
    setDelivery(next) {
      delivery = next;
    },
    onDrain(listener) {
      writer.onDrain(() => {
        overloaded = false;
        listener();
      });
    },
    consume(batch: AlsBatch): boolean {
      const { proxy, kind, encoded } = batch;
      // A stream of meshlog's rendered config carries entries for one purpose: `meshlog:records` for
      // AccessLogRecords, `meshlog:<listener>` for that listener's MeshAccessLog rules. Other streams serve both.
      const purpose = parseLogName(proxy.logName)?.kind;
      const routing = delivery && !delivery.idle && purpose !== 'records' && !batch.selected ? delivery.begin(proxy, kind) : null;
      const collection = batch.selected ? everything : purpose === 'listener' ? noCollection : matcher.forProxy(proxy);
      if (collection.none && routing === null) {
        metrics.entries.notSelected.inc(encoded.length);
        return !overloaded;
      }
      const receivedAtUs = batch.receivedAt * 1000;
      entries.begin(kind, receivedAtUs);
      const rows: EntryRow[] = [];
      const instance = proxy.instance || proxy.nodeId;
      let malformed = 0;
      try {
        for (let i = 0; i < encoded.length; i++) {
          if (!entries.load(encoded[i]!)) {
            malformed++;
            continue;
          }
          const c = entries.scan;
          const matched = collection.none ? null : collection.match(entries);
          // Policy formats read the whole entry, redacted first; so does a record that keeps it.
          let stored = matched !== null;
          if (routing) {
            const entry = entries.redacted(allowedFor(matched, revealed));
            if (entry === null) {
              malformed++;
              continue;
            }
            if (routing.add(entry)) stored = true;
          }
          if (!stored) continue;
          const bytes = entries.needsRedaction && !batch.selected ? entries.encodedRedacted(allowedFor(matched, revealed)) : entries.bytes;
          if (bytes === null) {
            malformed++;
            continue;
          }
          const edge = entryEdge(proxy, c, options.proxyByIp);
          // A start time well after receipt (a proxy's clock, or a forged entry) would pin every
          // "latest N" forever: such an entry is kept at its time of receipt, and counted.
          let ts = c.ts;
          if (ts > receivedAtUs + maxClockSkewUs) {
            ts = receivedAtUs;
            metrics.entries.clampedFuture.inc();
          }
          const row: EntryRow = {
            ts,
            kind,
            workload: proxy.workload,
            labels: proxy.labels,
            instance,
            method: c.method,
            authority: c.authority,
            // The column too: a token in the query can be neither read nor searched for.
            path: entries.path,
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
          if (watches?.active) {
            const decoded = entries.current();
            watches.offer(row, proxy, kind, () => decoded ?? (entries.decode(bytes) as DecodedEntry));
          }
        }
      } finally {
        // The entry state outlives the batch, so it lets go of the batch's last entry: batch views
        // left in per-batch state were seen to keep their buffers (about 74 KB each) alive until
        // V8's next full collection, about 60 MiB of dead batches per ingest worker.
        entries.release();
      }
      routing?.end();
      if (malformed > 0) metrics.entries.dropped.labels('malformed').inc(malformed);
      const skipped = encoded.length - malformed - rows.length;
      if (skipped > 0) metrics.entries.notSelected.inc(skipped);
      if (rows.length > 0) {
        (kind === 'http' ? metrics.entries.collectedHttp : metrics.entries.collectedTcp).inc(rows.length);
        // meshlog_ingest_commit_seconds: one closure per batch, never per entry, and holding only
        // the time: held until the commit, the batch would keep its buffer past the young generation.
        const receivedAt = batch.receivedAt;
        if (!writer.write(rows, () => metrics.ingestCommitSeconds.observe((Date.now() - receivedAt) / 1000), batch)) overloaded = true;
      }
      // After the rows: the mark commits with them, or later, never before them.
      if (batch.mark) writer.mark?.(batch.mark.key, batch.mark.value);
      return !overloaded;
    },
  };
}

const noHeaders: ReadonlySet<string> = new Set();
const noBytes = new Uint8Array(0);
/** How far after its receipt an entry's start time may be (clocks drift) before it is clamped. */
const maxClockSkewUs = 10 * 60 * 1_000_000;
const noCollection: ProxyCollection = { none: true, match: () => null };
const noRecords: readonly never[] = [];
/** A relayed batch: every entry was collected where it came from. */
const everything: ProxyCollection = { none: false, match: () => noRecords };

/** Sensitive headers shown: what the operator reveals and what the records that collected the entry include. */
function allowedFor(matched: ReturnType<ProxyCollection['match']>, revealed: ReadonlySet<string>): ReadonlySet<string> {
  if (!matched) return revealed.size > 0 ? revealed : noHeaders;
  if (matched.length === 1 && revealed.size === 0) return matched[0]!.includedHeaders;
  const out = new Set(revealed);
  for (const r of matched) for (const h of r.includedHeaders) out.add(h);
  return out;
}

/**
 * The entry being processed, as the pipeline reads it: its wire scan always, its decoded form
 * once something asks (an `EntryView` for the record filters), redacted at most once.
 */
interface EntryAccess extends EntryView {
  /** Entries of this kind follow, received at this time (microseconds): the time of those that have none. */
  begin(kind: AlsBatch['kind'], receivedAtUs: number): void;
  /** Scans the next entry; false when its bytes are not an entry. */
  load(bytes: Uint8Array): boolean;
  readonly scan: EntryScan;
  /** A sensitive header, or a query parameter to redact in its path, is present (from the scan). */
  readonly needsRedaction: boolean;
  /** The path as kept: its query parameters redacted. */
  readonly path: string | null;
  /** The entry decoded and redacted (once); null when it does not decode. */
  redacted(allowed: ReadonlySet<string>): DecodedEntry | null;
  /** The bytes to keep: the entry re-encoded after redaction; null when it does not decode. */
  encodedRedacted(allowed: ReadonlySet<string>): Uint8Array | null;
  /** The entry's bytes as they are kept: as received, or repaired when its strings were not UTF-8. */
  readonly bytes: Uint8Array;
  /** The decoded entry, when something decoded it. */
  current(): DecodedEntry | undefined;
  decode(bytes: Uint8Array): DecodedEntry | null;
  /** Lets go of the last entry and what was decoded of it: the batch is done. */
  release(): void;
}

function createEntryAccess(types: AlsTypes, scanner: WireScanner, redaction: RedactionPolicy, onRepaired: () => void): EntryAccess {
  let kind: AlsBatch['kind'] = 'http';
  let type: protobuf.Type = types.HTTPAccessLogEntry;
  let fallbackTs = 0;
  let bytes: Uint8Array = new Uint8Array(0);
  let scanned: EntryScan | undefined;
  let decoded: DecodedEntry | null | undefined;
  let redacted = false;
  let changed = false;
  let path: string | null = null;
  /** Decodes the current entry; one whose strings are not UTF-8 is repaired, and its repaired bytes are kept. */
  const decodeCurrent = (): DecodedEntry | null => {
    try {
      const d = decodeRepairing(type, bytes);
      if (d.repaired > 0) {
        bytes = d.bytes;
        onRepaired();
      }
      return d.message as unknown as DecodedEntry;
    } catch {
      return null;
    }
  };
  const decode = (b: Uint8Array): DecodedEntry | null => {
    try {
      return decodeRepairing(type, b).message as unknown as DecodedEntry;
    } catch {
      return null;
    }
  };
  const access: EntryAccess = {
    begin(batchKind, receivedAtUs) {
      kind = batchKind;
      type = kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry;
      fallbackTs = receivedAtUs;
    },
    load(next) {
      bytes = next;
      decoded = undefined;
      redacted = false;
      changed = false;
      try {
        scanned = scanner(kind, next, fallbackTs);
      } catch {
        return false;
      }
      // Only a path with a query is looked at: the common case costs one indexOf.
      path = scanned.path !== null && kind === 'http' ? redactQuery(scanned.path, redaction.queryParams) : scanned.path;
      return true;
    },
    get scan() {
      return scanned!;
    },
    get needsRedaction() {
      return kind === 'http' && (scanned!.sensitive || path !== scanned!.path);
    },
    get path() {
      return path;
    },
    get status() {
      return scanned!.status;
    },
    entry() {
      decoded ??= decodeCurrent();
      // A filter on an entry that does not decode sees an empty one; `redacted` reports it as malformed.
      return decoded ?? {};
    },
    redacted(allowed) {
      decoded ??= decodeCurrent();
      if (decoded && !redacted && access.needsRedaction) {
        changed = redactEntry(decoded, redaction, allowed);
        redacted = true;
      }
      return decoded;
    },
    encodedRedacted(allowed) {
      const entry = access.redacted(allowed);
      if (!entry) return null;
      return changed ? type.encode(entry).finish() : bytes;
    },
    get bytes() {
      return bytes;
    },
    current: () => decoded ?? undefined,
    release() {
      bytes = noBytes;
      decoded = undefined;
      scanned = undefined;
    },
    decode,
  };
  return access;
}
