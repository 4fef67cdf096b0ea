/**
 * Proto3 JSON read straight from a message's wire bytes and written as UTF-8: the same text as
 * `JSON.stringify(toProto3Json(type, type.decode(bytes)))`, without the decoded message, the JSON
 * objects and the strings in between (for a watched entry those were most of its cost: the decode,
 * the objects, their garbage, `JSON.stringify` over them and the text's encoding).
 *
 * The text must match the decode-and-convert path byte for byte, including where protobufjs reads
 * the wire its own way: a singular message seen twice is merged, a scalar seen twice keeps the last
 * value, setting a oneof member drops the others, a field with the wrong wire type is skipped as
 * unknown, a map key seen twice keeps its first place, and every occurrence is read (a string that
 * is not UTF-8 fails the decode even when a later one replaces it). Where following that path is not
 * simple, the answer is "no" and the caller decodes and converts as before: bytes protobufjs would
 * refuse, a string that is not UTF-8 (the decode path repairs those), map keys that a JS object
 * would put in another order (integer-like keys, `__proto__`, a key seen twice), a FieldMask, a
 * group, nesting deeper than 64, and types outside proto3 (required fields, closed enums).
 * `wire-json.test.ts` holds it to that on a random corpus.
 *
 * Each message is read in two steps: one walk over its bytes notes where each known field's last
 * occurrence lies (in a shared stack of integers, not per-field objects), and all occurrences of
 * the fields that keep more than one; then the fields are written in declaration order into one
 * shared, growing output buffer (`jsonStart` … `jsonBytes`).
 *
 * This file is longer than most on purpose: the walk and the writers of messages, repeated fields,
 * maps, Struct/Value and Any call one another recursively over the shared occurrence stack. Its
 * leaves are apart already (the plans, the wire reads, the output and the scalars); splitting the
 * recursion itself would make the files import each other in a circle.
 */
import type protobuf from 'protobufjs';
import { ANY_DEPTH_LIMIT, anyTargetType, timestampJson } from './proto-json.js';
import {
  COLON,
  COMMA,
  isDefault,
  jsonStart,
  jsonString,
  jsonText,
  mark,
  putAscii,
  putByte,
  putBytes,
  putDuration,
  QUOTE,
  readableString,
  rewind,
  writeDefault,
  writeScalar,
  writeString,
} from './wire-json-output.js';
import {
  ANY,
  DURATION,
  type FieldPlan,
  fieldMessagePlan,
  IMPLICIT,
  LIST,
  MESSAGE,
  type MessagePlan,
  NORMAL,
  planFor,
  STRING,
  STRUCT,
  TIMESTAMP,
  UNSUPPORTED,
  VALUE,
  WRAPPER,
} from './wire-json-plan.js';
import { field, fieldEnd, fieldStart, fieldWire, hi, lo, varint } from './wire-json-read.js';

export { jsonBytes, jsonInto, jsonRelease, jsonStart, jsonText, mark as jsonMark } from './wire-json-output.js';

/**
 * Field occurrences, three integers each (start, end, wire type; -1 for none): per message, the
 * last occurrence of each field at `base + slot * 3`; the others, for the fields that keep them, in
 * `more`. Shared by every message on the way down, so that a walk allocates only for fields seen
 * more than once.
 */
let stack = new Int32Array(4096);
let sp = 0;

const MAX_DEPTH = 64;

/** Appends the JSON of the message of `type` in `bytes`; false when the caller must decode and convert instead. */
export function jsonMessage(type: protobuf.Type, bytes: Uint8Array): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  sp = 0;
  return writeMessage(planFor(type), buf, null, 0, buf.length, 0, 0);
}

/** The JSON of a message as a string, or `undefined` when it must be decoded and converted. */
export function wireJsonText(type: protobuf.Type, bytes: Uint8Array): string | undefined {
  jsonStart();
  return jsonMessage(type, bytes) ? jsonString() : undefined;
}

type More = Array<number[] | undefined> | null;

