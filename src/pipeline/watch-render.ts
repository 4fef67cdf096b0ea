/**
 * The live tail where entries are ingested: which watchers want a collected entry, and the text
 * each of them is sent.
 *
 * A watcher is a `WatchSpec`: plain data (a query and an output format), so that it can be handed
 * to every ingest worker. Each entry a watcher wants is rendered once per format however many
 * watchers share it, and each watcher's lines leave a batch together as one output: their UTF-8
 * end to end in a buffer of its own, which crosses to the thread that writes it by transfer, not
 * by copy, and is written as it is. An entry's text is written as UTF-8 straight from its stored
 * bytes (`protojson/wire-json.ts`) into the first watcher's buffer that wants it (the buffer that
 * is transferred), and copied from there for the others of the same format; only an entry the wire
 * writer leaves to the decode (and `?pretty`) goes through decoded objects and a string. Joining
 * lines as strings first (`Array.join`, then `TextEncoder`) cost twice as much as rendering them,
 * and cloning them as strings to the main thread cost more still. Writing lines into a reused
 * buffer and copying them out at each take cost a fifth of a firehose worker's time (two copies,
 * and fresh zeroed pages for each transfer).
 */
import type { DecodedEntry, EntryKind } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { glooItem, v1Item, writeGlooItem, writeV1Item } from '../protojson/items.js';
import { jsonInto, jsonMark, jsonRelease } from '../protojson/wire-json.js';
import { compileQueryRegexes, type QueryRegexes, rowMatches } from '../store/row-match.js';
import type { EntryRow, LogQuery } from '../store/types.js';

/** Gloo's `/v0` items (compact or `?pretty`), or `/api/v1` items (NDJSON). */
export type WatchFormat = 'gloo' | 'gloo-pretty' | 'v1';

export interface WatchSpec {
  readonly id: number;
  /** Which entries (its `limit` and `cursor` are not used). */
  readonly query: Omit<LogQuery, 'limit' | 'cursor'>;
  readonly format: WatchFormat;
  /** Send each text's dedupe key too (a follow that starts with a backfill skips what it printed). */
  readonly dedupe?: boolean;
}

/** What one watcher gets from one batch. */
export interface WatchOutput {
  readonly id: number;
  /** How many entries (lines). */
  readonly count: number;
  /** The lines end to end, UTF-8, each with its newline; the buffer is the output's own (transferable). */
  readonly bytes: Uint8Array;
  /** When the spec asked for dedupe keys: where each line ends in `bytes`, and its `dedupeKey`. */
  readonly ends?: Uint32Array;
  readonly keys?: string[];
}

export interface WatchRenderer {
  /** Replaces the watchers (the main thread sends the whole set when it changes). */
  setSpecs(specs: readonly WatchSpec[]): void;
  readonly active: boolean;
  /**
   * Offers a collected entry. Its text is written from `row.entry` (the bytes as stored, after
   * redaction) where it can be; `entry` gives it decoded instead, called at most once and only when
   * some watcher wants it and its text cannot be.
   */
  offer(row: EntryRow, proxy: ProxyIdentity, kind: EntryKind, entry: () => DecodedEntry): void;
  /** The outputs gathered since the last take, per watcher. */
  take(): WatchOutput[];
}

const newline = 0x0a;

/** The buffers of outputs, to transfer them to another thread. */
export function watchBuffers(outputs: readonly WatchOutput[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const o of outputs) if (o.bytes.buffer instanceof ArrayBuffer && o.bytes.byteLength > 0) out.push(o.bytes.buffer);
  return out;
}

/**
 * A watcher's lines since the last take, end to end in a buffer of their own: the buffer that is
 * transferred, so that lines are written once, where they leave from.
 */
interface Pending {
  bytes: Buffer;
  length: number;
  /** The size to start the next buffer at: a little more than the last take needed. */
  next: number;
  count: number;
  ends: number[] | undefined;
  keys: string[] | undefined;
}

interface Compiled {
  readonly spec: WatchSpec;
  readonly query: LogQuery;
  readonly regexes: QueryRegexes;
  readonly pending: Pending;
}

const noBytes = Buffer.alloc(0);
/** The smallest buffer a watcher's lines start in (a line is about 2 KB). */
const minBytes = 16 * 1024;

function room(p: Pending, n: number): void {
  if (p.length + n <= p.bytes.length) return;
  // Not zeroed, and a buffer of its own (not a slice of Node's pool): it is transferred.
  const grown = Buffer.allocUnsafeSlow(Math.max(p.bytes.length * 2, p.next, p.length + n));
  p.bytes.copy(grown, 0, 0, p.length);
  p.bytes = grown;
}

