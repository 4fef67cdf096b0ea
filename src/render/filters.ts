/**
 * Conditions written out as Envoy `envoy.config.accesslog.v3.AccessLogFilter` (proto3 JSON with
 * snake_case names, as Envoy's docs write them). CEL parts of one `and`/`or` are joined into a
 * single expression, as Kuma does, so that Envoy compiles one program instead of several.
 */
import type { Condition, HeaderMatch } from './conditions.js';

export type Json = Record<string, unknown>;

export const celFilterName = 'envoy.access_loggers.extension_filters.cel';
export const celFilterType = 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter';
/** `RuntimeUInt32.runtime_key` is required; this key lets an operator override the code at run time. */
export const statusRuntimeKey = 'meshlog.status_code';
export const int64Max = '9223372036854775807';
export const int64Min = '-9223372036854775808';

/** The filter for a condition, or undefined when it always holds (no filter). `false` is the caller's to drop. */
export function toAccessLogFilter(condition: Condition): Json | undefined {
  switch (condition.kind) {
    case 'true':
      return undefined;
    case 'false':
      throw new Error('A condition that never holds has no AccessLogFilter: the logger should have been dropped.');
    case 'status':
      return {
        status_code_filter: {
          comparison: { op: condition.op, value: { default_value: condition.value, runtime_key: statusRuntimeKey } },
        },
      };
    case 'header':
      return { header_filter: { header: headerMatcher(condition.name, condition.match, condition.invert) } };
    case 'cel':
      return celFilter(condition.expression);
    case 'and':
    case 'or': {
      const filters = joinCel(condition.items, condition.kind === 'and' ? '&&' : '||').map((c) => toAccessLogFilter(c)!);
      if (filters.length === 1) return filters[0];
      return { [`${condition.kind}_filter`]: { filters } };
    }
  }
}

export function celFilter(expression: string): Json {
  return { extension_filter: { name: celFilterName, typed_config: { '@type': celFilterType, expression } } };
}

/** `envoy.config.route.v3.HeaderMatcher`, without the deprecated `*_match` string fields. */
export function headerMatcher(name: string, match: HeaderMatch, invert: boolean): Json {
  const matcher: Json = { name };
  if ('present' in match) matcher['present_match'] = true;
  else if ('range' in match) matcher['range_match'] = { start: match.range.start, end: match.range.end };
  else if ('exact' in match) matcher['string_match'] = { exact: match.exact };
  else if ('prefix' in match) matcher['string_match'] = { prefix: match.prefix };
  else matcher['string_match'] = { safe_regex: { regex: match.regex } };
  if (invert) matcher['invert_match'] = true;
  return matcher;
}

/** Joins the CEL items of an and/or into one expression, keeping the other items in place. */
function joinCel(items: readonly Condition[], operator: '&&' | '||'): Condition[] {
  const cels = items.filter((c): c is Extract<Condition, { kind: 'cel' }> => c.kind === 'cel');
  if (cels.length < 2) return [...items];
  const expression = cels.map((c) => parenthesize(c.expression)).join(` ${operator} `);
  // Only ever joined after negation (which consumes `requires`) or for output: `requires` no longer matters.
  const joined: Condition = { kind: 'cel', expression, exact: cels.every((c) => c.exact) };
  const rest = items.filter((c) => c.kind !== 'cel');
  return [joined, ...rest];
}

export function parenthesize(expression: string): string {
  return /&&|\|\|/.test(expression) ? `(${expression})` : expression;
}

/** The same condition as one CEL expression over Envoy's attributes (for Istio's Telemetry filters). */
export function toCel(condition: Condition): string {
  switch (condition.kind) {
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'status':
      return `response.code ${{ EQ: '==', GE: '>=', LE: '<=' }[condition.op]} ${condition.value}`;
    case 'header': {
      const subject = headerSubject(condition.name);
      const test = celHeaderTest(subject, condition.name, condition.match);
      return condition.invert ? `!(${test})` : test;
    }
    case 'cel':
      return condition.expression;
    case 'and':
    case 'or':
      return condition.items.map((c) => parenthesize(toCel(c))).join(condition.kind === 'and' ? ' && ' : ' || ');
  }
}

function headerSubject(name: string): string {
  if (name === ':path') return 'request.path';
  if (name === ':method') return 'request.method';
  return `request.headers[${JSON.stringify(name)}]`;
}

function celHeaderTest(subject: string, name: string, match: HeaderMatch): string {
  const has = name === ':path' ? 'has(request.path)' : name === ':method' ? 'has(request.method)' : `${JSON.stringify(name)} in request.headers`;
  if ('present' in match) return has;
  if ('range' in match) {
    // The int64 extremes stand for "no bound"; -2^63 is not even a CEL int literal.
    const bounds = [
      match.range.start === int64Min ? '' : ` && int(${subject}) >= ${match.range.start}`,
      match.range.end === int64Max ? '' : ` && int(${subject}) < ${match.range.end}`,
    ];
    return `${has}${bounds.join('')}`;
  }
  if ('exact' in match) return `${has} && ${subject} == ${JSON.stringify(match.exact)}`;
  if ('prefix' in match) return `${has} && ${subject}.startsWith(${JSON.stringify(match.prefix)})`;
  // Envoy's safe_regex must match the whole value; CEL's matches() finds a match anywhere.
  return `${has} && ${subject}.matches(${JSON.stringify(`^(?:${match.regex})$`)})`;
}
