/**
 * Proto3 JSON for messages decoded by protobufjs: the canonical mapping that Go's `protojson` and
 * protobuf-es `toJson` implement (lowerCamelCase / json_name keys, implicit-presence defaults
 * omitted, enums by name, 64-bit integers as decimal strings, bytes as base64, and the
 * well-known types in their special forms). protobufjs's own `toObject` is not this mapping.
 *
 * It runs for every entry a query or a live watch returns, so each message type is compiled once
 * into a generated function (cached in a WeakMap keyed by the Type, see `compileMessage`), and per
 * message only the output itself is allocated.
 *
 * It never throws on decoded input. Where protojson would refuse a value, a best-effort form is
 * written instead:
 * - an `Any` whose type is not in the Root (or whose bytes do not decode as that type) becomes
 *   `{"@type": typeUrl, "@value": "<base64 of the packed bytes>"}`: no field name can start with
 *   `@`, so it cannot be mistaken for a resolved Any, and it loses nothing;
 * - a Timestamp or Duration outside protojson's range (or with nanos it rejects) is written in its
 *   plain message form, `{"seconds": "…", "nanos": n}`;
 * - a `google.protobuf.Value` with no kind set is `null`; a NaN or infinite `number_value` is
 *   `"NaN"` / `"Infinity"` / `"-Infinity"` as for a double field;
 * - a FieldMask path that does not round-trip through lowerCamelCase is camel-cased anyway.
 * Floats are written as the decoded double, as protobuf-es does (Go prints the shortest float32).
 *
 * This file is longer than most on purpose: the mapping, its generated-code compiler, its
 * per-field writers, the well-known types and the fallbacks are one specification, and share
 * private helpers that nothing else should call.
 */
import protobuf from 'protobufjs';
import { type CivilDate, civilFromDays } from '../util/civil-date.js';

type Message = Record<string, unknown>;
type JsonObject = Record<string, unknown>;
/** A compiled message type: `write` gives the JSON value; `fill` (not for types with a special form) adds the fields to an object. */
interface Compiled {
  readonly write: (message: unknown) => unknown;
  readonly fill?: (message: Message, out: JsonObject) => void;
}
type ValueWriter = (value: unknown) => unknown;
interface LongLike {
  readonly low: number;
  readonly high: number;
}

const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY: Message = Object.freeze({}) as Message;
const EMPTY_BYTES = new Uint8Array(0);
const compiledTypes = new WeakMap<protobuf.Type, Compiled>();

/** Converts a message decoded by `type.decode()` (or built with `type.create()`/`fromObject()`) to its proto3 JSON value. */
export function toProto3Json(type: protobuf.Type, message: unknown): unknown {
  return compiledFor(type).write(message);
}

function compiledFor(type: protobuf.Type): Compiled {
  let compiled = compiledTypes.get(type);
  if (compiled === undefined) {
    compiled = compileWellKnown(type) ?? compileMessage(type);
    compiledTypes.set(type, compiled);
  }
  return compiled;
}

function asMessage(value: unknown): Message {
  return value !== null && typeof value === 'object' ? (value as Message) : EMPTY;
}

// --- Ordinary messages ---

/**
 * One function per message type, generated as source like protobufjs's own encoders and decoders
 * are: `v = m["startTime"]; if (v != null) o["startTime"] = d3.write(v);` for each field in
 * declaration order. Generic closures (one per field, called in a loop) were half as fast: they
 * share their inline caches across every field of every type, so each property read and call
 * went megamorphic. The source holds only field and key names (as JSON string literals) and
 * references `d0, d1, …` to the helpers it needs; no input data reaches it.
 */
function compileMessage(type: protobuf.Type): Compiled {
  const compiled: { write: Compiled['write']; fill: NonNullable<Compiled['fill']> } = {
    write: () => {
      throw new Error(`${type.fullName} is still being compiled.`);
    },
    fill: () => undefined,
  };
  // Registered before the fields are compiled, so that recursive types find this entry.
  compiledTypes.set(type, compiled);
  const helpers: unknown[] = [];
  const helper = (value: unknown): string => {
    let index = helpers.indexOf(value);
    if (index < 0) index = helpers.push(value) - 1;
    return `d${index}`;
  };
  let body: string;
  try {
    body = type.fieldsArray.map((field) => fieldSource(field.resolve(), helper)).join('\n');
  } catch (err) {
    compiledTypes.delete(type); // an unresolvable field type: fail now, and again next time
    throw err;
  }
  const empty = helper(EMPTY);
  const factory = new Function(
    ...helpers.map((_, i) => `d${i}`),
    `"use strict";
function fill(m, o) {
  let v;
${body}
}
function write(m) {
  const o = {};
  fill(m !== null && typeof m === "object" ? m : ${empty}, o);
  return o;
}
return { fill, write };`,
  ) as (...args: unknown[]) => typeof compiled;
  Object.assign(compiled, factory(...helpers));
  return compiled;
}

