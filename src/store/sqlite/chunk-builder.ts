/**
 * A chunk built as its rows come (`chunk-codec.ts` has the format): each row's numbers, string
 * references, request id hash and encoded entry are copied into staging arrays when it is added,
 * and the blobs are laid out from them at `finish`.
 *
 * Why not keep the rows until the commit: an ingest worker buffers a commit's rows for up to 25 ms,
 * long enough for V8's young-generation collections to copy every row, its strings and the view
 * of its entry, and to promote some of them (1.4 MB survived each scavenge under the peer bench,
 * and scavenges took a seventh of a worker's time; 0.1 MB staged). Staged, a row and its batch die
 * young; the staging arrays are reused.
 */
import type { EntryRow } from '../types.js';
import { bloomFromHashes, hashRequestId } from './chunk-bloom.js';
import { type Allocate, align8, chunkFormatVersion, chunkSections, noStatus, S, stringColumns } from './chunk-codec.js';

export interface PackedChunk {
  readonly count: number;
  readonly minTs: number;
  readonly maxTs: number;
  readonly columns: Uint8Array;
  readonly entries: Uint8Array;
  readonly bloom: Uint8Array;
}

const fresh: Allocate = (bytes) => new Uint8Array(bytes);
/** Staging kept between chunks up to these sizes; a larger chunk's is let go when it is done. */
const keptRows = 4096;
const keptBytes = 4 << 20;
/** Lookups in a column before it may be found to hold mostly new values. */
const distinctAfter = 64;

/** Rows (all of one workload) packed as they are added; `finish` lays out the chunk and starts over. */
export class ChunkBuilder {
  count = 0;
  private capacity = 0;
  private ts = new Float64Array(0);
  private duration = new Float64Array(0);
  private received = new Float64Array(0);
  private sent = new Float64Array(0);
  private offsets = new Uint32Array(1);
  private refs = new Uint32Array(0);
  private status = new Uint16Array(0);
  private srcPort = new Uint16Array(0);
  private dstPort = new Uint16Array(0);
  private kind = new Uint8Array(0);
  private direction = new Uint8Array(0);
  private entries = new Uint8Array(0);
  private entryBytes = 0;
  private minTs = Number.POSITIVE_INFINITY;
  private maxTs = Number.NEGATIVE_INFINITY;
  /** Request id hashes, two per id (`chunk-bloom.ts`). */
  private idHashes = new Uint32Array(0);
  private ids = 0;
  /** The dictionary: reference i + 1 is string i, its UTF-8 at `stringStarts[i]`. */
  private readonly dictionary = new Map<string, number>();
  private strings = 0;
  private stringStarts = new Uint32Array(1);
  private stringBytes = Buffer.alloc(0);
  // Per column, the last string and its reference: rows of one workload repeat most columns, and
  // the same string object (an identity's cluster, the workload) compares without hashing.
  private readonly lastValue: Array<string | null> = new Array(stringColumns).fill(null);
  private readonly lastRef = new Uint32Array(stringColumns);
  /** Per column: dictionary lookups, those that missed, and whether it is no longer looked up. */
  private readonly looked = new Uint32Array(stringColumns);
  private readonly missed = new Uint32Array(stringColumns);
  private readonly distinct = new Uint8Array(stringColumns);

