/**
 * A strict reading of proto3 JSON (as Envoy reads its YAML/JSON config) against protobufjs types.
 * protobufjs's `fromObject` ignores unknown fields and coerces wrong types; Envoy rejects both, so
 * this walker checks every key, scalar, enum name, oneof and `Any` (decoded into its type), and
 * builds the object protobufjs encodes. Validation rules are checked separately (`validate-rules.ts`).
 */
import protobuf from 'protobufjs';
import { checkFieldRules, checkRegexMatcher } from './validate-rules.js';
import type { Walk } from './walk.js';

/** `fooBar` → `foo_bar`: protobufjs keeps fields in camelCase, Envoy's docs write snake_case. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z_@][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? safe : /^[A-Za-z_@]/.test(safe) ? `${path}.${safe}` : `${path}[${safe}]`;
}

const wrapperScalars: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

/** The protobufjs object for a message, or undefined where the value is wrong (a violation is recorded). */
export function walkMessage(walk: Walk, type: protobuf.Type, value: unknown, path: string): Record<string, unknown> | undefined {
  const special = walkWellKnown(walk, type, value, path);
  if (special !== null) return special;
  if (!isObject(value)) return fail(walk, path, `expected an object (${type.fullName.slice(1)}), got ${describe(value)}`);
  const native: Record<string, unknown> = {};
  const set = new Set<protobuf.Field>();
  const broken = new Set<protobuf.Field>();
  for (const [key, v] of Object.entries(value)) {
    const at = child(path, key);
    const field = type.fields[key] ?? type.fields[protobuf.util.camelCase(key)];
    if (!field || (key !== field.name && key !== snakeCase(field.name))) {
      fail(walk, at, `unknown field ${JSON.stringify(key)} in ${type.fullName.slice(1)}`);
      continue;
    }
    if (set.has(field)) {
      fail(walk, at, `field ${snakeCase(field.name)} is given twice`);
      continue;
    }
    set.add(field);
    if (field.options?.['deprecated'] === true) fail(walk, at, `field ${snakeCase(field.name)} of ${type.fullName.slice(1)} is deprecated`);
    if (v === null) {
      fail(walk, at, 'null is not a value meshlog writes: leave the field out');
      continue;
    }
    const before = walk.violations.length;
    const converted = walkField(walk, field, v, at);
    if (converted !== undefined) native[field.name] = converted;
    // A value already found wrong is not checked against its rules as well.
    if (walk.violations.length > before) broken.add(field);
  }
  checkOneofs(walk, type, set, path);
  for (const field of type.fieldsArray) {
    if (broken.has(field)) continue;
    checkFieldRules(walk, field, set.has(field) ? value[keyOf(value, field)] : undefined, set.has(field), child(path, snakeCase(field.name)));
  }
  checkRegexMatcher(walk, type, value, path);
  return native;
}

function keyOf(value: Record<string, unknown>, field: protobuf.Field): string {
  return field.name in value ? field.name : snakeCase(field.name);
}

function checkOneofs(walk: Walk, type: protobuf.Type, set: ReadonlySet<protobuf.Field>, path: string): void {
  for (const oneof of type.oneofsArray) {
    const present = oneof.fieldsArray.filter((f) => set.has(f));
    if (present.length > 1) {
      fail(walk, path, `fields ${present.map((f) => snakeCase(f.name)).join(' and ')} are both set, but only one of oneof ${snakeCase(oneof.name)} may be`);
    } else if (present.length === 0 && oneof.options?.['(validate.required)'] === true) {
      fail(walk, path, `one of ${oneof.fieldsArray.map((f) => snakeCase(f.name)).join(', ')} is required (oneof ${snakeCase(oneof.name)})`);
    }
  }
}

