/**
 * protobufjs messages → proto3 JSON (the mapping of Go's protojson and protobuf-es's `toJson`):
 * JSON field names in declaration order, defaults of implicit-presence fields omitted, enums by
 * name, 64-bit integers as strings, bytes as base64, and the well-known types (Timestamp,
 * Duration, wrappers, Struct, Any, FieldMask, Empty) in their special forms.
 *
 * protobufjs's own `toJSON` is not this mapping (Timestamps as `{seconds, nanos}`, wrappers as
 * objects), and protobuf-es decodes about 3x slower, hence this writer. One converter is compiled
 * per message type and cached. An `Any` whose type is not in the Root cannot be expanded; it is
 * written as `{"@type": url, "value": "<base64 of the bytes>"}` rather than failing the response.
 */
import protobuf from 'protobufjs';

type Converter = (message: Record<string, unknown>) => unknown;

const converters = new WeakMap<protobuf.Type, Converter>();
const hasOwn = Object.prototype.hasOwnProperty;

export function toProto3Json(type: protobuf.Type, message: unknown): unknown {
  return converterFor(type)(message as Record<string, unknown>);
}

function converterFor(type: protobuf.Type): Converter {
  let converter = converters.get(type);
  if (!converter) {
    converter = wellKnown[type.fullName]?.(type) ?? compileMessage(type);
    converters.set(type, converter);
  }
  return converter;
}

function compileMessage(type: protobuf.Type): Converter {
  // Fields are resolved lazily so that recursive types compile.
  let writers: Array<(m: Record<string, unknown>, out: Record<string, unknown>) => void> | undefined;
  return (message) => {
    writers ??= type.fieldsArray.map((f) => fieldWriter(f.resolve()));
    const out: Record<string, unknown> = {};
    for (const write of writers) write(message, out);
    return out;
  };
}

function fieldWriter(field: protobuf.Field): (m: Record<string, unknown>, out: Record<string, unknown>) => void {
  const name = field.name;
  const jsonName = (field.options?.['json_name'] as string | undefined) ?? name;
  if (field instanceof protobuf.MapField) {
    const convert = valueConverter(field);
    return (m, out) => {
      if (!hasOwn.call(m, name)) return;
      const map = m[name] as Record<string, unknown> | null;
      if (!map) return;
      const keys = Object.keys(map);
      if (keys.length === 0) return;
      const json: Record<string, unknown> = {};
      for (const key of keys) json[mapKey(field.keyType, key)] = convert(map[key]);
      out[jsonName] = json;
    };
  }
  const convert = valueConverter(field);
  if (field.repeated) {
    return (m, out) => {
      if (!hasOwn.call(m, name)) return;
      const list = m[name] as unknown[] | null;
      if (!list || list.length === 0) return;
      out[jsonName] = list.map(convert);
    };
  }
  const explicitPresence = field.partOf !== null || field.resolvedType instanceof protobuf.Type;
  if (explicitPresence) {
    return (m, out) => {
      if (!hasOwn.call(m, name)) return;
      const v = m[name];
      if (v === null || v === undefined) return;
      out[jsonName] = convert(v);
    };
  }
  return (m, out) => {
    if (!hasOwn.call(m, name)) return;
    const v = m[name];
    if (isDefault(v)) return;
    out[jsonName] = convert(v);
  };
}

function valueConverter(field: protobuf.Field): (v: unknown) => unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    let convert: Converter | undefined;
    return (v) => (convert ??= converterFor(resolved))(v as Record<string, unknown>);
  }
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return () => null;
    return (v) => resolved.valuesById[v as number] ?? v;
  }
  return scalarConverter(field.type);
}

function scalarConverter(type: string): (v: unknown) => unknown {
  switch (type) {
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return int64String;
    case 'double':
    case 'float':
      return floatJson;
    case 'bytes':
      return base64;
    default:
      return identity;
  }
}

const identity = (v: unknown) => v;

function int64String(v: unknown): string {
  return typeof v === 'object' && v !== null ? (v as { toString(): string }).toString() : String(v);
}

