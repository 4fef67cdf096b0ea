/**
 * Structural checks for the Kuma kinds: the schema's violations, with a "did you mean" for an
 * unknown field that is one slip away from a known one (the seed's own filtering example has
 * `value"` for `value`), and with the kind's own, clearer message replacing the schema's wherever
 * both speak about the same field.
 */
import type { TSchema } from '@sinclair/typebox';
import { parsePath, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import { checkSchema } from '../schema-check.js';

/** Schema violations of `spec`, then the rules `rules` adds; a rule's violation wins over the schema's for its field. */
export function checkSpec(schema: TSchema, spec: unknown, path: string, rules: readonly Violation[]): Violation[] {
  const ruled = new Set(rules.map((v) => v.field));
  const structural = checkSchema(schema, spec ?? {}, path)
    .filter((v) => !ruled.has(v.field))
    .map((v) => (v.message === 'unknown field' ? withSuggestion(schema, v, path) : v));
  return [...structural, ...rules];
}

function withSuggestion(schema: TSchema, v: Violation, basePath: string): Violation {
  const keys = parsePath(v.field).slice(parsePath(basePath).length);
  const unknown = keys.pop();
  if (typeof unknown !== 'string') return v;
  const parent = schemaAt(schema, keys);
  const known = parent && isObject(parent['properties']) ? Object.keys(parent['properties']) : [];
  const guess = closest(unknown, known);
  return guess === undefined ? v : { field: v.field, message: `unknown field ${JSON.stringify(unknown)}; did you mean ${JSON.stringify(guess)}?` };
}

/** The object schema at a path, through properties, list items and maps (not through unions). */
function schemaAt(schema: TSchema, keys: ReadonlyArray<string | number>): TSchema | undefined {
  let at: TSchema | undefined = schema;
  for (const key of keys) {
    if (at === undefined) return undefined;
    if (typeof key === 'number') at = at['items'] as TSchema | undefined;
    else if (isObject(at['properties']) && key in at['properties']) at = (at['properties'] as Record<string, TSchema>)[key];
    else if (isObject(at['patternProperties'])) at = Object.values(at['patternProperties'] as Record<string, TSchema>)[0];
    else return undefined;
  }
  return at;
}

/** A known key the unknown one is a typo of: same letters ignoring case and punctuation, or at most two edits apart. */
export function closest(unknown: string, known: readonly string[]): string | undefined {
  const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = bare(k) === bare(unknown) ? 0 : editDistance(unknown, k);
    if (d < bestDistance && d <= Math.min(2, Math.floor(k.length / 2))) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: a swap of two neighbours (`tpc` for `tcp`) is one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