function appendBytes(p: Pending, bytes: Uint8Array, start: number, end: number): void {
  room(p, end - start);
  p.bytes.set(bytes.subarray(start, end), p.length);
  p.length += end - start;
}

/** Writes an entry's Gloo or `/api/v1` line from its bytes straight into the watcher's buffer; false, with nothing written, when it must be decoded. */
function writeInto(p: Pending, v1: boolean, row: EntryRow, proxy: ProxyIdentity): boolean {
  room(p, 4096);
  jsonInto(p.bytes, p.length);
  let ok = false;
  try {
    ok = v1 ? writeV1Item(row, row.entry) : writeGlooItem(row.kind, proxy.workload, row.entry);
  } finally {
    const end = jsonMark();
    p.bytes = jsonRelease();
    if (ok) p.length = end;
  }
  return ok;
}

function appendString(p: Pending, text: string): void {
  room(p, Buffer.byteLength(text, 'utf8'));
  p.length += p.bytes.write(text, p.length, 'utf8');
}

const formatIndex: Readonly<Record<WatchFormat, number>> = { gloo: 0, 'gloo-pretty': 1, v1: 2 };

export function createWatchRenderer(): WatchRenderer {
  let compiled: Compiled[] = [];
  // Reused for every entry (no objects per entry): by format index, see `offer`.
  const firstOutput: Array<Pending | undefined> = [undefined, undefined, undefined];
  const firstStart = new Uint32Array(3);
  const firstEnd = new Uint32Array(3);
  return {
    setSpecs(specs) {
      compiled = specs.map((spec) => {
        const query = { ...spec.query, limit: 0 };
        const pending: Pending = {
          bytes: noBytes,
          length: 0,
          next: minBytes,
          count: 0,
          ends: spec.dedupe ? [] : undefined,
          keys: spec.dedupe ? [] : undefined,
        };
        return { spec, query, regexes: compileQueryRegexes(query), pending };
      });
    },
    get active() {
      return compiled.length > 0;
    },
    offer(row, proxy, kind, entry) {
      let decoded: DecodedEntry | undefined;
      let key: string | undefined;
      // Per format, the first watcher's output that holds this entry's text, and where: the others copy it.
      firstOutput.fill(undefined);
      for (const w of compiled) {
        if (!rowMatches(w.query, row, w.regexes)) continue;
        const p = w.pending;
        const start = p.length;
        const format = formatIndex[w.spec.format];
        const first = firstOutput[format];
        if (first !== undefined) appendBytes(p, first.bytes, firstStart[format]!, firstEnd[format]!);
        else {
          switch (w.spec.format) {
            case 'gloo':
              if (!writeInto(p, false, row, proxy)) appendString(p, JSON.stringify(glooItem(kind, proxy.workload, (decoded ??= entry()))));
              break;
            case 'gloo-pretty':
              appendString(p, JSON.stringify(glooItem(kind, proxy.workload, (decoded ??= entry())), null, 2));
              break;
            case 'v1':
              if (!writeInto(p, true, row, proxy)) appendString(p, JSON.stringify(v1Item(row, (decoded ??= entry()))));
              break;
          }
          firstOutput[format] = p;
          firstStart[format] = start;
          firstEnd[format] = p.length;
        }
        room(p, 1);
        p.bytes[p.length++] = newline;
        p.count++;
        if (p.ends !== undefined && p.keys !== undefined) {
          p.ends.push(p.length);
          p.keys.push((key ??= dedupeKey(row)));
        }
      }
    },
    take() {
      const out: WatchOutput[] = [];
      for (const w of compiled) {
        const p = w.pending;
        if (p.count === 0) continue;
        // The lines leave in their own buffer; the next ones start in a new one, sized from these.
        const bytes = new Uint8Array(p.bytes.buffer, p.bytes.byteOffset, p.length);
        p.next = Math.max(minBytes, p.length + (p.length >> 2));
        p.bytes = noBytes;
        if (p.ends !== undefined && p.keys !== undefined) {
          out.push({ id: w.spec.id, count: p.count, bytes, ends: Uint32Array.from(p.ends), keys: p.keys });
          p.ends = [];
          p.keys = [];
        } else out.push({ id: w.spec.id, count: p.count, bytes });
        p.length = 0;
        p.count = 0;
      }
      return out;
    },
  };
}

/**
 * The same entry in a backfill and on the live tail: its instance, start time and bytes (FNV-1a of
 * the encoded entry, which is what was stored).
 */
export function dedupeKey(e: { readonly instance: string; readonly ts: number; readonly entry: Uint8Array }): string {
  let h = 0x811c9dc5;
  const bytes = e.entry;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return `${e.instance}|${e.ts}|${bytes.length}|${(h >>> 0).toString(36)}`;
}
