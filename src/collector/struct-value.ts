/**
 * `google.protobuf.Struct` as protobufjs decodes it (`{fields: {k: {stringValue}}}`) turned into
 * plain JS values, for reading Envoy node metadata.
 */

export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

interface DecodedValue {
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: DecodedStruct;
  listValue?: { values?: DecodedValue[] };
}

interface DecodedStruct {
  fields?: Record<string, DecodedValue>;
}

export function structToPlain(struct: unknown): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  const fields = (struct as DecodedStruct | null | undefined)?.fields;
  if (!fields) return out;
  for (const [key, value] of Object.entries(fields)) out[key] = valueToPlain(value);
  return out;
}

export function valueToPlain(value: unknown): PlainValue {
  const v = value as DecodedValue | null | undefined;
  if (!v) return null;
  // Decoded protobufjs messages keep defaults on the prototype: only own properties are set.
  if (has(v, 'stringValue')) return v.stringValue ?? '';
  if (has(v, 'numberValue')) return v.numberValue ?? 0;
  if (has(v, 'boolValue')) return v.boolValue ?? false;
  if (has(v, 'structValue')) return structToPlain(v.structValue);
  if (has(v, 'listValue')) return (v.listValue?.values ?? []).map(valueToPlain);
  return null;
}

function has(v: object, key: keyof DecodedValue): boolean {
  return Object.hasOwn(v, key);
}

/** The value as a non-empty string, or undefined. */
export function plainString(value: PlainValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function plainObject(value: PlainValue | undefined): Record<string, PlainValue> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** String-valued entries of an object (labels, tags); other values are skipped. */
export function plainStringMap(value: PlainValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const obj = plainObject(value);
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') out[k] = v;
  return out;
}