export function jsonKey(field: protobuf.Field): string {
  return field.jsonName ?? protobuf.util.jsonName(field.protoName ?? field.name);
}

function setKey(out: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The statements that write one field of `m` into `o` (with `v` as scratch). */
function fieldSource(field: protobuf.Field, helper: (value: unknown) => string): string {
  const read = `v = m[${JSON.stringify(field.name)}];`;
  const key = jsonKey(field);
  // Only a json_name option can produce this key; a plain assignment would set the prototype.
  const assign = (expression: string) =>
    key === '__proto__' ? `${helper(setKey)}(o, "__proto__", ${expression});` : `o[${JSON.stringify(key)}] = ${expression};`;

  if (field instanceof protobuf.MapField) {
    const mapKey = mapKeyWriter(field.keyType);
    const keyExpression = mapKey === undefined ? 'k' : `${helper(mapKey)}(k)`;
    return `  ${read}
  if (v != null && typeof v === "object") {
    let j;
    for (const k in v) {
      if (j === undefined) j = {};
      ${helper(setKey)}(j, ${keyExpression}, ${valueSource(field, 'v[k]', helper)});
    }
    if (j !== undefined) ${assign('j')}
  }`;
  }
  if (field.repeated) {
    return `  ${read}
  if (Array.isArray(v) && v.length !== 0) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = ${valueSource(field, 'v[i]', helper)};
    ${assign('a')}
  }`;
  }
  let present: string;
  if (field.resolvedType instanceof protobuf.Type) present = 'v != null';
  // Oneof members and proto2 fields have a default on the message prototype; only an own value is set.
  else if (field.hasPresence) present = `v != null && ${helper(hasOwn)}.call(m, ${JSON.stringify(field.name)})`;
  else present = `v != null && ${implicitSetSource(field, helper)}`;
  return `  ${read}
  if (${present}) ${assign(valueSource(field, 'v', helper))}`;
}

/** A proto3 field without presence is written only when it differs from its type's zero value. */
function implicitSetSource(field: protobuf.Field, helper: (value: unknown) => string): string {
  if (field.resolvedType instanceof protobuf.Enum) return 'v !== 0';
  switch (field.type) {
    case 'string':
      return 'v !== ""';
    case 'bool':
      return 'v !== false';
    case 'bytes':
      return 'v.length !== 0';
    case 'double':
    case 'float':
      // -0 has a distinct bit pattern, so protobuf-es and Go both treat it as set.
      return '!Object.is(v, 0)';
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return `!${helper(isZeroInt64)}(v)`;
    default:
      return 'v !== 0';
  }
}

/** The expression for the JSON of one value (`variable`) of the field's type. */
function valueSource(field: protobuf.Field, variable: string, helper: (value: unknown) => string): string {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return `${helper(compiledFor(resolved))}.write(${variable})`;
  const write = resolved instanceof protobuf.Enum ? enumWriter(resolved) : scalarWriter(field.type);
  return write === identity ? variable : `${helper(write)}(${variable})`;
}

/**
 * protobufjs keys a map with 64-bit keys by an 8-character hash of the key's bits
 * (`util.longToHash`); objects built by hand use decimal strings. Other key types already come
 * out as the strings proto3 JSON wants ("123", "true").
 */
function mapKeyWriter(keyType: string): ((key: string) => string) | undefined {
  if (keyType !== 'int64' && keyType !== 'uint64' && keyType !== 'sint64' && keyType !== 'fixed64' && keyType !== 'sfixed64') {
    return undefined;
  }
  const unsigned = keyType === 'uint64' || keyType === 'fixed64';
  return (key) => {
    if (key.length !== 8 || /^-?\d+$/.test(key)) return key;
    const low = key.charCodeAt(0) | (key.charCodeAt(1) << 8) | (key.charCodeAt(2) << 16) | (key.charCodeAt(3) << 24);
    const high = key.charCodeAt(4) | (key.charCodeAt(5) << 8) | (key.charCodeAt(6) << 16) | (key.charCodeAt(7) << 24);
    return int64String({ low, high }, unsigned);
  };
}

// --- Values ---

function enumWriter(enumType: protobuf.Enum): ValueWriter {
  if (enumType.fullName === '.google.protobuf.NullValue') return () => null;
  // Declaration order, first name wins for aliases (Go's `EnumValues().ByNumber`).
  const names = new Map<number, string>();
  for (const [valueName, num] of Object.entries(enumType.values)) if (!names.has(num)) names.set(num, valueName);
  return (value) => (typeof value === 'number' ? (names.get(value) ?? value) : value);
}

function scalarWriter(type: string): ValueWriter {
  switch (type) {
    case 'double':
    case 'float':
      return floatJson;
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return (value) => int64String(value, false);
    case 'uint64':
    case 'fixed64':
      return (value) => int64String(value, true);
    case 'bytes':
      return base64;
    default: // int32, uint32, sint32, fixed32, sfixed32, bool, string: as they are
      return identity;
  }
}

function identity(value: unknown): unknown {
  return value;
}

function floatJson(value: unknown): unknown {
  if (typeof value !== 'number') return value;
  return Number.isFinite(value) ? value : String(value); // "NaN", "Infinity", "-Infinity"
}

function base64(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const buffer = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return buffer.toString('base64');
  }
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('base64');
  return value; // already a string
}

