/**
 * Reading the protobuf wire for `wire-json.ts`: varints, tags and lengths bounded as protobufjs
 * bounds them, and fields located without being read. Results are left in module variables
 * (`lo`/`hi`, `fieldStart`…`fieldEnd`) instead of objects: the writer reads millions of fields.
 */
/** What the last `varint` read: its low and high 32 bits. */
export let lo = 0;
export let hi = 0;

/** Reads a varint of up to 10 bytes at `pos` (bounded by `end`), as protobufjs does; the position after it, or -1. */
export function varint(buf: Buffer, pos: number, end: number): number {
  if (pos < end && buf[pos]! < 0x80) {
    lo = buf[pos]!;
    hi = 0;
    return pos + 1;
  }
  let low = 0;
  let high = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return -1;
    const b = buf[pos++]!;
    if (i < 4) low |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      low |= (b & 0x0f) << 28;
      high |= (b & 0x7f) >> 4;
    } else high |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) {
      lo = low >>> 0;
      hi = high >>> 0;
      return pos;
    }
  }
  return -1;
}

/** A tag or a length: at most 5 bytes, within 32 bits (31 for a length), as protobufjs reads them. */
export function shortVarint(buf: Buffer, pos: number, end: number, maxFifth: number): number {
  const next = varint(buf, pos, end);
  if (next < 0 || next - pos > 5) return -1;
  if (next - pos === 5 && buf[pos + 4]! > maxFifth) return -1;
  return next;
}

/** Skips a field of wire type `wire` at `pos`; the position after it, or -1 (groups are not followed). */
export function skip(buf: Buffer, pos: number, end: number, wire: number): number {
  switch (wire) {
    case 0:
      while (pos < end) if (buf[pos++]! < 0x80) return pos;
      return -1;
    case 1:
      return pos + 8 <= end ? pos + 8 : -1;
    case 2: {
      const next = shortVarint(buf, pos, end, 7);
      if (next < 0) return -1;
      return next + lo <= end ? next + lo : -1;
    }
    case 5:
      return pos + 4 <= end ? pos + 4 : -1;
    default:
      return -1;
  }
}

/** Where the field the last `field` call read lies: its value's start, its end and its wire type. */
export let fieldStart = 0;
export let fieldEnd = 0;
export let fieldWire = 0;

/** Reads one field at `pos`; its number (its value in `fieldStart`…`fieldEnd`), or -1 for bytes to leave to protobufjs. */
export function field(buf: Buffer, pos: number, end: number): number {
  const afterTag = shortVarint(buf, pos, end, 0x0f);
  if (afterTag < 0) return -1;
  const id = lo >>> 3;
  const wire = lo & 7;
  if (id === 0) return -1;
  fieldWire = wire;
  if (wire === 2) {
    const afterLength = shortVarint(buf, afterTag, end, 7);
    if (afterLength < 0 || afterLength + lo > end) return -1;
    fieldStart = afterLength;
    fieldEnd = afterLength + lo;
  } else {
    fieldStart = afterTag;
    fieldEnd = skip(buf, afterTag, end, wire);
    if (fieldEnd < 0) return -1;
  }
  return id;
}
