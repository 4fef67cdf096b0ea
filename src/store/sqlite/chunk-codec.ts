/**
 * A chunk: the rows of one workload from one write, packed as columns into two blobs — the
 * columns (typed arrays and a string dictionary) and the encoded entries end to end — plus a Bloom
 * filter of their request ids.
 *
 * Why chunks and not a row per entry: SQLite's cost is per row and per index entry, and an access
 * log entry is written once and read rarely. One SQLite row per few hundred entries makes writing
 * several times cheaper and the file smaller (repeated strings are stored once per chunk), while
 * queries still find their rows through indexes on (workload, time) and filter the few chunks they
 * open with the same code a live watcher uses (`store/row-match.ts`).
 *
 * Layout of the columns blob (little-endian, every section 8-byte aligned): a header (format
 * version, row count, dictionary size), f64 ts, f64 duration (NaN null), f64 bytes received/sent,
 * u32 entry offsets (count + 1), u32 string references (`stringColumns` per row, 0 null), u16
 * status (0xffff null), u16 source/destination ports (0 null), u8 kind, u8 direction, then the
 * dictionary (u32 byte lengths, then UTF-8 bytes). `chunk-builder.ts` packs them.
 */
import type { Direction, EntryEnd, EntryKind } from '../../model/entry.js';
import type { EntryRow } from '../types.js';

export const chunkFormatVersion = 1;

/** String columns, in this order. */
const stringNames = [
  'instance',
  'method',
  'authority',
  'path',
  'responseFlags',
  'upstreamCluster',
  'requestId',
  'upstreamFailure',
  'srcCluster',
  'srcNamespace',
  'srcWorkload',
  'srcIp',
  'dstCluster',
  'dstNamespace',
  'dstWorkload',
  'dstIp',
  'dstService',
] as const;
export const stringColumns = stringNames.length;
/** Each string column's place in a row's references. */
export const S = Object.fromEntries(stringNames.map((n, i) => [n, i])) as Record<(typeof stringNames)[number], number>;

const kinds: readonly EntryKind[] = ['http', 'tcp'];
const directions: ReadonlyArray<Direction | null> = [null, 'inbound', 'outbound'];
export const noStatus = 0xffff;

export const align8 = (n: number) => (n + 7) & ~7;
const decoder = new TextDecoder();

/**
 * Memory for a chunk's blobs: `bytes` long, at an 8-byte aligned offset, its contents unspecified.
 * Fresh memory by default; a writer passes its reusable arena (`chunk-batch.ts`).
 */
export type Allocate = (bytes: number) => Uint8Array;

/** Where each section starts for a chunk of `count` rows; the dictionary follows the last. */
export function chunkSections(count: number) {
  let at = 16;
  const take = (bytes: number) => {
    const start = at;
    at = align8(at + bytes);
    return start;
  };
  return {
    ts: take(8 * count),
    duration: take(8 * count),
    received: take(8 * count),
    sent: take(8 * count),
    offsets: take(4 * (count + 1)),
    refs: take(4 * count * stringColumns),
    status: take(2 * count),
    srcPort: take(2 * count),
    dstPort: take(2 * count),
    kind: take(count),
    direction: take(count),
    dictionary: at,
  };
}

/** The decoded columns of a chunk: rows are read through `ChunkRow` views. */
export interface ChunkColumns {
  readonly count: number;
  readonly ts: Float64Array;
  readonly duration: Float64Array;
  readonly received: Float64Array;
  readonly sent: Float64Array;
  readonly offsets: Uint32Array;
  readonly refs: Uint32Array;
  readonly status: Uint16Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly kind: Uint8Array;
  readonly direction: Uint8Array;
  /** Index 0 is null; strings are decoded on first use. */
  string(index: number): string | null;
}

