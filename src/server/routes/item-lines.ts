/**
 * Stored entries as the lines a query answers with, written from their stored bytes
 * (`protojson/wire-json.ts`) where the wire writer can, decoded and stringified where it cannot
 * (a string that is not UTF-8 is printed repaired) and for `?pretty`. The text is the same either way.
 */
import { decodeStored, glooItem, glooItemBytes, stringify, v1Item, v1ItemBytes } from '../../protojson/items.js';
import type { StoredEntry } from '../../store/types.js';

/** Gloo's items, one per line, in the order given. */
export function glooLines(items: readonly StoredEntry[], pretty: boolean): Uint8Array<ArrayBuffer> {
  return lines(
    items,
    (s) => (pretty ? undefined : glooItemBytes(s.kind, s.workload, s.entry)),
    (s) => stringify(glooItem(s.kind, s.workload, decodeStored(s)), pretty),
  );
}

/** `/api/v1` items as NDJSON, in the order given. */
export function v1Lines(items: readonly StoredEntry[]): Uint8Array<ArrayBuffer> {
  return lines(
    items,
    (s) => v1ItemBytes(s, s.entry),
    (s) => stringify(v1Item(s, decodeStored(s)), false),
  );
}

function lines(items: readonly StoredEntry[], direct: (s: StoredEntry) => Buffer | undefined, decoded: (s: StoredEntry) => string): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const s of items) {
    // `direct` answers with a view of a shared buffer: copied before the next item is written.
    const bytes = direct(s);
    const part = bytes === undefined ? Buffer.from(decoded(s)) : Buffer.concat([bytes, newline]);
    parts.push(part);
    length += part.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const newline = Buffer.from('\n');
