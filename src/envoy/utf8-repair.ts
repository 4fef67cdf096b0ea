/**
 * Invalid UTF-8 in an entry's strings, replaced instead of refused.
 *
 * protobuf requires string fields to be UTF-8, and protobufjs refuses a message with one that is
 * not; Envoy copies header values and paths as it gets them, so an entry can carry bytes that are
 * not UTF-8. Rather than lose the entry (and, before this, the whole ALS message), each invalid
 * string is replaced by its decoding with U+FFFD for the bad bytes, as a browser would show it,
 * guided by the message's schema; every other byte is kept as it came.
 */
import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs';

export interface Utf8Repair {
  readonly bytes: Uint8Array;
  /** Strings that were not UTF-8 and were replaced. */
  readonly repaired: number;
}

const LENGTH_DELIMITED = 2;

export function repairUtf8(type: protobuf.Type, bytes: Uint8Array): Utf8Repair {
  const out: Uint8Array[] = [];
  const repaired = copy(type, bytes, 0, bytes.length, out);
  return { bytes: repaired === 0 ? bytes : Buffer.concat(out), repaired };
}

/** Decodes an entry; when its strings are not UTF-8, decodes the repaired bytes instead. */
export function decodeRepairing(type: protobuf.Type, bytes: Uint8Array): { message: protobuf.Message; bytes: Uint8Array; repaired: number } {
  try {
    return { message: type.decode(bytes), bytes, repaired: 0 };
  } catch (err) {
    const fixed = repairUtf8(type, bytes);
    if (fixed.repaired === 0) throw err;
    return { message: type.decode(fixed.bytes), bytes: fixed.bytes, repaired: fixed.repaired };
  }
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** A length-delimited field `tag` whose contents are `parts`. */
function delimited(tag: number, parts: readonly Uint8Array[], out: Uint8Array[]): void {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  out.push(varint(tag), varint(length), ...parts);
}

const encoder = new TextEncoder();

/** The string a browser would show for bytes that are not UTF-8, encoded back as UTF-8. */
function replaced(value: Uint8Array): Uint8Array {
  return encoder.encode(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
}

/** Copies the fields of one message from `bytes[start..end]` into `out`, repairing strings. */
function copy(type: protobuf.Type, bytes: Uint8Array, start: number, end: number, out: Uint8Array[]): number {
  const reader = protobuf.Reader.create(bytes);
  reader.pos = start;
  reader.len = end;
  let repaired = 0;
  while (reader.pos < end) {
    const fieldStart = reader.pos;
    const tag = reader.uint32();
    const field = type.fieldsById[tag >>> 3];
    if ((tag & 7) !== LENGTH_DELIMITED || !field) {
      reader.skipType(tag & 7);
      out.push(bytes.subarray(fieldStart, reader.pos));
      continue;
    }
    const length = reader.uint32();
    const from = reader.pos;
    const to = from + length;
    if (to > end) throw new RangeError('a field overruns its message');
    reader.pos = to;
    const value = bytes.subarray(from, to);
    if (field.map) {
      const parts: Uint8Array[] = [];
      repaired += copyMapEntry(field as unknown as protobuf.MapField, bytes, from, to, parts);
      delimited(tag, parts, out);
    } else if (field.type === 'string' && !isUtf8(value)) {
      delimited(tag, [replaced(value)], out);
      repaired++;
    } else if (field.type !== 'string' && field.resolvedType instanceof protobuf.Type) {
      const parts: Uint8Array[] = [];
      repaired += copy(field.resolvedType, bytes, from, to, parts);
      delimited(tag, parts, out);
    } else {
      // A valid string, bytes, or a packed repeated scalar: kept as it came.
      out.push(bytes.subarray(fieldStart, to));
    }
  }
  return repaired;
}

/** A map entry is a message of `key = 1` and `value = 2`. */
function copyMapEntry(field: protobuf.MapField, bytes: Uint8Array, start: number, end: number, out: Uint8Array[]): number {
  const reader = protobuf.Reader.create(bytes);
  reader.pos = start;
  reader.len = end;
  let repaired = 0;
  while (reader.pos < end) {
    const fieldStart = reader.pos;
    const tag = reader.uint32();
    const id = tag >>> 3;
    const kind = id === 1 ? field.keyType : id === 2 ? field.type : undefined;
    if ((tag & 7) !== LENGTH_DELIMITED || kind === undefined) {
      reader.skipType(tag & 7);
      out.push(bytes.subarray(fieldStart, reader.pos));
      continue;
    }
    const length = reader.uint32();
    const from = reader.pos;
    reader.pos = from + length;
    const value = bytes.subarray(from, reader.pos);
    if (kind === 'string' && !isUtf8(value)) {
      delimited(tag, [replaced(value)], out);
      repaired++;
    } else if (id === 2 && field.resolvedType instanceof protobuf.Type) {
      const parts: Uint8Array[] = [];
      repaired += copy(field.resolvedType, bytes, from, reader.pos, parts);
      delimited(tag, parts, out);
    } else out.push(bytes.subarray(fieldStart, reader.pos));
  }
  return repaired;
}