function isLongLike(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && typeof (value as LongLike).low === 'number';
}

function isZeroInt64(value: unknown): boolean {
  if (isLongLike(value)) return value.low === 0 && value.high === 0;
  return value === 0 || value === 0n || value === '0';
}

const TWO_32 = 4294967296;

/** A 64-bit integer (protobufjs `Long`, number, bigint or string) as a decimal string, read as signed or unsigned per the field type. */
export function int64String(value: unknown, unsigned: boolean): string {
  if (isLongLike(value)) {
    const low = value.low >>> 0;
    const high = value.high | 0;
    if (high === 0) return String(low);
    if (unsigned) {
      const u = high >>> 0;
      if (u < 0x200000) return String(u * TWO_32 + low);
      return ((BigInt(u) << 32n) | BigInt(low)).toString();
    }
    if (high >= -0x200000 && high < 0x200000) return String(high * TWO_32 + low);
    return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low)).toString();
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : BigInt(Math.trunc(value) || 0).toString();
  if (typeof value === 'bigint') return (unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value)).toString();
  return String(value);
}

/** A signed 64-bit integer as a number (exact within ±2^53, which covers every valid Timestamp and Duration). */
function int64Number(value: unknown): number {
  if (isLongLike(value)) return (value.high | 0) * TWO_32 + (value.low >>> 0);
  if (typeof value === 'number') return value;
  if (value == null) return 0;
  return Number(value);
}

// --- Well-known types ---

/**
 * Field names are taken from the Type by number, not assumed: protobufjs substitutes its bundled
 * definitions for `google/protobuf/*.proto`, in which Any keeps `type_url` while the rest is
 * camel-cased, and a Root loaded with `keepCase` would differ again.
 */
function fieldName(type: protobuf.Type, id: number): string {
  return type.fieldsById[id]?.name ?? '';
}

/** The wrappers of one scalar (`google/protobuf/wrappers.proto`): in JSON, the scalar itself. */
export const wrapperTypes: ReadonlySet<string> = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((name) => `.google.protobuf.${name}Value`),
);

function compileWellKnown(type: protobuf.Type): Compiled | undefined {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return compileSecondsNanos(type, timestampJson);
    case '.google.protobuf.Duration':
      return compileSecondsNanos(type, durationJson);
    case '.google.protobuf.Struct':
    case '.google.protobuf.Value':
    case '.google.protobuf.ListValue':
      return compileStructTypes(type);
    case '.google.protobuf.FieldMask': {
      const paths = fieldName(type, 1);
      return { write: (message) => fieldMaskJson(asMessage(message)[paths]) };
    }
    case '.google.protobuf.Any':
      return compileAny(type);
    default: {
      if (!wrapperTypes.has(type.fullName)) return undefined;
      const field = type.fieldsById[1]?.resolve();
      if (field === undefined) return undefined;
      const write = scalarWriter(field.type);
      const name = field.name;
      const zero = field.long ? 0 : field.typeDefault;
      return { write: (message) => write(asMessage(message)[name] ?? zero) };
    }
  }
}