function walkField(walk: Walk, field: protobuf.Field, value: unknown, path: string): unknown {
  field.resolve();
  if (field instanceof protobuf.MapField) {
    if (!isObject(value)) return fail(walk, path, `expected a map (object), got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const at = child(path, k);
      if (field.keyType !== 'string' && !isScalar(field.keyType, /^-?\d+$/.test(k) ? k : NaN))
        fail(walk, at, `map key ${JSON.stringify(k)} is not a ${field.keyType}`);
      const converted = walkSingle(walk, field, v, at);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return fail(walk, path, `expected a list, got ${describe(value)}`);
    return value.map((item, i) => walkSingle(walk, field, item, child(path, i)));
  }
  return walkSingle(walk, field, value, path);
}

function walkSingle(walk: Walk, field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return walkMessage(walk, resolved, value, path);
  if (resolved instanceof protobuf.Enum) return walkEnum(walk, resolved, value, path);
  if (!isScalar(field.type, value)) return fail(walk, path, `expected ${field.type}, got ${describe(value)}`);
  return value;
}

function walkEnum(walk: Walk, type: protobuf.Enum, value: unknown, path: string): unknown {
  if (typeof value === 'string') {
    if (type.values[value] === undefined)
      return fail(walk, path, `${JSON.stringify(value)} is not a value of enum ${type.fullName.slice(1)} (${Object.keys(type.values).join(', ')})`);
    return value;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return fail(walk, path, `expected a ${type.fullName.slice(1)} name, got ${describe(value)}`);
}

const int32Range: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};

/** Whether a JSON value is a valid proto3 JSON encoding of a scalar type. */
export function isScalar(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'double':
    case 'float':
      return typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity';
    case 'bytes':
      return typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return (
        (typeof value === 'number' && Number.isSafeInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value) && inRange(BigInt(value), -(2n ** 63n), 2n ** 63n - 1n))
      );
    case 'uint64':
    case 'fixed64':
      return (
        (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
        (typeof value === 'string' && /^\d+$/.test(value) && inRange(BigInt(value), 0n, 2n ** 64n - 1n))
      );
    default: {
      const range = int32Range[type];
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      return range !== undefined && typeof n === 'number' && Number.isInteger(n) && n >= range[0] && n <= range[1];
    }
  }
}

function inRange(v: bigint, low: bigint, high: bigint): boolean {
  return v >= low && v <= high;
}

/** Struct, Value, ListValue, Duration, wrappers, Empty and Any: null when `type` is none of them. */
function walkWellKnown(walk: Walk, type: protobuf.Type, value: unknown, path: string): Record<string, unknown> | undefined | null {
  const name = type.fullName;
  const scalar = wrapperScalars[name];
  if (scalar !== undefined) return isScalar(scalar, value) ? { value } : fail(walk, path, `expected ${scalar} (${name.slice(1)}), got ${describe(value)}`);
  switch (name) {
    case '.google.protobuf.Struct':
      if (!isObject(value)) return fail(walk, path, `expected an object (google.protobuf.Struct), got ${describe(value)}`);
      return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structValue(v)])) };
    case '.google.protobuf.Value':
      return structValue(value);
    case '.google.protobuf.ListValue':
      if (!Array.isArray(value)) return fail(walk, path, `expected a list (google.protobuf.ListValue), got ${describe(value)}`);
      return { values: value.map(structValue) };
    case '.google.protobuf.Empty':
      if (!isObject(value) || Object.keys(value).length > 0) return fail(walk, path, 'expected {} (google.protobuf.Empty)');
      return {};
    case '.google.protobuf.Duration': {
      const match = typeof value === 'string' ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value) : null;
      if (!match) return fail(walk, path, `expected a duration like "5s" or "0.250s", got ${describe(value)}`);
      const sign = match[1] ? -1 : 1;
      return { seconds: String(sign * Number(match[2])), nanos: sign * Number((match[3] ?? '').padEnd(9, '0')) };
    }
    case '.google.protobuf.Any':
      return walkAny(walk, value, path);
    default:
      return null;
  }
}

function structValue(v: unknown): Record<string, unknown> {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(structValue) } };
  return { structValue: { fields: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, structValue(x)])) } };
}

/** `{"@type": "type.googleapis.com/T", ...fields of T}`: checked as T and encoded into the Any. */
function walkAny(walk: Walk, value: unknown, path: string): Record<string, unknown> | undefined {
  if (!isObject(value)) return fail(walk, path, `expected an object with "@type" (google.protobuf.Any), got ${describe(value)}`);
  const typeUrl = value['@type'];
  if (typeof typeUrl !== 'string' || !typeUrl.includes('/'))
    return fail(walk, child(path, '@type'), 'google.protobuf.Any needs "@type": "type.googleapis.com/<message>"');
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  let inner: protobuf.Type;
  try {
    inner = walk.root.lookupType(typeName);
  } catch {
    return fail(walk, child(path, '@type'), `unknown message type ${typeName} (not in the loaded Envoy protos)`);
  }
  const { '@type': _ignored, ...rest } = value;
  const isWellKnown = inner.fullName.startsWith('.google.protobuf.');
  const body = isWellKnown ? rest['value'] : rest;
  if (isWellKnown && Object.keys(rest).some((k) => k !== 'value')) fail(walk, path, `a ${typeName} in an Any carries its JSON under "value" only`);
  const before = walk.violations.length;
  const native = walkMessage(walk, inner, body, path);
  if (native === undefined || walk.violations.length > before) return undefined;
  return { typeUrl, value: inner.encode(inner.fromObject(native)).finish() };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function fail(walk: Walk, path: string, message: string): undefined {
  walk.violations.push({ path, message });
  return undefined;
}
