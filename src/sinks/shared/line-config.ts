/**
 * The config shape of the sinks that write lines (file, tcp): one string saying where the lines
 * go, which the sink checks its own way, and an optional `format`, checked and normalised the same
 * way for both. Each sink's `config.ts` names its field and its check; the rest is here.
 */
import { type TObject, type TOptional, type TString, Type } from '@sinclair/typebox';
import { FormatSchema, type FormatSchemaSpec, normalizeFormat, validateFormat } from '../../format/index.js';
import type { FormatSpec } from '../../format/types.js';
import { field, type Violation } from '../../model/violations.js';

export type LineConfigSchema<K extends string> = TObject<{ [P in K]: TString } & { format: TOptional<typeof FormatSchema> }>;

/** `{<key>: string, format?}`, unknown fields refused. */
export function lineConfigSchema<K extends string>(key: K, description: string): LineConfigSchema<K> {
  const properties = { [key]: Type.String({ description }), format: Type.Optional(FormatSchema) };
  // The computed key loses its literal type; the properties are exactly the ones the type names.
  return Type.Object(properties, { additionalProperties: false }) as unknown as LineConfigSchema<K>;
}

/**
 * The destination's problem at `<path>.<key>` when `problem` has one for it (a missing destination
 * is `undefined`: Kuma words that as a bad one), then the format's.
 */
export function validateLineConfig(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  key: string,
  problem: (value: string | undefined) => string | undefined,
): Violation[] {
  const out: Violation[] = [];
  const value = raw[key];
  const message = typeof value === 'string' || value === undefined ? problem(value) : undefined;
  if (message !== undefined) out.push({ field: field(path, key), message });
  out.push(...validateFormat(raw['format'], field(path, 'format')));
  return out;
}

/** `config` with the normalised format, or without the field when none is written (the default applies). */
export function withLineFormat<C extends object>(config: C, format: FormatSchemaSpec | undefined): C & { readonly format?: FormatSpec } {
  const spec = normalizeFormat(format);
  return spec ? { ...config, format: spec } : config;
}