/** Timestamp and Duration: the string form, or the plain message form when protojson would refuse the value. */
function compileSecondsNanos(type: protobuf.Type, format: (seconds: number, nanos: number) => string | undefined): Compiled {
  const secondsName = fieldName(type, 1);
  const nanosName = fieldName(type, 2);
  let plain: Compiled | undefined;
  return {
    write: (value) => {
      const message = asMessage(value);
      const nanos = message[nanosName];
      const text = format(int64Number(message[secondsName]), typeof nanos === 'number' ? nanos : 0);
      if (text !== undefined) return text;
      // A second, ordinary compilation of the same fields; Object.create keeps it out of the cache's way.
      plain ??= compileMessage(Object.create(type) as protobuf.Type);
      return plain.write(message);
    },
  };
}

const TIMESTAMP_MIN = -62135596800; // 0001-01-01T00:00:00Z
const TIMESTAMP_MAX = 253402300799; // 9999-12-31T23:59:59Z
const DURATION_MAX = 315576000000; // 10,000 years
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

// One-entry cache of the date part: entries arrive in time order, mostly within the same day.
let cachedDay = NaN;
let cachedDate = '';

export function timestampJson(seconds: number, nanos: number): string | undefined {
  if (!(seconds >= TIMESTAMP_MIN && seconds <= TIMESTAMP_MAX) || !Number.isInteger(seconds)) return undefined;
  if (!(nanos >= 0 && nanos <= 999_999_999) || !Number.isInteger(nanos)) return undefined;
  const day = Math.floor(seconds / 86400);
  if (day !== cachedDay) {
    cachedDate = civilDate(day);
    cachedDay = day;
  }
  const inDay = seconds - day * 86400;
  const hours = Math.floor(inDay / 3600);
  const minutes = Math.floor((inDay % 3600) / 60);
  return `${cachedDate}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[inDay % 60]}${fraction(nanos)}Z`;
}

const civil: CivilDate = { year: 0, month: 0, day: 0 };

/** `YYYY-MM-DD` of a day counted from 1970-01-01. */
function civilDate(days: number): string {
  civilFromDays(days, civil);
  return `${String(civil.year).padStart(4, '0')}-${TWO_DIGITS[civil.month]}-${TWO_DIGITS[civil.day]}`;
}

function durationJson(seconds: number, nanos: number): string | undefined {
  if (!(seconds >= -DURATION_MAX && seconds <= DURATION_MAX) || !Number.isInteger(seconds)) return undefined;
  if (!(nanos > -1_000_000_000 && nanos < 1_000_000_000) || !Number.isInteger(nanos)) return undefined;
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) return undefined;
  if (nanos === 0) return `${seconds}s`;
  const sign = seconds < 0 || nanos < 0 ? '-' : '';
  return `${sign}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
}

/** `.nnn`, `.nnnnnn` or `.nnnnnnnnn`: the fewest of 3, 6 or 9 digits that hold the nanos exactly; empty for 0. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, '0')}`;
  if (nanos % 1000 === 0) return `.${String(nanos / 1000).padStart(6, '0')}`;
  return `.${String(nanos).padStart(9, '0')}`;
}

/**
 * Struct, Value and ListValue refer to one another, so they are compiled together, from the Value
 * type of the same Root, and each looks the others up on first use.
 */
