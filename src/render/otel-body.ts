/**
 * An OpenTelemetry backend's `body` as the OTLP `AnyValue` Envoy formats for each entry, as Kuma
 * builds it: no body → the default format as a string (no trailing newline); a string → that
 * string; an `AnyValue` in OTLP JSON (`{"kvlistValue": ...}`) → the same value with placeholders
 * substituted everywhere, keys included; any other JSON → its text as a string.
 */
import { defaultFormatFor } from '../format/default-formats.js';
import type { Json } from './filters.js';
import { interpolate, type PlaceholderValues } from './placeholders.js';

export function otelBody(body: unknown, protocol: 'http' | 'tcp', values: PlaceholderValues): Json {
  if (body === undefined || body === null) {
    const format = defaultFormatFor(protocol);
    return { string_value: interpolate('plain' in format ? format.plain : '', values) };
  }
  if (typeof body === 'string') return { string_value: interpolate(body, values) };
  return anyValue(body, values) ?? { string_value: interpolate(JSON.stringify(body), values) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Accepts proto3 JSON names (`stringValue`) and proto names (`string_value`); writes proto names. */
function anyValue(value: unknown, values: PlaceholderValues): Json | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const v = value[keys[0]!];
  switch (key) {
    case 'string_value':
      return typeof v === 'string' ? { string_value: interpolate(v, values) } : undefined;
    case 'bool_value':
      return typeof v === 'boolean' ? { bool_value: v } : undefined;
    case 'int_value':
      return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)) ? { int_value: String(v) } : undefined;
    case 'double_value':
      return typeof v === 'number' ? { double_value: v } : undefined;
    case 'bytes_value':
      return typeof v === 'string' ? { bytes_value: v } : undefined;
    case 'array_value': {
      const items = isObject(v) && Array.isArray(v['values']) ? v['values'].map((i) => anyValue(i, values)) : undefined;
      return items?.every((i) => i !== undefined) ? { array_value: { values: items } } : undefined;
    }
    case 'kvlist_value': {
      if (!isObject(v) || !Array.isArray(v['values'])) return undefined;
      const out: Json[] = [];
      for (const kv of v['values'] as unknown[]) {
        if (!isObject(kv) || typeof kv['key'] !== 'string') return undefined;
        const inner = anyValue(kv['value'], values);
        if (!inner) return undefined;
        out.push({ key: interpolate(kv['key'], values), value: inner });
      }
      return { kvlist_value: { values: out } };
    }
    default:
      return undefined;
  }
}
