/**
 * The live tail where entries are ingested: which watchers want a collected entry, and the text
 * each of them is sent.
 *
 * A watcher is a `WatchSpec`: plain data (a query and an output format), so that it can be handed
 * to every ingest worker. Each entry a watcher wants is rendered once per format however many
 * watchers share it, and each watcher's lines leave a batch together as one output: their UTF-8
 * end to end in a buffer of its own, which crosses to the thread that writes it by transfer, not
 * by copy, and is written as it is. An entry's text is written as UTF-8 straight from its stored
 * bytes (`protojson/wire-json.ts`) into the first watcher's buffer that wants it, and copied from
 * there for the others of the same format; only an entry the wire writer leaves to the decode (and
 * `?pretty`) goes through decoded objects and a string. Joining lines as strings first (`Array.join`,
 * then `TextEncoder`) cost twice as much as rendering them, and cloning them as strings to the main
 * thread cost more still.
 */
import type { DecodedEntry, EntryKind } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { glooItem, glooItemBytes, v1Item, v1ItemBytes } from '../protojson/items.js';
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

/** A watcher's lines of the current batch, end to end in a buffer that grows and is reused. */
interface Pending {
  bytes: Buffer;
  length: number;
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

/** A pending buffer larger than this after a batch is let go, so that one burst does not hold memory for good. */
const keptBytes = 256 * 1024;

function room(p: Pending, n: number): void {
  if (p.length + n <= p.bytes.length) return;
  const grown = Buffer.allocUnsafe(Math.max(p.bytes.length * 2, p.length + n));
  p.bytes.copy(grown, 0, 0, p.length);
  p.bytes = grown;
}

function appendBytes(p: Pending, bytes: Uint8Array, start: number, end: number): void {
  room(p, end - start);
  p.bytes.set(bytes.subarray(start, end), p.length);
  p.length += end - start;
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
          bytes: Buffer.allocUnsafe(4096),
          length: 0,
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
            case 'gloo': {
              const bytes = glooItemBytes(kind, proxy.workload, row.entry);
              if (bytes !== undefined) appendBytes(p, bytes, 0, bytes.length);
              else appendString(p, JSON.stringify(glooItem(kind, proxy.workload, (decoded ??= entry()))));
              break;
            }
            case 'gloo-pretty':
              appendString(p, JSON.stringify(glooItem(kind, proxy.workload, (decoded ??= entry())), null, 2));
              break;
            case 'v1': {
              const bytes = v1ItemBytes(row, row.entry);
              if (bytes !== undefined) appendBytes(p, bytes, 0, bytes.length);
              else appendString(p, JSON.stringify(v1Item(row, (decoded ??= entry()))));
              break;
            }
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
        const bytes = Buffer.from(new ArrayBuffer(p.length));
        p.bytes.copy(bytes, 0, 0, p.length);
        if (p.ends !== undefined && p.keys !== undefined) {
          out.push({ id: w.spec.id, count: p.count, bytes, ends: Uint32Array.from(p.ends), keys: p.keys });
          p.ends = [];
          p.keys = [];
        } else out.push({ id: w.spec.id, count: p.count, bytes });
        p.length = 0;
        p.count = 0;
        if (p.bytes.length > keptBytes) p.bytes = Buffer.allocUnsafe(4096);
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