function compileStructTypes(type: protobuf.Type): Compiled | undefined {
  const valueField = type.fullName === '.google.protobuf.Value' ? undefined : type.fieldsById[1]?.resolve();
  const valueType = valueField === undefined ? type : valueField.resolvedType;
  if (!(valueType instanceof protobuf.Type)) return undefined;
  const [numberName, stringName, boolName, structName, listName] = [2, 3, 4, 5, 6].map((id) => fieldName(valueType, id)) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const structType = valueType.fieldsById[5]?.resolve().resolvedType;
  const listType = valueType.fieldsById[6]?.resolve().resolvedType;
  if (!(structType instanceof protobuf.Type) || !(listType instanceof protobuf.Type)) return undefined;
  const fieldsName = fieldName(structType, 1);
  const valuesName = fieldName(listType, 1);

  function structJson(message: Message): JsonObject {
    const out: JsonObject = {};
    const fields = message[fieldsName];
    if (fields != null && typeof fields === 'object') {
      for (const key in fields) setKey(out, key, valueJson(asMessage((fields as Message)[key])));
    }
    return out;
  }
  function listJson(message: Message): unknown[] {
    const values = message[valuesName];
    if (!Array.isArray(values)) return [];
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = valueJson(asMessage(values[i]));
    return out;
  }
  // The oneof member that is an own property is the one set: protobufjs keeps defaults on the prototype.
  function valueJson(message: Message): unknown {
    if (hasOwn.call(message, stringName) && message[stringName] != null) return message[stringName];
    if (hasOwn.call(message, numberName) && message[numberName] != null) return floatJson(message[numberName]);
    if (hasOwn.call(message, boolName) && message[boolName] != null) return message[boolName];
    if (message[structName] != null) return structJson(asMessage(message[structName]));
    if (message[listName] != null) return listJson(asMessage(message[listName]));
    return null; // null_value, or nothing set (which protojson refuses): null either way
  }

  const struct: Compiled = { write: (message) => structJson(asMessage(message)) };
  const list: Compiled = { write: (message) => listJson(asMessage(message)) };
  const value: Compiled = { write: (message) => valueJson(asMessage(message)) };
  compiledTypes.set(structType, struct);
  compiledTypes.set(listType, list);
  compiledTypes.set(valueType, value);
  return type === structType ? struct : type === listType ? list : value;
}

function fieldMaskJson(paths: unknown): string {
  if (!Array.isArray(paths)) return '';
  return paths.map((path) => protobuf.util.jsonName(String(path))).join(',');
}

// --- Any ---

const ANY_CACHE_LIMIT = 1024;
/** Deeper Any-in-Any nesting than this is written in the fallback form instead of recursing further. */
export const ANY_DEPTH_LIMIT = 32;
let anyDepth = 0;

/** Per Root, the types of the Any URLs seen. Only hits are kept: type URLs come from the network, and the shared Root can gain types later. */
const anyTypes = new WeakMap<protobuf.Root, Map<string, protobuf.Type>>();

/** The message type an Any's URL names in `root` (`…/package.Name`), or undefined; shared by both JSON writers. */
export function anyTargetType(root: protobuf.Root, typeUrl: string): protobuf.Type | undefined {
  if (typeUrl === '') return undefined;
  let known = anyTypes.get(root);
  if (known === undefined) anyTypes.set(root, (known = new Map()));
  let type = known.get(typeUrl);
  if (type === undefined) {
    type = lookupType(root, typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    if (type !== undefined && known.size < ANY_CACHE_LIMIT) known.set(typeUrl, type);
  }
  return type;
}

function compileAny(anyType: protobuf.Type): Compiled {
  const root = anyType.root;
  const typeUrlName = fieldName(anyType, 1);
  const valueName = fieldName(anyType, 2);
  return {
    write: (value) => {
      const message = asMessage(value);
      const url = message[typeUrlName];
      const typeUrl = typeof url === 'string' ? url : '';
      const bytes = message[valueName];
      const packed = bytes instanceof Uint8Array ? bytes : EMPTY_BYTES;
      if (typeUrl === '' && packed.length === 0) return {};
      const type = anyTargetType(root, typeUrl);
      if (type === undefined || anyDepth >= ANY_DEPTH_LIMIT) return anyFallback(typeUrl, packed);
      let inner: Message;
      try {
        inner = type.decode(packed) as unknown as Message;
      } catch {
        return anyFallback(typeUrl, packed);
      }
      anyDepth++;
      try {
        const compiled = compiledFor(type);
        const out: JsonObject = { '@type': typeUrl };
        if (compiled.fill === undefined) out['value'] = compiled.write(inner);
        else compiled.fill(inner, out);
        return out;
      } finally {
        anyDepth--;
      }
    },
  };
}

function anyFallback(typeUrl: string, packed: Uint8Array): JsonObject {
  const out: JsonObject = {};
  if (typeUrl !== '') out['@type'] = typeUrl;
  out['@value'] = base64(packed);
  return out;
}

/** Exact lookup of a fully-qualified message name (protobufjs's `lookup` also matches partial names and caches misses). */
export function lookupType(root: protobuf.Root, fullName: string): protobuf.Type | undefined {
  let current: protobuf.ReflectionObject = root;
  for (const part of fullName.split('.')) {
    const nested: Record<string, protobuf.ReflectionObject> | undefined = current instanceof protobuf.Namespace ? current.nested : undefined;
    if (nested === undefined || !hasOwn.call(nested, part)) return undefined;
    current = nested[part]!;
  }
  return current instanceof protobuf.Type ? current : undefined;
}
