/**
 * A backend's `format`, in the MADR's shape (`{plain}` / `{json: [{key, value}]}`) and Kuma 2.x's
 * (`{type: Plain|Json, plain|json}`), both with `omitEmptyValues`. The command operators are
 * checked by compiling the format with the formatter the log plane uses, so a format that would
 * fail on live traffic is refused when the resource is validated.
 */
import { type Static, Type } from '@sinclair/typebox';
import { field, index, type Violation } from '../model/violations.js';
import { isObject } from '../util/is-object.js';
import { compileFormat } from './compile-format.js';
import type { FormatSpec } from './types.js';

export const FormatSchema = Type.Object(
  {
    type: Type.Optional(
      Type.Union([Type.Literal('Plain'), Type.Literal('Json')], {
        description: "Kuma 2.x: which of 'plain' and 'json' is set. Optional: the one that is set says it.",
      }),
    ),
    plain: Type.Optional(Type.String({ description: 'A line of text with Envoy command operators (%START_TIME%) and Kuma placeholders (%KUMA_MESH%).' })),
    json: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Type.String({ description: 'JSON key.' }), value: Type.String({ description: 'Format string; a lone operator keeps its JSON type.' }) },
          { additionalProperties: false },
        ),
        { description: 'Keys of a JSON object, in order.' },
      ),
    ),
    omitEmptyValues: Type.Optional(Type.Boolean({ description: 'Leave out operators with no value instead of writing "-".' })),
  },
  { additionalProperties: false, description: "Exactly one of 'plain' and 'json'. A bare string is not accepted." },
);

export type FormatSchemaSpec = Static<typeof FormatSchema>;

export function validateFormat(format: unknown, path: string): Violation[] {
  if (format === undefined) return [];
  if (typeof format === 'string') {
    return [
      { field: path, message: `a bare string format is no longer accepted (the MADR replaced it); write it as format: {plain: ${JSON.stringify(format)}}` },
    ];
  }
  if (!isObject(format)) return [];
  const out: Violation[] = [];
  const { type, plain, json } = format;
  if (type === 'Plain' && plain === undefined) out.push({ field: field(path, 'plain'), message: 'must be defined' });
  if (type === 'Json' && json === undefined) out.push({ field: field(path, 'json'), message: 'must be defined' });
  if (type === 'Plain' && json !== undefined) out.push({ field: field(path, 'json'), message: 'must not be set when type is Plain' });
  if (type === 'Json' && plain !== undefined) out.push({ field: field(path, 'plain'), message: 'must not be set when type is Json' });
  if (type === undefined && plain === undefined && json === undefined) out.push({ field: path, message: "must have one of 'plain' and 'json'" });
  if (type === undefined && plain !== undefined && json !== undefined) out.push({ field: path, message: "must have only one of 'plain' and 'json'" });
  if (plain === '') out.push({ field: field(path, 'plain'), message: 'must not be empty' });
  // Which of plain and json applies is unclear, or a field is of the wrong type: the formatter is not asked.
  const shapeKnown = out.length === 0 && wellTyped(format);
  if (Array.isArray(json)) out.push(...validateJsonFields(json, field(path, 'json')));
  if (!shapeKnown) return out;
  const spec = normalizeFormat(format as FormatSchemaSpec);
  if (!spec) return out;
  // Each field's operators are checked too, so that one pass over the file finds everything.
  const compiled = compileFormat(spec, { path });
  return compiled.ok ? out : [...out, ...compiled.violations];
}

/** Wrong types are the schema's to report; the formatter is only given a format it can read. */
function wellTyped(format: Record<string, unknown>): boolean {
  const { plain, json } = format;
  if (plain !== undefined && typeof plain !== 'string') return false;
  if (json === undefined) return true;
  return Array.isArray(json) && json.every((item) => isObject(item) && typeof item['key'] === 'string' && typeof item['value'] === 'string');
}

function validateJsonFields(json: unknown[], path: string): Violation[] {
  const out: Violation[] = [];
  if (json.length === 0) out.push({ field: path, message: 'must not be empty' });
  const seen = new Set<string>();
  json.forEach((item, i) => {
    if (!isObject(item)) return;
    const at = index(path, i);
    // Kuma's messages, also for a key or value left out (the schema would only say "must be set").
    if (item['key'] === '' || item['key'] === undefined) out.push({ field: field(at, 'key'), message: 'key cannot be empty' });
    if (item['value'] === '' || item['value'] === undefined) out.push({ field: field(at, 'value'), message: 'value cannot be empty' });
    if (typeof item['key'] === 'string' && typeof item['value'] === 'string' && !kumaJsonObject(item['key'], item['value'])) {
      out.push({ field: at, message: 'is not a valid JSON object' });
    }
    // The log plane writes an object: a repeated key would silently keep only its last value.
    if (typeof item['key'] === 'string' && item['key'] !== '') {
      if (seen.has(item['key'])) out.push({ field: field(at, 'key'), message: `duplicate key "${item['key']}"` });
      seen.add(item['key']);
    }
  });
  return out;
}

/**
 * Kuma's check of a JSON format field: the key and value pasted, unescaped, into `{"KEY": "VALUE"}`
 * must parse. So a raw `"` or `\`, or a control character, is refused as Kuma refuses it, though
 * meshlog would escape them when writing.
 */
function kumaJsonObject(key: string, value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(`{"${key}": "${value}"}`);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

/** The formatter's spec; undefined when no format is given (the backend's default applies). */
export function normalizeFormat(format: FormatSchemaSpec | undefined): FormatSpec | undefined {
  if (!format) return undefined;
  const omit = format.omitEmptyValues === undefined ? {} : { omitEmptyValues: format.omitEmptyValues };
  if (format.type === 'Json' || (format.type === undefined && format.json !== undefined)) {
    return { json: (format.json ?? []).map(({ key, value }) => ({ key, value })), ...omit };
  }
  if (format.plain !== undefined) return { plain: format.plain, ...omit };
  return undefined;
}
