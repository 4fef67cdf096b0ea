/**
 * Formats as Envoy's `SubstitutionFormatString` (file loggers), and the headers and filter state a
 * format reads, which the gRPC loggers to the agent must ask Envoy to send: ALS carries only a few
 * request headers in their own fields, any other only when the logger names it.
 */
import { defaultFormatFor } from '../format/default-formats.js';
import { parseFormat } from '../format/parse-format.js';
import type { FormatSpec } from '../format/types.js';
import type { Json } from './filters.js';
import { interpolate, type PlaceholderValues } from './placeholders.js';

/** `envoy.config.core.v3.SubstitutionFormatString` for a file logger, placeholders substituted. */
export function substitutionFormat(spec: FormatSpec | undefined, protocol: 'http' | 'tcp', values: PlaceholderValues, warn: (m: string) => void): Json {
  const format = spec ?? defaultFormatFor(protocol);
  const out: Json = {};
  if ('plain' in format) {
    // Envoy does not end a custom format's line itself.
    out['text_format_source'] = { inline_string: interpolate(`${format.plain}\n`, values) };
  } else {
    const struct: Record<string, string> = {};
    for (const { key, value } of format.json) {
      // A Struct is a map: the last of two equal keys wins, as in Kuma.
      if (key in struct) warn(`json format key ${JSON.stringify(key)} appears twice: the last value wins`);
      struct[key] = interpolate(value, values);
    }
    out['json_format'] = struct;
  }
  if (format.omitEmptyValues) out['omit_empty_values'] = true;
  return out;
}

/** The format strings of a format spec (the default when there is none). */
export function formatStrings(spec: FormatSpec | undefined, protocol: 'http' | 'tcp'): string[] {
  const format = spec ?? defaultFormatFor(protocol);
  return 'plain' in format ? [format.plain] : format.json.map((e) => e.value);
}

/** Request headers ALS reports in `HTTPRequestProperties` fields whatever the config says. */
const alsRequestFields = new Set([
  ':method',
  ':path',
  ':authority',
  'host',
  ':scheme',
  'user-agent',
  'x-request-id',
  'x-forwarded-for',
  'referer',
  'x-envoy-original-path',
]);

export interface LoggedData {
  readonly requestHeaders: Set<string>;
  readonly responseHeaders: Set<string>;
  readonly responseTrailers: Set<string>;
  readonly filterStateObjects: Set<string>;
}

export function emptyLoggedData(): LoggedData {
  return { requestHeaders: new Set(), responseHeaders: new Set(), responseTrailers: new Set(), filterStateObjects: new Set() };
}

/** Adds what the format strings read (`REQ(X?Y)`, `RESP`, `TRAILER`, `FILTER_STATE(KEY:F)`). */
export function collectLoggedData(formats: readonly string[], into: LoggedData): void {
  for (const format of formats) {
    for (const part of parseFormat(format).parts) {
      if (part.type !== 'operator' || part.arg === undefined) continue;
      const names = part.arg
        .split('?')
        .map((n) => n.toLowerCase())
        .filter((n) => n !== '');
      if (part.name === 'REQ' || part.name === 'REQ_WITHOUT_QUERY') {
        for (const n of names) if (!alsRequestFields.has(n)) into.requestHeaders.add(n);
      } else if (part.name === 'RESP') {
        for (const n of names) if (n !== ':status') into.responseHeaders.add(n);
      } else if (part.name === 'TRAILER') {
        for (const n of names) into.responseTrailers.add(n);
      } else if (part.name === 'FILTER_STATE') {
        const key = part.arg.split(':')[0];
        if (key) into.filterStateObjects.add(key);
      }
    }
  }
}
