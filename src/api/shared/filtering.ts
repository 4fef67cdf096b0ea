/**
 * The seed's `filtering.headers`: a condition per header (HTTP/2 pseudo-headers such as `:status`
 * included), all of which must hold for a request to be logged. Header names are case-insensitive,
 * so the normalised form keys them in lower case and two spellings of one name are an error.
 */
import { type Static, Type } from '@sinclair/typebox';
import { field, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import { checkRegex } from '../../util/re2.js';
import { closest } from './check-spec.js';
import type { Filtering, HeaderCondition, HeaderFilterOp } from './model.js';

export const headerFilterOps = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'prefix', 'regex', 'present', 'absent'] as const satisfies readonly HeaderFilterOp[];

export const HeaderConditionSchema = Type.Object(
  {
    op: Type.Union(
      headerFilterOps.map((op) => Type.Literal(op)),
      { description: 'How the header value is compared; lt/le/gt/ge compare numbers.' },
    ),
    value: Type.Optional(Type.String({ description: 'What to compare with; not set for present/absent.' })),
  },
  { additionalProperties: false },
);

export const FilteringSchema = Type.Object(
  {
    headers: Type.Optional(
      Type.Record(Type.String(), HeaderConditionSchema, { description: 'Header name (":status" for the response code) to condition; all must hold.' }),
    ),
  },
  { additionalProperties: false, description: 'Log only the requests that match.' },
);

export type FilteringSpec = Static<typeof FilteringSchema>;

/** An RFC 9110 token, or an HTTP/2 pseudo-header. */
const headerName = /^:?[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const numeric: ReadonlySet<string> = new Set(['lt', 'le', 'gt', 'ge']);
const valueless: ReadonlySet<string> = new Set(['present', 'absent']);

export function validateFiltering(filtering: unknown, path: string): Violation[] {
  if (!isObject(filtering) || !isObject(filtering['headers'])) return [];
  const out: Violation[] = [];
  const headersPath = field(path, 'headers');
  const seen = new Map<string, string>();
  for (const [name, condition] of Object.entries(filtering['headers'])) {
    const at = field(headersPath, name);
    if (!headerName.test(name)) out.push({ field: at, message: `"${name}" is not a valid header name` });
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) out.push({ field: at, message: `header names are case-insensitive: "${name}" is the same header as "${first}"` });
    else seen.set(lower, name);
    if (isObject(condition)) out.push(...validateCondition(condition, at));
  }
  return out;
}

function validateCondition(condition: Record<string, unknown>, path: string): Violation[] {
  const { op, value } = condition;
  if (typeof op !== 'string') return [];
  const valuePath = field(path, 'value');
  if (valueless.has(op)) return value === undefined ? [] : [{ field: valuePath, message: `must not be set when op is ${op}` }];
  if (value === undefined) {
    // A misspelt `value` (the seed's `value"`) is already reported as such; "must be set" would say it twice.
    const misspelt = Object.keys(condition).some((k) => k !== 'op' && closest(k, ['value']) !== undefined);
    return (headerFilterOps as readonly string[]).includes(op) && !misspelt ? [{ field: valuePath, message: `must be set when op is ${op}` }] : [];
  }
  // YAML reads an unquoted `value: 500` as a number; the condition compares header text.
  if (typeof value === 'number' || typeof value === 'boolean') return [{ field: valuePath, message: `must be a string: quote it ("${String(value)}")` }];
  if (typeof value !== 'string') return [];
  if (numeric.has(op) && (value.trim() === '' || !Number.isFinite(Number(value)))) {
    return [{ field: valuePath, message: `must be a number when op is ${op}, not "${value}"` }];
  }
  return op === 'regex' ? checkRegex(value, valuePath) : [];
}

export function normalizeFiltering(filtering: FilteringSpec | undefined): Filtering | undefined {
  if (!filtering) return undefined;
  if (!filtering.headers) return {};
  const headers: Record<string, HeaderCondition> = {};
  for (const [name, { op, value }] of Object.entries(filtering.headers)) {
    headers[name.toLowerCase()] = value === undefined ? { op } : { op, value };
  }
  return { headers };
}