/** Reserves the occurrence slots of a message on the shared stack. */
function reserve(count: number): number {
  const base = sp;
  sp += count * 3;
  if (sp > stack.length) {
    const grown = new Int32Array(Math.max(stack.length * 2, sp));
    grown.set(stack);
    stack = grown;
  }
  for (let i = base + 2; i < sp; i += 3) stack[i] = -1;
  return base;
}

/**
 * Notes where each field of the message lies: in `ranges` (start, end, wire type triples: a message
 * merged from several occurrences), or in `start`…`end` when `ranges` is null. Returns the extra
 * occurrences by slot (null when there were none), or `undefined` for bytes to leave to protobufjs.
 */
function walk(
  plan: MessagePlan,
  buf: Buffer,
  ranges: readonly number[] | null,
  start: number,
  end: number,
  base: number,
  depth: number,
  anyDepth: number,
): More | undefined {
  let more: More = null;
  const count = ranges === null ? 1 : ranges.length / 3;
  for (let r = 0; r < count; r++) {
    let pos = ranges === null ? start : ranges[r * 3]!;
    const stop = ranges === null ? end : ranges[r * 3 + 1]!;
    while (pos < stop) {
      const id = field(buf, pos, stop);
      if (id < 0) return undefined;
      pos = fieldEnd;
      const f = id < plan.byId.length ? plan.byId[id] : plan.byLargeId.get(id);
      const wire = fieldWire;
      if (f === undefined || !(wire === f.wire || (wire === 2 && f.packable))) continue;
      const valueStart = fieldStart;
      const valueEnd = fieldEnd;
      // A known varint has at most 10 bytes, where an unknown one is only skipped.
      if (wire === 0 && varint(buf, valueStart, stop) !== valueEnd) return undefined;
      const at = base + f.slot * 3;
      // protobufjs reads every occurrence, also those that a later one replaces: they must read.
      for (let o = 0; o < f.others.length; o++) {
        const other = f.others[o]!;
        if (stack[base + other * 3 + 2] === -1) continue;
        if (!readable(plan.fields[other]!, buf, occurrences(more, base, other), depth, anyDepth)) return undefined;
        stack[base + other * 3 + 2] = -1;
        if (more !== null) more[other] = undefined;
      }
      if (stack[at + 2] !== -1) {
        if (f.repeated || f.map !== undefined || f.kind === MESSAGE) {
          more ??= [];
          let list = more[f.slot];
          if (list === undefined) more[f.slot] = list = [stack[at]!, stack[at + 1]!, stack[at + 2]!];
          list.push(valueStart, valueEnd, wire);
        } else if (f.kind === STRING && !readable(f, buf, [stack[at]!, stack[at + 1]!, 2], depth, anyDepth)) return undefined;
      }
      stack[at] = valueStart;
      stack[at + 1] = valueEnd;
      stack[at + 2] = wire;
    }
  }
  return more;
}

/** The occurrences of a slot: its list of extras, or its one occurrence; empty when none. */
function occurrences(more: More, base: number, slot: number): number[] {
  const list = more?.[slot];
  if (list !== undefined) return list;
  const at = base + slot * 3;
  return stack[at + 2] === -1 ? [] : [stack[at]!, stack[at + 1]!, stack[at + 2]!];
}

/** Whether occurrences that the decode reads and then drops (a replaced string, an unset oneof member) read without error. */
function readable(f: FieldPlan, buf: Buffer, occ: readonly number[], depth: number, anyDepth: number): boolean {
  if (f.kind !== MESSAGE && f.kind !== STRING && f.map === undefined) return true;
  const outAt = mark();
  let ok = true;
  if (f.map !== undefined) ok = writeMap(f, buf, occ, depth, anyDepth);
  else if (f.kind === MESSAGE) {
    const plan = fieldMessagePlan(f);
    for (let i = 0; ok && i < occ.length; i += 3) ok = writeMessage(plan, buf, null, occ[i]!, occ[i + 1]!, depth + 1, anyDepth);
  } else for (let i = 0; ok && i < occ.length; i += 3) ok = readableString(buf, occ[i]!, occ[i + 1]!);
  rewind(outAt);
  return ok;
}