  add(r: EntryRow): void {
    const i = this.count;
    if (i === this.capacity) this.grow(Math.max(64, 2 * i));
    const o = i * stringColumns;
    const refs = this.refs;
    refs[o + S.instance] = this.ref(S.instance, r.instance);
    refs[o + S.method] = this.ref(S.method, r.method);
    refs[o + S.authority] = this.ref(S.authority, r.authority);
    refs[o + S.path] = this.ref(S.path, r.path);
    refs[o + S.responseFlags] = this.ref(S.responseFlags, r.responseFlags);
    refs[o + S.upstreamCluster] = this.ref(S.upstreamCluster, r.upstreamCluster);
    // Request ids are (nearly) all different: looking them up would cost more than it saves.
    refs[o + S.requestId] = r.requestId === null ? 0 : this.intern(r.requestId);
    refs[o + S.upstreamFailure] = this.ref(S.upstreamFailure, r.upstreamFailure);
    const src = r.source;
    const dst = r.destination;
    refs[o + S.srcCluster] = this.ref(S.srcCluster, src.cluster);
    refs[o + S.srcNamespace] = this.ref(S.srcNamespace, src.namespace);
    refs[o + S.srcWorkload] = this.ref(S.srcWorkload, src.workload);
    refs[o + S.srcIp] = this.ref(S.srcIp, src.ip);
    refs[o + S.dstCluster] = this.ref(S.dstCluster, dst.cluster);
    refs[o + S.dstNamespace] = this.ref(S.dstNamespace, dst.namespace);
    refs[o + S.dstWorkload] = this.ref(S.dstWorkload, dst.workload);
    refs[o + S.dstIp] = this.ref(S.dstIp, dst.ip);
    refs[o + S.dstService] = this.ref(S.dstService, dst.service);
    if (r.requestId !== null) {
      if (2 * this.ids === this.idHashes.length) this.idHashes = grown(this.idHashes, Math.max(128, 4 * this.ids), 2 * this.ids);
      hashRequestId(r.requestId, this.idHashes, 2 * this.ids++);
    }
    const ts = sane(r.ts);
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    this.ts[i] = ts;
    this.duration[i] = r.durationUs === null || !Number.isFinite(r.durationUs) ? Number.NaN : Math.trunc(r.durationUs);
    this.received[i] = Number.isFinite(r.bytesReceived) ? r.bytesReceived : 0;
    this.sent[i] = Number.isFinite(r.bytesSent) ? r.bytesSent : 0;
    this.status[i] = r.status === null || !Number.isInteger(r.status) || r.status < 0 || r.status >= noStatus ? noStatus : r.status;
    this.srcPort[i] = port(src.port);
    this.dstPort[i] = port(dst.port);
    this.kind[i] = r.kind === 'tcp' ? 1 : 0;
    this.direction[i] = r.direction === 'inbound' ? 1 : r.direction === 'outbound' ? 2 : 0;
    const entry = r.entry;
    const end = this.entryBytes + entry.byteLength;
    if (end > this.entries.length) this.entries = grown(this.entries, Math.max(end, 2 * this.entries.length, 16_384), this.entryBytes);
    this.entries.set(entry, this.entryBytes);
    this.offsets[i] = this.entryBytes;
    this.entryBytes = end;
    this.count = i + 1;
  }

  /** The chunk of the rows added since the last `finish`, in memory from `allocate`; the builder is then empty. */
  finish(allocate: Allocate = fresh): PackedChunk {
    const count = this.count;
    const strings = this.strings;
    const layout = chunkSections(count);
    const dictionaryBytes = this.stringStarts[strings]!;
    const total = layout.dictionary + align8(4 * strings) + dictionaryBytes;
    // Padding between sections is part of the blob: zeroed, whatever the memory held.
    const columns = allocate(total).fill(0);
    const buffer = columns.buffer;
    const base = columns.byteOffset;
    const view = new DataView(buffer, base, total);
    view.setUint32(0, chunkFormatVersion, true);
    view.setUint32(4, count, true);
    view.setUint32(8, strings, true);
    new Float64Array(buffer, base + layout.ts, count).set(this.ts.subarray(0, count));
    new Float64Array(buffer, base + layout.duration, count).set(this.duration.subarray(0, count));
    new Float64Array(buffer, base + layout.received, count).set(this.received.subarray(0, count));
    new Float64Array(buffer, base + layout.sent, count).set(this.sent.subarray(0, count));
    this.offsets[count] = this.entryBytes;
    new Uint32Array(buffer, base + layout.offsets, count + 1).set(this.offsets.subarray(0, count + 1));
    new Uint32Array(buffer, base + layout.refs, count * stringColumns).set(this.refs.subarray(0, count * stringColumns));
    new Uint16Array(buffer, base + layout.status, count).set(this.status.subarray(0, count));
    new Uint16Array(buffer, base + layout.srcPort, count).set(this.srcPort.subarray(0, count));
    new Uint16Array(buffer, base + layout.dstPort, count).set(this.dstPort.subarray(0, count));
    new Uint8Array(buffer, base + layout.kind, count).set(this.kind.subarray(0, count));
    new Uint8Array(buffer, base + layout.direction, count).set(this.direction.subarray(0, count));
    const lengths = new Uint32Array(buffer, base + layout.dictionary, strings);
    for (let s = 0; s < strings; s++) lengths[s] = this.stringStarts[s + 1]! - this.stringStarts[s]!;
    columns.set(this.stringBytes.subarray(0, dictionaryBytes), layout.dictionary + align8(4 * strings));
    // Every byte of the entries is written here.
    const entries = allocate(this.entryBytes);
    entries.set(this.entries.subarray(0, this.entryBytes));
    const bloom = bloomFromHashes(this.idHashes, this.ids, allocate);
    const chunk: PackedChunk = { count, minTs: this.minTs, maxTs: this.maxTs, columns, entries, bloom };
    this.reset();
    return chunk;
  }

