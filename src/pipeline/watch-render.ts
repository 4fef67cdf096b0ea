/**
 * The live tail where entries are ingested: which watchers want a collected entry, and the text
 * each of them is sent.
 *
 * A watcher is a `WatchSpec`: plain data (a query and an output format), so that it can be handed
 * to every ingest worker. Each entry a watcher wants is rendered once per format however many
 * watchers share it, and each watcher's lines leave a batch together as one output: their UTF-8
 * end to end in a buffer of its own, which crosses to the thread that writes it by transfer, not
 * by copy, and is written as it is. Each line is written into that buffer where it is; joining the
 * lines first (`Array.join`, then `TextEncoder`) cost twice as much as rendering them, and cloning
 * them as strings to the main thread, to be joined and encoded there, cost more still.
 */
import type { DecodedEntry, EntryKind } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { glooItem, v1Item } from '../protojson/items.js';
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
   * Offers a collected entry. `entry` gives it decoded (after redaction), called at most once and
   * only when some watcher wants it.
   */
  offer(row: EntryRow, proxy: ProxyIdentity, kind: EntryKind, entry: () => DecodedEntry): void;
  /** The outputs gathered since the last take, per watcher. */
  take(): WatchOutput[];
}

const newline = 0x0a;

/** Lines (without their newline) as one output, in a buffer of its own. */
export function watchOutput(id: number, lines: readonly string[], keys?: string[]): WatchOutput {
  const ends = new Uint32Array(lines.length);
  let total = 0;
  for (let i = 0; i < lines.length; i++) ends[i] = total += Buffer.byteLength(lines[i]!, 'utf8') + 1;
  const bytes = Buffer.from(new ArrayBuffer(total));
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    at += bytes.write(lines[i]!, at, 'utf8');
    bytes[at++] = newline;
  }
  return keys ? { id, count: lines.length, bytes, ends, keys } : { id, count: lines.length, bytes };
}

/** The buffers of outputs, to transfer them to another thread. */
export function watchBuffers(outputs: readonly WatchOutput[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const o of outputs) if (o.bytes.buffer instanceof ArrayBuffer && o.bytes.byteLength > 0) out.push(o.bytes.buffer);
  return out;
}

interface Compiled {
  readonly spec: WatchSpec;
  readonly query: LogQuery;
  readonly regexes: QueryRegexes;
  lines: string[];
  keys: string[] | undefined;
}

export function createWatchRenderer(): WatchRenderer {
  let compiled: Compiled[] = [];
  return {
    setSpecs(specs) {
      compiled = specs.map((spec) => {
        const query = { ...spec.query, limit: 0 };
        return { spec, query, regexes: compileQueryRegexes(query), lines: [], keys: spec.dedupe ? [] : undefined };
      });
    },
    get active() {
      return compiled.length > 0;
    },
    offer(row, proxy, kind, entry) {
      let decoded: DecodedEntry | undefined;
      let gloo: string | undefined;
      let glooPretty: string | undefined;
      let v1: string | undefined;
      let key: string | undefined;
      for (const w of compiled) {
        if (!rowMatches(w.query, row, w.regexes)) continue;
        decoded ??= entry();
        let text: string;
        switch (w.spec.format) {
          case 'gloo':
            text = gloo ??= JSON.stringify(glooItem(kind, proxy.workload, decoded));
            break;
          case 'gloo-pretty':
            text = glooPretty ??= JSON.stringify(glooItem(kind, proxy.workload, decoded), null, 2);
            break;
          case 'v1':
            text = v1 ??= JSON.stringify(v1Item(row, decoded));
            break;
        }
        w.lines.push(text);
        if (w.keys) w.keys.push((key ??= dedupeKey(row)));
      }
    },
    take() {
      const out: WatchOutput[] = [];
      for (const w of compiled) {
        if (w.lines.length === 0) continue;
        out.push(watchOutput(w.spec.id, w.lines, w.keys));
        w.lines = [];
        if (w.keys) w.keys = [];
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
