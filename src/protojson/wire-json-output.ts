/**
 * The output of `wire-json.ts`: one shared, growing UTF-8 buffer, and the JSON of the scalars read
 * from the wire (numbers, 64-bit integers as strings, strings as their bytes where they need no
 * escape, durations digit by digit).
 */
import { isUtf8 } from 'node:buffer';
import { int64String } from './proto-json.js';
import {
  BOOL,
  BYTES,
  DOUBLE,
  ENUM,
  FIXED32,
  FIXED64,
  type FieldPlan,
  FLOAT,
  INT32,
  INT64,
  SFIXED32,
  SFIXED64,
  SINT32,
  SINT64,
  STRING,
  UINT32,
  UINT64,
} from './wire-json-plan.js';
import { hi, lo, varint } from './wire-json-read.js';

let out: Buffer = Buffer.allocUnsafe(16384);
let op = 0;
/** The shared output while `jsonInto` points the writer at a caller's buffer. */
let shared: Buffer | undefined;

/** Starts a new text in the shared output (what it held is dropped). */
export function jsonStart(): void {
  op = 0;
}

/**
 * Writes from now on into `target` from `at` (the caller's buffer instead of the shared output,
 * so that text meant for that buffer is not copied there afterwards), until `jsonRelease`.
 */
export function jsonInto(target: Buffer, at: number): void {
  shared ??= out;
  out = target;
  op = at;
}

/** Ends `jsonInto`: the target as written up to `mark()` (another buffer when it had to grow); the shared output is back. */
export function jsonRelease(): Buffer {
  const target = out;
  if (shared !== undefined) out = shared;
  shared = undefined;
  op = 0;
  return target;
}

/** Appends text (UTF-8). */
export function jsonText(text: string): void {
  room(text.length * 3);
  op += out.write(text, op, 'utf8');
}

/** The text so far: a view of the shared output, valid until the next `jsonStart`. */
export function jsonBytes(): Buffer {
  return out.subarray(0, op);
}

function room(n: number): void {
  if (op + n <= out.length) return;
  // A buffer of its own (not a slice of Node's pool), so that a `jsonInto` target can be transferred.
  const grown = Buffer.allocUnsafeSlow(Math.max(out.length * 2, op + n));
  out.copy(grown, 0, 0, op);
  out = grown;
}

export function putByte(b: number): void {
  if (op >= out.length) room(1);
  out[op++] = b;
}

// The loops copy through locals: the module's `out` and `op` would be loaded and stored per byte.

export function putBytes(bytes: Uint8Array): void {
  const n = bytes.length;
  room(n);
  if (n >= 16) {
    out.set(bytes, op);
    op += n;
    return;
  }
  const o = out;
  let p = op;
  for (let i = 0; i < n; i++) o[p++] = bytes[i]!;
  op = p;
}

/** Appends text known to be ASCII (numbers, base64, times). */
export function putAscii(text: string): void {
  room(text.length);
  const o = out;
  let p = op;
  for (let i = 0; i < text.length; i++) o[p++] = text.charCodeAt(i);
  op = p;
}

export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;

/**
 * Appends an integer (|n| < 2^53) as `String(n)` writes it, digit by digit: an entry has dozens of
 * numbers, and each was a string made, copied and dropped.
 */
export function putInt(n: number): void {
  room(17);
  const o = out;
  let p = op;
  if (n < 0) {
    o[p++] = 0x2d;
    n = -n;
  }
  let digits = 1;
  for (let t = 10; t <= n; t *= 10) digits++;
  p += digits;
  op = p;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    o[--p] = 0x30 + (n - q * 10);
    n = q;
  }
  o[--p] = 0x30 + n;
}

export function putInt64(low: number, high: number, unsigned: boolean): void {
  putByte(QUOTE);
  if (high === 0) putInt(low);
  else putAscii(int64String({ low, high }, unsigned));
  putByte(QUOTE);
}

const DURATION_MAX = 315576000000; // 10,000 years, as protojson allows

/** `durationJson`'s text, written digit by digit (an entry has several durations); false where protojson refuses the value. */
export function putDuration(seconds: number, nanos: number): boolean {
  if (!(seconds >= -DURATION_MAX && seconds <= DURATION_MAX) || !(nanos > -1_000_000_000 && nanos < 1_000_000_000)) return false;
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) return false;
  putByte(QUOTE);
  if (seconds < 0 || nanos < 0) putByte(0x2d);
  putInt(Math.abs(seconds));
  let n = Math.abs(nanos);
  if (n !== 0) {
    // The fewest of 3, 6 or 9 digits that hold the nanos exactly.
    let digits = 9;
    if (n % 1_000_000 === 0) {
      n /= 1_000_000;
      digits = 3;
    } else if (n % 1000 === 0) {
      n /= 1000;
      digits = 6;
    }
    room(digits + 1);
    out[op] = 0x2e;
    for (let i = digits; i > 0; i--) {
      out[op + i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    op += digits + 1;
  }
  putAscii('s"');
  return true;
}

export function putFloat(value: number): void {
  putAscii(Number.isFinite(value) ? String(value) : `"${value}"`);
}

/** Writes a string's JSON: its bytes as they are when they need no escape; false when it is not UTF-8. */
export function writeString(buf: Buffer, start: number, end: number): boolean {
  room(end - start + 2);
  const o = out;
  let p = op;
  o[p++] = QUOTE;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b < 0x20 || b === QUOTE || b === 0x5c || b >= 0x80) return writeEscaped(buf, start, end);
    o[p++] = b;
  }
  o[p++] = QUOTE;
  op = p;
  return true;
}