function floatJson(v: unknown): unknown {
  const n = v as number;
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

function base64(v: unknown): string {
  const bytes = v as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function isDefault(v: unknown): boolean {
  if (v === 0 || v === '' || v === false || v === null || v === undefined) return true;
  if (typeof v === 'object') {
    if (v instanceof Uint8Array) return v.length === 0;
    const long = v as { low?: number; high?: number };
    if (typeof long.low === 'number' && typeof long.high === 'number') return long.low === 0 && long.high === 0;
  }
  return false;
}

function mapKey(keyType: string, key: string): string {
  // protobufjs gives map keys as strings already (64-bit keys as their decimal or Long-hash form).
  if (keyType === 'bool') return key === 'true' || key === '1' ? 'true' : 'false';
  if (/64$/.test(keyType) && /^[\u0000-\u00ff]{8}$/.test(key) && !/^-?\d+$/.test(key)) {
    return protobuf.util.LongBits.fromHash(key).toLong(keyType === 'uint64' || keyType === 'fixed64').toString();
  }
  return key;
}

/** Fractional seconds as protojson writes them: none, or 3, 6 or 9 digits. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(Math.abs(nanos)).padStart(9, '0');
  if (digits.endsWith('000000')) return `.${digits.slice(0, 3)}`;
  if (digits.endsWith('000')) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

function seconds(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null) return Number((v as { toString(): string }).toString());
  return Number(v ?? 0);
}

const wrapper = (convert: (v: unknown) => unknown) => () => (m: Record<string, unknown>) => convert(m['value'] ?? defaultWrapped(m));

function defaultWrapped(m: Record<string, unknown>): unknown {
  // An unset `value` reads from the prototype default (0, '', false or empty bytes).
  return Object.getPrototypeOf(m)?.value ?? 0;
}

const wellKnown: Record<string, (type: protobuf.Type) => Converter> = {
  '.google.protobuf.Timestamp': () => (m) => {
    const secs = seconds(m['seconds']);
    const iso = new Date(secs * 1000).toISOString();
    return `${iso.slice(0, 19)}${fraction((m['nanos'] as number) ?? 0)}Z`;
  },
  '.google.protobuf.Duration': () => (m) => {
    const secs = seconds(m['seconds']);
    const nanos = (m['nanos'] as number) ?? 0;
    const sign = secs === 0 && nanos < 0 ? '-' : '';
    return `${sign}${secs}${fraction(nanos)}s`;
  },
  '.google.protobuf.DoubleValue': wrapper(floatJson),
  '.google.protobuf.FloatValue': wrapper(floatJson),
  '.google.protobuf.Int64Value': wrapper(int64String),
  '.google.protobuf.UInt64Value': wrapper(int64String),
  '.google.protobuf.Int32Value': wrapper(identity),
  '.google.protobuf.UInt32Value': wrapper(identity),
  '.google.protobuf.BoolValue': wrapper(identity),
  '.google.protobuf.StringValue': wrapper(identity),
  '.google.protobuf.BytesValue': wrapper(base64),
  '.google.protobuf.Empty': () => () => ({}),
  '.google.protobuf.FieldMask': () => (m) => ((m['paths'] as string[] | undefined) ?? []).map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join(','),
  '.google.protobuf.Struct': () => structJson,
  '.google.protobuf.Value': () => valueJson,
  '.google.protobuf.ListValue': () => listJson,
  '.google.protobuf.Any': (type) => (m) => anyJson(type.root, m),
};

function structJson(m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = m['fields'] as Record<string, Record<string, unknown>> | undefined;
  if (fields) for (const key of Object.keys(fields)) out[key] = valueJson(fields[key]!);
  return out;
}

function valueJson(m: Record<string, unknown>): unknown {
  if (hasOwn.call(m, 'nullValue')) return null;
  if (hasOwn.call(m, 'numberValue')) return floatJson(m['numberValue']);
  if (hasOwn.call(m, 'stringValue')) return m['stringValue'];
  if (hasOwn.call(m, 'boolValue')) return m['boolValue'];
  if (hasOwn.call(m, 'structValue')) return structJson(m['structValue'] as Record<string, unknown>);
  if (hasOwn.call(m, 'listValue')) return listJson(m['listValue'] as Record<string, unknown>);
  return null;
}

function listJson(m: Record<string, unknown>): unknown[] {
  return ((m['values'] as Array<Record<string, unknown>> | undefined) ?? []).map(valueJson);
}

function anyJson(root: protobuf.Root, m: Record<string, unknown>): Record<string, unknown> {
  // protobufjs keeps Any's field name as declared (`type_url`) even when it camel-cases the rest.
  const url = ((m['type_url'] ?? m['typeUrl']) as string | undefined) ?? '';
  const bytes = (m['value'] as Uint8Array | undefined) ?? new Uint8Array();
  if (url === '') return {};
  const type = root.lookup(url.slice(url.lastIndexOf('/') + 1));
  if (!(type instanceof protobuf.Type)) return { '@type': url, value: base64(bytes) };
  const decoded = type.decode(bytes) as unknown as Record<string, unknown>;
  const json = converterFor(type)(decoded);
  if (wellKnown[type.fullName]) return { '@type': url, value: json };
  return { '@type': url, ...(json as Record<string, unknown>) };
}
