/**
 * Metadata operators: `DYNAMIC_METADATA(NS:KEY*)` (and `METADATA(DYNAMIC:...)`) from
 * `common.metadata.filter_metadata`, `FILTER_STATE(KEY:PLAIN|TYPED)` from the `Any`s in
 * `filter_state_objects`, and `CUSTOM_TAG(NAME)` from `custom_tags`.
 */
import type protobuf from 'protobufjs';
import { type Int64, int64ToNumber } from '../envoy/entry-fields.js';
import { loadAlsTypes } from '../envoy/protos.js';
import { toProto3Json } from '../protojson/proto-json.js';
import { commonOf, type OperatorDef, unsupported } from './als-entry.js';
import type { Evaluator, FormatValue } from './types.js';

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

interface DecodedValue {
  kind?: string;
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields?: Record<string, DecodedValue> } | null;
  listValue?: { values?: DecodedValue[] } | null;
}

const valueKinds = ['stringValue', 'numberValue', 'boolValue', 'structValue', 'listValue', 'nullValue'] as const;

/** A `google.protobuf.Value`; decoded messages name their oneof in `kind`, plain objects by key. */
function valueToPlain(v: DecodedValue | null | undefined): Plain {
  if (!v) return null;
  const kind = v.kind ?? valueKinds.find((k) => Object.hasOwn(v, k));
  switch (kind) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'numberValue':
      return v.numberValue ?? 0;
    case 'boolValue':
      return v.boolValue ?? false;
    case 'structValue':
      return structToPlain(v.structValue);
    case 'listValue':
      return (v.listValue?.values ?? []).map(valueToPlain);
    default:
      return null;
  }
}

function structToPlain(s: { fields?: Record<string, DecodedValue> } | null | undefined): { [key: string]: Plain } {
  const out: { [key: string]: Plain } = {};
  const fields = s?.fields;
  if (fields) for (const key in fields) out[key] = valueToPlain(fields[key]);
  return out;
}

/** `NS:KEY:KEY`: the namespace and the path into its Struct. Keys are resolved per entry without allocation. */
function dynamicMetadata(arg: string | undefined, operator: string): Evaluator | string {
  if (!arg) return `${operator} needs a metadata namespace`;
  const [namespace, ...path] = arg.split(':');
  if (!namespace || path.some((k) => k === '')) return `${operator} has an empty namespace or key in ${JSON.stringify(arg)}`;
  return (entry) => {
    const struct = commonOf(entry)?.metadata?.filterMetadata?.[namespace] as { fields?: Record<string, DecodedValue> } | undefined;
    if (!struct) return null;
    if (path.length === 0) return structToPlain(struct);
    let value: DecodedValue | undefined;
    let fields = struct.fields;
    for (const key of path) {
      value = fields?.[key];
      if (!value) return null;
      fields = value.structValue?.fields;
    }
    return valueToPlain(value);
  };
}

const dynamicMetadataOperator: OperatorDef = { args: 'required', maxLength: true, build: (arg) => dynamicMetadata(arg, 'DYNAMIC_METADATA') };

/** `METADATA(TYPE:NS:KEY*)`: only the `DYNAMIC` type reaches ALS. */
const metadataOperator: OperatorDef = {
  args: 'required',
  maxLength: true,
  build(arg) {
    const colon = arg?.indexOf(':') ?? -1;
    const type = colon < 0 ? arg : arg!.slice(0, colon);
    if (type === 'DYNAMIC') return dynamicMetadata(arg!.slice(colon + 1), 'METADATA');
    if (type === 'CLUSTER' || type === 'ROUTE' || type === 'UPSTREAM_HOST' || type === 'LISTENER' || type === 'VIRTUAL_HOST') return () => null;
    return `METADATA takes TYPE:NAMESPACE[:KEY...] with TYPE DYNAMIC, CLUSTER, ROUTE, UPSTREAM_HOST, LISTENER or VIRTUAL_HOST, got ${JSON.stringify(arg ?? '')}`;
  },
};

type AnyDecoder = (bytes: Uint8Array) => FormatValue;

const wrapperTypes: Record<string, (decoded: { value?: unknown }) => FormatValue> = {
  'google.protobuf.StringValue': (d) => (d.value as string | undefined) ?? '',
  'google.protobuf.BoolValue': (d) => (d.value as boolean | undefined) ?? false,
  'google.protobuf.Int32Value': (d) => (d.value as number | undefined) ?? 0,
  'google.protobuf.UInt32Value': (d) => (d.value as number | undefined) ?? 0,
  'google.protobuf.FloatValue': (d) => (d.value as number | undefined) ?? 0,
  'google.protobuf.DoubleValue': (d) => (d.value as number | undefined) ?? 0,
  'google.protobuf.Int64Value': (d) => int64ToNumber(d.value as Int64),
  'google.protobuf.UInt64Value': (d) => int64ToNumber(d.value as Int64),
  'google.protobuf.BytesValue': (d) => Buffer.from((d.value as Uint8Array | undefined) ?? new Uint8Array()).toString('base64'),
};