/** Whether a string that the decode reads and then replaces is UTF-8. */
export function readableString(buf: Buffer, start: number, end: number): boolean {
  const mark = op;
  const ok = writeString(buf, start, end);
  op = mark;
  return ok;
}

function writeEscaped(buf: Buffer, start: number, end: number): boolean {
  let ascii = true;
  for (let i = start; i < end && ascii; i++) ascii = buf[i]! < 0x80;
  // protobufjs refuses a string that is not UTF-8; the decode path repairs it.
  if (!ascii && !isUtf8(buf.subarray(start, end))) return false;
  jsonText(JSON.stringify(buf.toString(ascii ? 'latin1' : 'utf8', start, end)));
  return true;
}

/** Where the output ends now, to come back to with `rewind`. */
export function mark(): number {
  return op;
}

/** Drops what was written since `at` (a `mark`). */
export function rewind(at: number): void {
  op = at;
}

/** The text so far as a string. */
export function jsonString(): string {
  return out.toString('utf8', 0, op);
}

/** True for a proto3 scalar's zero value (which an implicit-presence field does not write). */
export function isDefault(kind: number, buf: Buffer, start: number, end: number): boolean {
  switch (kind) {
    case STRING:
    case BYTES:
      return end === start;
    case FLOAT:
      return Object.is(buf.readFloatLE(start), 0);
    case DOUBLE:
      return Object.is(buf.readDoubleLE(start), 0);
    case FIXED32:
    case SFIXED32:
      return buf.readUInt32LE(start) === 0;
    case FIXED64:
    case SFIXED64:
      return buf.readUInt32LE(start) === 0 && buf.readUInt32LE(start + 4) === 0;
    case INT64:
    case UINT64:
    case SINT64:
    case BOOL:
      varint(buf, start, end);
      return lo === 0 && hi === 0;
    default: // 32-bit varints: only the low 32 bits count
      varint(buf, start, end);
      return lo === 0;
  }
}

/** Writes one scalar's JSON; false for bytes protobufjs would read otherwise. */
export function writeScalar(kind: number, f: FieldPlan | undefined, buf: Buffer, start: number, end: number): boolean {
  switch (kind) {
    case STRING:
      return writeString(buf, start, end);
    case BYTES:
      putByte(QUOTE);
      putAscii(buf.toString('base64', start, end));
      putByte(QUOTE);
      return true;
    case FLOAT:
      putFloat(buf.readFloatLE(start));
      return true;
    case DOUBLE:
      putFloat(buf.readDoubleLE(start));
      return true;
    case FIXED32:
      putInt(buf.readUInt32LE(start));
      return true;
    case SFIXED32:
      putInt(buf.readInt32LE(start));
      return true;
    case FIXED64:
    case SFIXED64:
      putInt64(buf.readUInt32LE(start), buf.readUInt32LE(start + 4), kind === FIXED64);
      return true;
  }
  if (varint(buf, start, end) < 0) return false;
  switch (kind) {
    case INT32:
      putInt(lo | 0);
      return true;
    case UINT32:
      putInt(lo);
      return true;
    case SINT32:
      putInt(((lo >>> 1) ^ -(lo & 1)) | 0);
      return true;
    case BOOL:
      putAscii(lo !== 0 || hi !== 0 ? 'true' : 'false');
      return true;
    case ENUM: {
      if (f?.nullValue) putAscii('null');
      else {
        const name = f?.enumNames?.get(lo | 0);
        if (name !== undefined) putBytes(name);
        else putInt(lo | 0);
      }
      return true;
    }
    case INT64:
    case UINT64:
      putInt64(lo, hi, kind === UINT64);
      return true;
    case SINT64: {
      const mask = -(lo & 1);
      putInt64((((lo >>> 1) | (hi << 31)) ^ mask) >>> 0, ((hi >>> 1) ^ mask) >>> 0, false);
      return true;
    }
    default:
      return false;
  }
}

/** Writes the JSON of a value that is not on the wire (a map entry without its value, an empty wrapper). */
export function writeDefault(kind: number, f: FieldPlan | undefined): boolean {
  switch (kind) {
    case STRING:
    case BYTES:
      putAscii('""');
      return true;
    case BOOL:
      putAscii('false');
      return true;
    case INT64:
    case UINT64:
    case SINT64:
    case FIXED64:
    case SFIXED64:
      putAscii('"0"');
      return true;
    case ENUM: {
      const name = f?.enumNames?.get(0);
      if (f?.nullValue) putAscii('null');
      else if (name !== undefined) putBytes(name);
      else putByte(0x30);
      return true;
    }
    default:
      putByte(0x30);
      return true;
  }
}