// --- Writing ---

/** Writes a message's JSON (its special form for the well-known types); false to leave it to the decode. */
function writeMessage(plan: MessagePlan, buf: Buffer, ranges: readonly number[] | null, start: number, end: number, depth: number, anyDepth: number): boolean {
  if (plan.form === UNSUPPORTED || depth > MAX_DEPTH) return false;
  if (plan.form === DURATION || plan.form === TIMESTAMP) return writeTime(plan.form, buf, ranges, start, end);
  const base = reserve(plan.fields.length);
  const more = walk(plan, buf, ranges, start, end, base, depth, anyDepth);
  if (more === undefined) return false;
  let ok = true;
  switch (plan.form) {
    case NORMAL:
      putByte(0x7b);
      ok = writeFields(plan, buf, base, more, depth, anyDepth);
      putByte(0x7d);
      break;
    case WRAPPER: {
      const f = plan.byId[1]!;
      const at = base + f.slot * 3;
      ok = stack[at + 2] === -1 ? writeDefault(f.kind, f) : writeScalar(f.kind, f, buf, stack[at]!, stack[at + 1]!);
      break;
    }
    case STRUCT: {
      const f = plan.byId[1];
      const occ = f === undefined ? [] : occurrences(more, base, f.slot);
      if (occ.length === 0) putAscii('{}');
      else ok = writeMap(f!, buf, occ, depth, anyDepth);
      break;
    }
    case LIST: {
      const f = plan.byId[1];
      const count = f === undefined ? 0 : writeRepeated(f, buf, occurrences(more, base, f.slot), depth, anyDepth);
      if (count === 0) putAscii('[]');
      ok = count >= 0;
      break;
    }
    case VALUE:
      ok = writeValue(plan, buf, base, more, depth, anyDepth);
      break;
    case ANY:
      ok = writeAny(plan, buf, base, depth, anyDepth);
      break;
  }
  sp = base;
  return ok;
}

/**
 * A Timestamp or Duration (an entry has about ten): its two varints read in one pass without the
 * general walk, as the walk would read them, from `start`…`end` or from each of `ranges` (a message
 * merged from several occurrences): the last of each counts, another wire type is an unknown field.
 */
function writeTime(form: number, buf: Buffer, ranges: readonly number[] | null, start: number, end: number): boolean {
  let seconds = 0;
  let nanos = 0;
  const count = ranges === null ? 1 : ranges.length / 3;
  for (let r = 0; r < count; r++) {
    const stop = ranges === null ? end : ranges[r * 3 + 1]!;
    for (let pos = ranges === null ? start : ranges[r * 3]!; pos < stop; ) {
      const id = field(buf, pos, stop);
      if (id < 0) return false;
      pos = fieldEnd;
      if ((id !== 1 && id !== 2) || fieldWire !== 0) continue;
      if (varint(buf, fieldStart, stop) !== fieldEnd) return false;
      if (id === 1) seconds = (hi | 0) * 4294967296 + lo;
      else nanos = lo | 0;
    }
  }
  if (form === DURATION) return putDuration(seconds, nanos);
  const text = timestampJson(seconds, nanos);
  if (text === undefined) return false;
  putByte(QUOTE);
  putAscii(text);
  putByte(QUOTE);
  return true;
}

/** `"key":value` for each field that is written, in declaration order, comma-separated. */
function writeFields(plan: MessagePlan, buf: Buffer, base: number, more: More, depth: number, anyDepth: number): boolean {
  let first = true;
  const fields = plan.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const at = base + f.slot * 3;
    if (stack[at + 2] === -1) continue;
    const start = stack[at]!;
    const end = stack[at + 1]!;
    if (f.presence === IMPLICIT && f.map === undefined && !f.repeated && f.kind !== MESSAGE && isDefault(f.kind, buf, start, end)) continue;
    const outAt = mark();
    if (!first) putByte(COMMA);
    putBytes(f.key);
    if (f.map !== undefined) {
      if (!writeMap(f, buf, occurrences(more, base, f.slot), depth, anyDepth)) return false;
    } else if (f.repeated) {
      const count = writeRepeated(f, buf, occurrences(more, base, f.slot), depth, anyDepth);
      if (count < 0) return false;
      if (count === 0) {
        rewind(outAt); // an empty repeated field is not written
        continue;
      }
    } else if (f.kind === MESSAGE) {
      const list = more?.[f.slot];
      if (!writeMessage(fieldMessagePlan(f), buf, list ?? null, start, end, depth + 1, anyDepth)) return false;
    } else if (!writeScalar(f.kind, f, buf, start, end)) return false;
    first = false;
  }
  return true;
}