export function unpackColumns(blob: Uint8Array): ChunkColumns {
  // Typed arrays need aligned offsets: copy when SQLite handed out an unaligned view.
  const bytes = blob.byteOffset % 8 === 0 ? blob : blob.slice();
  const buffer = bytes.buffer;
  const base = bytes.byteOffset;
  const view = new DataView(buffer, base, bytes.byteLength);
  const version = view.getUint32(0, true);
  if (version !== chunkFormatVersion) throw new Error(`chunk format ${version} is not one this meshlog reads (${chunkFormatVersion})`);
  const count = view.getUint32(4, true);
  const dictionarySize = view.getUint32(8, true);
  const layout = chunkSections(count);
  const lengths = new Uint32Array(buffer, base + layout.dictionary, dictionarySize);
  const starts = new Uint32Array(dictionarySize + 1);
  let at = layout.dictionary + align8(4 * dictionarySize);
  for (let i = 0; i < dictionarySize; i++) {
    starts[i] = at;
    at += lengths[i]!;
  }
  starts[dictionarySize] = at;
  const decoded: Array<string | undefined> = new Array(dictionarySize + 1);
  return {
    count,
    ts: new Float64Array(buffer, base + layout.ts, count),
    duration: new Float64Array(buffer, base + layout.duration, count),
    received: new Float64Array(buffer, base + layout.received, count),
    sent: new Float64Array(buffer, base + layout.sent, count),
    offsets: new Uint32Array(buffer, base + layout.offsets, count + 1),
    refs: new Uint32Array(buffer, base + layout.refs, count * stringColumns),
    status: new Uint16Array(buffer, base + layout.status, count),
    srcPort: new Uint16Array(buffer, base + layout.srcPort, count),
    dstPort: new Uint16Array(buffer, base + layout.dstPort, count),
    kind: new Uint8Array(buffer, base + layout.kind, count),
    direction: new Uint8Array(buffer, base + layout.direction, count),
    string(index) {
      if (index === 0) return null;
      let s = decoded[index];
      if (s === undefined) {
        s = decoder.decode(new Uint8Array(buffer, base + starts[index - 1]!, lengths[index - 1]!));
        decoded[index] = s;
      }
      return s;
    },
  };
}

/**
 * One row of a chunk seen as an `EntryRow` (what `rowMatches` reads), moved along the rows with
 * `at(i)`: filtering a chunk allocates nothing per row unless a filter reads an end of the call.
 */
export class ChunkRow implements EntryRow {
  index = 0;
  constructor(
    private readonly c: ChunkColumns,
    readonly workload: EntryRow['workload'],
    readonly labels: EntryRow['labels'],
    private readonly entriesBlob?: Uint8Array,
  ) {}
  at(i: number): this {
    this.index = i;
    return this;
  }
  private s(column: number): string | null {
    return this.c.string(this.c.refs[this.index * stringColumns + column]!);
  }
  get ts() {
    return this.c.ts[this.index]!;
  }
  get kind() {
    return kinds[this.c.kind[this.index]!] ?? 'http';
  }
  get instance() {
    return this.s(S.instance) ?? '';
  }
  get method() {
    return this.s(S.method);
  }
  get authority() {
    return this.s(S.authority);
  }
  get path() {
    return this.s(S.path);
  }
  get status() {
    const s = this.c.status[this.index]!;
    return s === noStatus ? null : s;
  }
  get durationUs() {
    const d = this.c.duration[this.index]!;
    return Number.isNaN(d) ? null : d;
  }
  get responseFlags() {
    return this.s(S.responseFlags) ?? '';
  }
  get upstreamCluster() {
    return this.s(S.upstreamCluster);
  }
  get requestId() {
    return this.s(S.requestId);
  }
  get direction() {
    return directions[this.c.direction[this.index]!] ?? null;
  }
  get source(): EntryEnd {
    const port = this.c.srcPort[this.index]!;
    return {
      cluster: this.s(S.srcCluster),
      namespace: this.s(S.srcNamespace),
      workload: this.s(S.srcWorkload),
      ip: this.s(S.srcIp),
      port: port || null,
      service: null,
    };
  }
  get destination(): EntryEnd {
    const port = this.c.dstPort[this.index]!;
    return {
      cluster: this.s(S.dstCluster),
      namespace: this.s(S.dstNamespace),
      workload: this.s(S.dstWorkload),
      ip: this.s(S.dstIp),
      port: port || null,
      service: this.s(S.dstService),
    };
  }
  get bytesReceived() {
    return this.c.received[this.index]!;
  }
  get bytesSent() {
    return this.c.sent[this.index]!;
  }
  get upstreamFailure() {
    return this.s(S.upstreamFailure);
  }
  get entry(): Uint8Array {
    if (!this.entriesBlob) throw new Error('this chunk was opened without its entries');
    return this.entriesBlob.subarray(this.c.offsets[this.index]!, this.c.offsets[this.index + 1]!);
  }
}