/** Decoders by type URL, shared by every compiled format; null for types the Root does not know. */
const decoders = new Map<string, AnyDecoder | null>();

function decoderFor(typeUrl: string): AnyDecoder | null {
  let decoder = decoders.get(typeUrl);
  if (decoder !== undefined) return decoder;
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  let type: protobuf.Type | null = null;
  try {
    type = loadAlsTypes().root.lookupType(name);
  } catch {
    type = null;
  }
  if (type === null) decoder = null;
  else {
    const t = type;
    const wrapper = wrapperTypes[name];
    if (wrapper) decoder = (bytes) => wrapper(t.decode(bytes) as { value?: unknown });
    else if (name === 'google.protobuf.Struct') decoder = (bytes) => structToPlain(t.decode(bytes) as { fields?: Record<string, DecodedValue> });
    else if (name === 'google.protobuf.Value') decoder = (bytes) => valueToPlain(t.decode(bytes) as DecodedValue);
    else decoder = (bytes) => toProto3Json(t, t.decode(bytes)) as FormatValue;
  }
  decoders.set(typeUrl, decoder);
  return decoder;
}

interface DecodedAny {
  typeUrl?: string;
  type_url?: string;
  value?: Uint8Array;
}

/** The object's value, or null when absent, undecodable or of a type this build has no proto for. */
function filterStateValue(any: DecodedAny | undefined): FormatValue {
  if (!any) return null;
  const typeUrl = any.typeUrl ?? any.type_url;
  if (!typeUrl) return null;
  const decode = decoderFor(typeUrl);
  if (!decode) return null;
  try {
    return decode(any.value ?? new Uint8Array());
  } catch {
    return null; // a corrupt object renders `-`; it is not worth failing the entry
  }
}

const upstreamLogTypes = new Set([7, 8, 9]); // UpstreamPoolReady, UpstreamPeriodic, UpstreamEnd

/**
 * `FILTER_STATE(KEY)` and `(KEY:TYPED)`: the object as JSON (a JSON string in text, native in
 * typed JSON); `(KEY:PLAIN)`: a string value as is. ALS carries `serializeAsProto()` only, so for
 * non-string objects PLAIN renders their JSON too.
 */
function filterState(upstream: boolean): OperatorDef {
  const operator = upstream ? 'UPSTREAM_FILTER_STATE' : 'FILTER_STATE';
  return {
    args: 'required',
    maxLength: true,
    build(arg, target) {
      if (!arg) return `${operator} needs a filter state key`;
      const colon = arg.lastIndexOf(':');
      const mode = colon < 0 ? '' : arg.slice(colon + 1);
      if (colon >= 0 && mode !== 'PLAIN' && mode !== 'TYPED') return `${operator} takes KEY, KEY:PLAIN or KEY:TYPED, got ${JSON.stringify(arg)}`;
      const key = colon < 0 ? arg : arg.slice(0, colon);
      if (key === '') return `${operator} needs a filter state key`;
      const asJsonText = target === 'text' && mode !== 'PLAIN';
      return (entry) => {
        const common = commonOf(entry);
        // Upstream filter state reaches ALS only on upstream logs (the router's `upstream_log`).
        if (upstream && !upstreamLogTypes.has(common?.accessLogType ?? 0)) return null;
        const value = filterStateValue(common?.filterStateObjects?.[key] as DecodedAny | undefined);
        if (value === null) return null;
        if (asJsonText || (mode === 'PLAIN' && typeof value === 'object')) return JSON.stringify(value);
        return value;
      };
    },
  };
}

/** `CUSTOM_TAG(NAME)`: a meshlog extension reading the ALS config's `custom_tags`. */
const customTag: OperatorDef = {
  args: 'required',
  maxLength: true,
  build: (name) => (name ? (entry) => commonOf(entry)?.customTags?.[name] ?? null : 'CUSTOM_TAG needs a tag name'),
};

export const metadataOperators: Record<string, OperatorDef> = {
  DYNAMIC_METADATA: dynamicMetadataOperator,
  METADATA: metadataOperator,
  FILTER_STATE: filterState(false),
  UPSTREAM_FILTER_STATE: filterState(true),
  CUSTOM_TAG: customTag,
  CLUSTER_METADATA: unsupported('required', true),
  UPSTREAM_METADATA: unsupported('required', true),
};