/** Writes `[…]` of a repeated field's values; how many (nothing is written for none), or -1. */
function writeRepeated(f: FieldPlan, buf: Buffer, occ: readonly number[], depth: number, anyDepth: number): number {
  let count = 0;
  putByte(0x5b);
  for (let i = 0; i < occ.length; i += 3) {
    const start = occ[i]!;
    const end = occ[i + 1]!;
    if (f.kind === MESSAGE) {
      if (count++ > 0) putByte(COMMA);
      if (!writeMessage(fieldMessagePlan(f), buf, null, start, end, depth + 1, anyDepth)) return -1;
    } else if (occ[i + 2] === 2 && f.packable) {
      // Packed: values end to end, each read within the packed run's bounds.
      const size = f.wire === 5 ? 4 : 8;
      for (let pos = start; pos < end; ) {
        const next = f.wire === 0 ? varint(buf, pos, end) : pos + size <= end ? pos + size : -1;
        if (next < 0) return -1;
        if (count++ > 0) putByte(COMMA);
        if (!writeScalar(f.kind, f, buf, pos, next)) return -1;
        pos = next;
      }
    } else {
      if (count++ > 0) putByte(COMMA);
      if (!writeScalar(f.kind, f, buf, start, end)) return -1;
    }
  }
  if (count === 0) rewind(mark() - 1);
  else putByte(0x5d);
  return count;
}

/** Writes `{…}` of a map field's entries in their order (non-empty); false to leave it to the decode. */
function writeMap(f: FieldPlan, buf: Buffer, occ: readonly number[], depth: number, anyDepth: number): boolean {
  const map = f.map;
  if (map === undefined) return false;
  const keys: number[] = [];
  putByte(0x7b);
  for (let i = 0; i < occ.length; i += 3) {
    const end = occ[i + 1]!;
    let keyStart = 0;
    let keyEnd = 0;
    // A message value seen twice in one entry is merged, a scalar keeps its last (which must read).
    let values: number[] | null = null;
    let valueStart = -1;
    let valueEnd = -1;
    for (let pos = occ[i]!; pos < end; ) {
      const id = field(buf, pos, end);
      if (id < 0) return false;
      pos = fieldEnd;
      if (id === 1 && fieldWire === 2) {
        if (keyEnd > keyStart && !readableString(buf, keyStart, keyEnd)) return false;
        keyStart = fieldStart;
        keyEnd = fieldEnd;
      } else if (id === 2 && fieldWire === map.valueWire) {
        if (fieldWire === 0 && varint(buf, fieldStart, end) !== fieldEnd) return false;
        if (valueStart >= 0) {
          if (map.valueKind === MESSAGE) (values ??= [valueStart, valueEnd, 2]).push(fieldStart, fieldEnd, 2);
          else if (map.valueKind === STRING && !readableString(buf, valueStart, valueEnd)) return false;
        }
        valueStart = fieldStart;
        valueEnd = fieldEnd;
      }
    }
    // A JS object puts integer-like keys first and `__proto__` is no plain key; a key seen twice keeps its first place.
    if (!plainKey(buf, keyStart, keyEnd)) return false;
    for (let k = 0; k < keys.length; k += 2) if (sameBytes(buf, keys[k]!, keys[k + 1]!, keyStart, keyEnd)) return false;
    keys.push(keyStart, keyEnd);
    if (i > 0) putByte(COMMA);
    if (!writeString(buf, keyStart, keyEnd)) return false;
    putByte(COLON);
    let ok: boolean;
    if (map.valueKind === MESSAGE) {
      const plan = fieldMessagePlan(f);
      ok = valueStart < 0 ? writeMessage(plan, buf, [], 0, 0, depth + 1, anyDepth) : writeMessage(plan, buf, values, valueStart, valueEnd, depth + 1, anyDepth);
    } else ok = valueStart < 0 ? writeDefault(map.valueKind, f) : writeScalar(map.valueKind, f, buf, valueStart, valueEnd);
    if (!ok) return false;
  }
  putByte(0x7d);
  return true;
}

