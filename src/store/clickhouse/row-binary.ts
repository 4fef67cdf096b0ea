/**
 * A batch of rows in ClickHouse's RowBinary format, the columns in `entryColumns` order.
 *
 * RowBinary is what the server parses fastest short of Native, and it carries the encoded entry's
 * bytes as they are (a text format would have to escape them). One buffer per batch, grown by
 * doubling, no object per value.
 */
import type { EntryRow } from '../types.js';
import { directionCode, kindCode } from './codes.js';

/** What the writer stamps on every row of a batch besides the row itself. */
export interface BatchStamp {
  readonly batch: number;
  readonly writtenUs: number;
  /** The id of row i is `firstId + i`, or `ids[i]` when given (a retry of part of a batch). */
  readonly firstId: number;
  readonly ids?: readonly number[];
  /** The `ts` of rows whose own is not a number. */
  readonly fallbackTs: number;
}

/** A finite integer in the range JS numbers hold exactly, or the fallback. */
export const safe = (v: number | null | undefined, fallback: number) =>
  typeof v === 'number' && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? Math.trunc(v) : fallback;

const int32Min = -2_147_483_648;
const int32Max = 2_147_483_647;

export function createRowBinaryWriter(initialBytes = 1 << 20) {
  let buf = Buffer.allocUnsafe(initialBytes);
  let at = 0;
  // Labels objects are shared by the rows of one proxy: serialise each once.
  const labelsJson = new WeakMap<object, string>();

  const room = (n: number) => {
    if (at + n <= buf.length) return;
    let size = buf.length * 2;
    while (size < at + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  };
  const u8 = (v: number) => {
    room(1);
    buf[at++] = v;
  };
  const varint = (v: number) => {
    room(10);
    while (v >= 0x80) {
      buf[at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[at++] = v;
  };
  // Two 32-bit halves, exact for every safe integer (negative ones too), without a BigInt per value.
  const i64 = (v: number) => {
    room(8);
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    buf[at] = lo & 0xff;
    buf[at + 1] = (lo >>> 8) & 0xff;
    buf[at + 2] = (lo >>> 16) & 0xff;
    buf[at + 3] = lo >>> 24;
    buf[at + 4] = hi & 0xff;
    buf[at + 5] = (hi >> 8) & 0xff;
    buf[at + 6] = (hi >> 16) & 0xff;
    buf[at + 7] = (hi >> 24) & 0xff;
    at += 8;
  };
  const i32 = (v: number) => {
    room(4);
    buf.writeInt32LE(v, at);
    at += 4;
  };
  const str = (s: string) => {
    const n = s.length;
    // Short ASCII strings (most of them: names, methods, paths) are copied in JS: cheaper than a
    // native call per value.
    if (n < 128) {
      room(1 + n);
      const start = at;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        buf[start] = n;
        at = start + 1 + n;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    varint(bytes);
    room(bytes);
    at += buf.write(s, at, 'utf8');
  };
  const bytes = (b: Uint8Array) => {
    varint(b.byteLength);
    room(b.byteLength);
    buf.set(b, at);
    at += b.byteLength;
  };
  const nullableStr = (s: string | null | undefined) => {
    if (s === null || s === undefined) u8(1);
    else {
      u8(0);
      str(String(s));
    }
  };
  const nullableInt32 = (v: number | null | undefined) => {
    if (v === null || v === undefined || !Number.isFinite(v) || v < int32Min || v > int32Max) u8(1);
    else {
      u8(0);
      i32(Math.trunc(v));
    }
  };
  const nullableInt64 = (v: number | null | undefined) => {
    if (typeof v !== 'number' || !(Math.abs(v) <= Number.MAX_SAFE_INTEGER)) u8(1);
    else {
      u8(0);
      i64(Math.trunc(v));
    }
  };
  const labels = (l: Readonly<Record<string, string>>) => {
    let json = labelsJson.get(l);
    if (json === undefined) {
      json = JSON.stringify(l ?? {});
      labelsJson.set(l, json);
    }
    str(json);
  };

  return {
    /** Encodes `rows` and returns the bytes; the buffer is reused by the next call. */
    encode(rows: readonly EntryRow[], stamp: BatchStamp): Buffer {
      at = 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        i64(safe(r.ts, stamp.fallbackTs));
        i64(stamp.ids ? stamp.ids[i]! : stamp.firstId + i);
        i64(stamp.batch);
        i64(stamp.writtenUs);
        u8(kindCode[r.kind] ?? 0);
        str(String(r.workload.clusterName ?? ''));
        str(String(r.workload.namespace ?? ''));
        str(String(r.workload.name ?? ''));
        labels(r.labels);
        str(String(r.instance ?? ''));
        nullableStr(r.method);
        nullableStr(r.authority);
        nullableStr(r.path);
        nullableInt32(r.status);
        nullableInt64(r.durationUs);
        str(String(r.responseFlags ?? ''));
        nullableStr(r.upstreamCluster);
        nullableStr(r.requestId);
        u8(r.direction ? directionCode[r.direction] : 0);
        const s = r.source;
        const d = r.destination;
        nullableStr(s.cluster);
        nullableStr(s.namespace);
        nullableStr(s.workload);
        nullableStr(s.ip);
        nullableInt32(s.port);
        nullableStr(d.cluster);
        nullableStr(d.namespace);
        nullableStr(d.workload);
        nullableStr(d.ip);
        nullableInt32(d.port);
        nullableStr(d.service);
        i64(safe(r.bytesReceived, 0));
        i64(safe(r.bytesSent, 0));
        nullableStr(r.upstreamFailure);
        bytes(r.entry);
      }
      return buf.subarray(0, at);
    },
  };
}