  private reset(): void {
    this.count = 0;
    if (this.capacity > keptRows || this.entries.length > keptBytes || this.stringBytes.length > keptBytes) {
      // Let a large chunk's staging go; the next chunk grows its own.
      this.grow(0);
      this.entries = new Uint8Array(0);
      this.stringBytes = Buffer.alloc(0);
      this.stringStarts = new Uint32Array(1);
      this.idHashes = new Uint32Array(0);
    }
    this.entryBytes = 0;
    this.minTs = Number.POSITIVE_INFINITY;
    this.maxTs = Number.NEGATIVE_INFINITY;
    this.ids = 0;
    this.dictionary.clear();
    this.strings = 0;
    this.lastValue.fill(null);
    this.looked.fill(0);
    this.missed.fill(0);
    this.distinct.fill(0);
  }

  private ref(column: number, value: string | null): number {
    if (value === null) return 0;
    if (value === this.lastValue[column]) return this.lastRef[column]!;
    let index = this.distinct[column] ? undefined : this.dictionary.get(value);
    if (index === undefined) {
      index = this.intern(value);
      if (!this.distinct[column]) {
        this.dictionary.set(value, index);
        // A column whose values are mostly new (paths with ids, peer addresses) is written as it
        // comes, like request ids, for the rest of the chunk: as keys, its strings would all live
        // until the commit.
        const seen = ++this.looked[column]!;
        if (++this.missed[column]! * 4 > seen * 3 && seen >= distinctAfter) this.distinct[column] = 1;
      }
    } else this.looked[column]!++;
    this.lastValue[column] = value;
    this.lastRef[column] = index;
    return index;
  }

  /** Appends a string's UTF-8 to the dictionary; its reference. */
  private intern(value: string): number {
    const s = this.strings;
    if (s + 1 === this.stringStarts.length) this.stringStarts = grown(this.stringStarts, Math.max(64, 2 * this.stringStarts.length), s + 1);
    const at = this.stringStarts[s]!;
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    if (at + 3 * value.length > this.stringBytes.length) {
      const next = Buffer.allocUnsafe(Math.max(2 * this.stringBytes.length, at + 3 * value.length, 16_384));
      this.stringBytes.copy(next, 0, 0, at);
      this.stringBytes = next;
    }
    this.stringStarts[s + 1] = at + this.stringBytes.write(value, at, 'utf8');
    this.strings = s + 1;
    return s + 1;
  }

  /** Room for `rows` rows, keeping the `count` added. */
  private grow(rows: number): void {
    const n = this.count;
    this.ts = grown(this.ts, rows, n);
    this.duration = grown(this.duration, rows, n);
    this.received = grown(this.received, rows, n);
    this.sent = grown(this.sent, rows, n);
    this.offsets = grown(this.offsets, rows + 1, n);
    this.refs = grown(this.refs, rows * stringColumns, n * stringColumns);
    this.status = grown(this.status, rows, n);
    this.srcPort = grown(this.srcPort, rows, n);
    this.dstPort = grown(this.dstPort, rows, n);
    this.kind = grown(this.kind, rows, n);
    this.direction = grown(this.direction, rows, n);
    this.capacity = rows;
  }
}

/** Packs rows (all of one workload) into a chunk. */
export function packChunk(rows: readonly EntryRow[], allocate: Allocate = fresh): PackedChunk {
  const builder = new ChunkBuilder();
  for (const r of rows) builder.add(r);
  return builder.finish(allocate);
}

type Staging = Float64Array | Uint32Array | Uint16Array | Uint8Array;
/** `array` with room for `length` elements, its first `used` kept. */
function grown<T extends Staging>(array: T, length: number, used: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array.subarray(0, used));
  return next;
}

function sane(ts: number): number {
  return Number.isFinite(ts) ? Math.trunc(ts) : Date.now() * 1000;
}

function port(p: number | null): number {
  return p !== null && Number.isInteger(p) && p > 0 && p <= 0xffff ? p : 0;
}