const PROTO = Buffer.from('__proto__');

/** A key that a JS object keeps in insertion order as it is: not all digits, not `__proto__`. */
function plainKey(buf: Buffer, start: number, end: number): boolean {
  let digits = end > start;
  for (let i = start; i < end && digits; i++) digits = buf[i]! >= 0x30 && buf[i]! <= 0x39;
  if (digits) return false;
  return !sameBytes(PROTO, 0, PROTO.length, start, end, buf);
}

function sameBytes(a: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number, b: Buffer = a): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** `google.protobuf.Value`: the one member set (setting one drops the others), or null. */
function writeValue(plan: MessagePlan, buf: Buffer, base: number, more: More, depth: number, anyDepth: number): boolean {
  for (const f of plan.fields) {
    const at = base + f.slot * 3;
    if (stack[at + 2] === -1) continue;
    if (f.kind === MESSAGE) return writeMessage(fieldMessagePlan(f), buf, more?.[f.slot] ?? null, stack[at]!, stack[at + 1]!, depth + 1, anyDepth);
    return writeScalar(f.kind, f, buf, stack[at]!, stack[at + 1]!);
  }
  putAscii('null');
  return true;
}

/** `google.protobuf.Any`: the packed message with `@type` first, as `toProto3Json` writes it. */
function writeAny(plan: MessagePlan, buf: Buffer, base: number, depth: number, anyDepth: number): boolean {
  const urlAt = base + plan.byId[1]!.slot * 3;
  const valueAt = base + plan.byId[2]!.slot * 3;
  const valueStart = stack[valueAt + 2] === -1 ? 0 : stack[valueAt]!;
  const valueEnd = stack[valueAt + 2] === -1 ? 0 : stack[valueAt + 1]!;
  let url = '';
  if (stack[urlAt + 2] !== -1) {
    if (!readableString(buf, stack[urlAt]!, stack[urlAt + 1]!)) return false;
    url = buf.toString('utf8', stack[urlAt]!, stack[urlAt + 1]!);
  }
  if (url === '' && valueEnd === valueStart) {
    putAscii('{}');
    return true;
  }
  const target = anyTargetType(plan.type.root, url);
  if (target === undefined || anyDepth >= ANY_DEPTH_LIMIT) {
    putByte(0x7b);
    if (url !== '') jsonText(`"@type":${JSON.stringify(url)},`);
    putAscii(`"@value":"${buf.toString('base64', valueStart, valueEnd)}"}`);
    return true;
  }
  const targetPlan = planFor(target);
  // The packed bytes are a message of their own.
  const inner = buf.subarray(valueStart, valueEnd);
  jsonText(`{"@type":${JSON.stringify(url)}`);
  if (targetPlan.form !== NORMAL) {
    putAscii(',"value":');
    if (!writeMessage(targetPlan, inner, null, 0, inner.length, depth + 1, anyDepth + 1)) return false;
    putByte(0x7d);
    return true;
  }
  const saved = sp;
  const innerBase = reserve(targetPlan.fields.length);
  const innerMore = walk(targetPlan, inner, null, 0, inner.length, innerBase, depth + 1, anyDepth + 1);
  if (innerMore === undefined) return false;
  const outAt = mark();
  putByte(COMMA);
  const fieldsStart = mark();
  if (!writeFields(targetPlan, inner, innerBase, innerMore, depth + 1, anyDepth + 1)) return false;
  if (mark() === fieldsStart) rewind(outAt);
  putByte(0x7d);
  sp = saved;
  return true;
}
