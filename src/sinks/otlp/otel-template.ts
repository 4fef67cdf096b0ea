/**
 * Compiles an `openTelemetry` backend's `body` and `attributes` once, when the policy is applied,
 * into a function that renders them for an entry: the collector-side twin of what Kuma configures
 * Envoy's OpenTelemetry access logger with.
 *
 * The body is read the way Kuma reads it: a string is a format (a `stringValue`); a JSON value in
 * OTLP `AnyValue` form (`{kvlistValue: {values: [...]}}`, also with proto field names such as
 * `string_value`) has its `stringValue` leaves and kvlist keys formatted and every other leaf kept;
 * any other JSON value becomes the `stringValue` of its JSON text, formatted. No body means Kuma's
 * default format for the entry's kind, without a trailing newline.
 */

import { compileFormat } from '../../format/compile-format.js';
import { defaultFormatFor } from '../../format/default-formats.js';
import type { FormatContext } from '../../format/types.js';
import type { DecodedEntry } from '../../model/entry.js';
import type { Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import type { AnyValue, KeyValue } from './otel-types.js';

export interface OtelTemplate {
  readonly ok: true;
  render(entry: DecodedEntry, context: FormatContext): { body: AnyValue; attributes: KeyValue[] };
  /** Operators ALS does not carry the data for: they always render `-`. */
  readonly unsupported: readonly string[];
}

export interface OtelTemplateViolations {
  readonly ok: false;
  readonly violations: readonly Violation[];
}

type Text = (entry: DecodedEntry, context: FormatContext) => string;
type Value = (entry: DecodedEntry, context: FormatContext) => AnyValue;

interface Compiler {
  readonly violations: Violation[];
  readonly unsupported: Set<string>;
}

/** Proto field names that protojson accepts besides the JSON names. */
const oneofNames: Readonly<Record<string, string>> = {
  stringValue: 'stringValue',
  string_value: 'stringValue',
  boolValue: 'boolValue',
  bool_value: 'boolValue',
  intValue: 'intValue',
  int_value: 'intValue',
  doubleValue: 'doubleValue',
  double_value: 'doubleValue',
  bytesValue: 'bytesValue',
  bytes_value: 'bytesValue',
  arrayValue: 'arrayValue',
  array_value: 'arrayValue',
  kvlistValue: 'kvlistValue',
  kvlist_value: 'kvlistValue',
};

function valuesOf(v: unknown): unknown[] | null {
  if (!isObject(v)) return null;
  const keys = Object.keys(v);
  if (keys.length === 0) return [];
  if (keys.length !== 1 || keys[0] !== 'values' || !Array.isArray(v['values'])) return null;
  return v['values'] as unknown[];
}

/** Whether `v` parses as an OTLP `AnyValue` in JSON (what Kuma tries with protojson first). */
function isAnyValue(v: unknown): boolean {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const name = oneofNames[keys[0]!];
  const inner = v[keys[0]!];
  switch (name) {
    case 'stringValue':
    case 'bytesValue':
      return typeof inner === 'string';
    case 'boolValue':
      return typeof inner === 'boolean';
    case 'doubleValue':
      return typeof inner === 'number';
    case 'intValue':
      return (typeof inner === 'number' && Number.isInteger(inner)) || (typeof inner === 'string' && /^-?\d+$/.test(inner));
    case 'arrayValue':
      return valuesOf(inner)?.every(isAnyValue) ?? false;
    case 'kvlistValue':
      return (
        valuesOf(inner)?.every(
          (kv) =>
            isObject(kv) &&
            typeof kv['key'] === 'string' &&
            Object.keys(kv).every((k) => k === 'key' || k === 'value') &&
            (kv['value'] === undefined || isAnyValue(kv['value'])),
        ) ?? false
      );
    default:
      return false;
  }
}

function compileText(template: string, path: string, c: Compiler): Text {
  if (!template.includes('%')) return () => template;
  const compiled = compileFormat({ plain: template }, { path });
  if (!compiled.ok) {
    // compileFormat names the field `<path>.plain`; here the string itself is the field.
    const suffix = `${path}.plain`;
    for (const v of compiled.violations)
      c.violations.push({ field: v.field.startsWith(suffix) ? path + v.field.slice(suffix.length) : v.field, message: v.message });
    return () => '';
  }
  for (const name of compiled.unsupported) c.unsupported.add(name);
  return (entry, context) => compiled.format(entry, context) as string;
}

function constant(value: AnyValue): Value {
  return () => value;
}

/** `v` must satisfy `isAnyValue`. */
function compileAnyValue(v: Record<string, unknown>, path: string, c: Compiler): Value {
  const key = Object.keys(v)[0]!;
  const name = oneofNames[key]!;
  const inner = v[key];
  const at = `${path}.${key}`;
  switch (name) {
    case 'stringValue': {
      const text = compileText(inner as string, at, c);
      return (entry, context) => ({ stringValue: text(entry, context) });
    }
    case 'arrayValue': {
      const items = valuesOf(inner)!.map((item, i) => compileAnyValue(item as Record<string, unknown>, `${at}.values[${i}]`, c));
      return (entry, context) => ({ arrayValue: { values: items.map((item) => item(entry, context)) } });
    }
    case 'kvlistValue': {
      const pairs = valuesOf(inner)!.map((kv, i) => {
        const { key: k, value } = kv as { key: string; value?: Record<string, unknown> };
        const keyText = compileText(k, `${at}.values[${i}].key`, c);
        const valueFor = value === undefined ? constant({ stringValue: '' }) : compileAnyValue(value, `${at}.values[${i}].value`, c);
        return { keyText, valueFor };
      });
      return (entry, context) => ({
        kvlistValue: { values: pairs.map((p) => ({ key: p.keyText(entry, context), value: p.valueFor(entry, context) })) },
      });
    }
    default:
      return constant({ [name]: inner } as AnyValue);
  }
}

function compileBody(body: unknown, path: string, c: Compiler): Value {
  if (body === undefined || body === null) {
    const http = compileText((defaultFormatFor('http') as { plain: string }).plain, path, c);
    const tcp = compileText((defaultFormatFor('tcp') as { plain: string }).plain, path, c);
    return (entry, context) => ({ stringValue: (context.kind === 'http' ? http : tcp)(entry, context) });
  }
  if (typeof body === 'string') {
    const text = compileText(body, path, c);
    return (entry, context) => ({ stringValue: text(entry, context) });
  }
  if (isAnyValue(body)) return compileAnyValue(body as Record<string, unknown>, path, c);
  const text = compileText(JSON.stringify(body), path, c);
  return (entry, context) => ({ stringValue: text(entry, context) });
}

/**
 * `path` is the backend's field path (`spec.to[0].default.backends[0].openTelemetry`); violations
 * name `<path>.body...` and `<path>.attributes[i].key|value`.
 */
export function compileOtelTemplate(
  body: unknown,
  attributes: readonly { readonly key: string; readonly value: string }[] = [],
  options: { readonly path: string } = { path: 'openTelemetry' },
): OtelTemplate | OtelTemplateViolations {
  const c: Compiler = { violations: [], unsupported: new Set() };
  const bodyOf = compileBody(body, `${options.path}.body`, c);
  const attrs = attributes.map(({ key, value }, i) => {
    const at = `${options.path}.attributes[${i}]`;
    if (key === '') c.violations.push({ field: `${at}.key`, message: 'must not be empty' });
    return { keyText: compileText(key, `${at}.key`, c), valueText: compileText(value, `${at}.value`, c) };
  });
  if (c.violations.length > 0) return { ok: false, violations: c.violations };
  return {
    ok: true,
    unsupported: [...c.unsupported],
    render(entry, context) {
      const out: KeyValue[] = new Array(attrs.length);
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs[i]!;
        out[i] = { key: a.keyText(entry, context), value: { stringValue: a.valueText(entry, context) } };
      }
      return { body: bodyOf(entry, context), attributes: out };
    },
  };
}
