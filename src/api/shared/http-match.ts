/**
 * An HTTP route match, as routes write it: the seed's and Kuma 1.x gateway routes'
 * (`path: {match: PREFIX|EXACT|REGEX, value}`, header `match: EXACT|...`) and Kuma 2.x
 * `MeshHTTPRoute`'s (`path: {type: Exact|PathPrefix|RegularExpression, value}`, header `type`).
 * Normalised to the Kuma 2.x names, which the policy engine uses.
 */
import { type Static, Type } from '@sinclair/typebox';
import { field, index, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import { checkRegex } from '../../util/re2.js';
import type { HttpRouteMatch } from './model.js';

const strict = { additionalProperties: false } as const;
const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

const pathTypes = { PREFIX: 'PathPrefix', EXACT: 'Exact', REGEX: 'RegularExpression' } as const;
const headerTypes = { EXACT: 'Exact', PREFIX: 'Prefix', REGEX: 'RegularExpression', PRESENT: 'Present', ABSENT: 'Absent' } as const;
type HeaderType = (typeof headerTypes)[keyof typeof headerTypes];

export const httpMethods = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'] as const;

export const HttpMatchSchema = Type.Object(
  {
    path: Type.Optional(
      Type.Object(
        {
          type: Type.Optional(literals(Object.values(pathTypes), 'Kuma 2.x.')),
          match: Type.Optional(literals(Object.keys(pathTypes) as (keyof typeof pathTypes)[], 'The seed and Kuma 1.x gateway routes.')),
          value: Type.String(),
        },
        { ...strict, description: "One of 'type' and 'match'." },
      ),
    ),
    method: Type.Optional(literals(httpMethods, 'Request method.')),
    headers: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.Optional(literals(Object.values(headerTypes), 'Kuma 2.x; default Exact.')),
            match: Type.Optional(literals(Object.keys(headerTypes) as (keyof typeof headerTypes)[], 'Kuma 1.x gateway routes.')),
            name: Type.String(),
            value: Type.Optional(Type.String({ description: 'Not set for Present / Absent.' })),
          },
          strict,
        ),
      ),
    ),
    queryParams: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Accepted, not used for logging.' })),
  },
  strict,
);

export type HttpMatchSpec = Static<typeof HttpMatchSchema>;

export function validateHttpMatch(match: unknown, path: string): Violation[] {
  if (!isObject(match)) return [];
  const out: Violation[] = [];
  const p = match['path'];
  if (isObject(p)) {
    const at = field(path, 'path');
    if (p['type'] !== undefined && p['match'] !== undefined) out.push({ field: field(at, 'match'), message: "must not be set together with 'type'" });
    if (p['type'] === undefined && p['match'] === undefined) out.push({ field: at, message: "must have 'type' (or the seed's 'match')" });
    const type = typeof p['type'] === 'string' ? p['type'] : pathTypes[p['match'] as keyof typeof pathTypes];
    if (typeof p['value'] === 'string') out.push(...valueRules(type, p['value'], field(at, 'value'), true));
  }
  const headers = match['headers'];
  if (Array.isArray(headers)) {
    headers.forEach((h, i) => {
      if (!isObject(h)) return;
      const at = index(field(path, 'headers'), i);
      if (h['type'] !== undefined && h['match'] !== undefined) out.push({ field: field(at, 'match'), message: "must not be set together with 'type'" });
      if (h['name'] === '') out.push({ field: field(at, 'name'), message: 'must not be empty' });
      const type = headerType(h);
      const valueless = type === 'Present' || type === 'Absent';
      if (valueless && h['value'] !== undefined) out.push({ field: field(at, 'value'), message: `must not be set when type is ${type}` });
      if (!valueless && h['value'] === undefined) out.push({ field: field(at, 'value'), message: `must be set when type is ${type}` });
      if (typeof h['value'] === 'string') out.push(...valueRules(type, h['value'], field(at, 'value'), false));
    });
  }
  return out;
}

function headerType(h: Record<string, unknown>): HeaderType {
  if (typeof h['type'] === 'string') return h['type'] as HeaderType;
  return headerTypes[h['match'] as keyof typeof headerTypes] ?? 'Exact';
}

function valueRules(type: string | undefined, value: string, path: string, isPath: boolean): Violation[] {
  if (type === 'RegularExpression') return checkRegex(value, path);
  if (isPath && !value.startsWith('/')) return [{ field: path, message: "must start with '/'" }];
  return [];
}

export function normalizeHttpMatch(m: HttpMatchSpec): HttpRouteMatch {
  const path = m.path ? { type: m.path.type ?? pathTypes[m.path.match ?? 'PREFIX'], value: m.path.value } : undefined;
  const headers = m.headers?.map((h) => ({ type: headerType(h), name: h.name, ...(h.value !== undefined ? { value: h.value } : {}) }));
  return { ...(path ? { path } : {}), ...(m.method ? { method: m.method } : {}), ...(headers ? { headers } : {}) };
}

/** Every match of a route's rules; a rule without matches takes every request, and so then does the route. */
export function routeMatches(rules: readonly { readonly matches?: readonly HttpMatchSpec[] }[]): HttpRouteMatch[] {
  if (rules.some((rule) => !rule.matches || rule.matches.length === 0)) return [];
  return rules.flatMap((rule) => (rule.matches ?? []).map(normalizeHttpMatch));
}

/** Every match of every rule in `list` (`rules[i].matches[j]`). */
export function validateRouteRules(list: unknown, path: string): Violation[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((rule, i) => {
    const matches = isObject(rule) ? rule['matches'] : undefined;
    if (!Array.isArray(matches)) return [];
    return matches.flatMap((m, j) => validateHttpMatch(m, index(field(index(path, i), 'matches'), j)));
  });
}
