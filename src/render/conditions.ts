/**
 * The boolean conditions a logger's filter is built from, before they become Envoy
 * `AccessLogFilter`s (or Istio CEL). Envoy's filter language has `and`/`or` and an `invert_match`
 * on header matchers, but no `not`: the rules "the first rule that matches applies" need the
 * negation of the earlier rules, so conditions are kept as a tree here, negated with De Morgan,
 * and simplified (constants folded) before they are written out.
 */

export type StatusOp = 'EQ' | 'GE' | 'LE';

export type HeaderMatch =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly regex: string }
  | { readonly present: true }
  /** Envoy's `range_match`: an integer value in `[start, end)` (int64 as decimal strings). */
  | { readonly range: { readonly start: string; readonly end: string } };

export type Condition =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'status'; readonly op: StatusOp; readonly value: number }
  | { readonly kind: 'header'; readonly name: string; readonly match: HeaderMatch; readonly invert: boolean }
  /**
   * A CEL expression on the connection. `exact: false` marks a superset of what the policy
   * asks for (a subset's tags cannot be seen by Envoy): its negation is then unknown, and is
   * taken as `true` so that later rules never lose entries (they may log some twice instead).
   */
  | {
      readonly kind: 'cel';
      readonly expression: string;
      readonly exact: boolean;
      /**
       * What must hold for `expression` to evaluate at all. Envoy's CEL filter drops an entry whose
       * expression fails (a plaintext connection has no peer certificate to read), which is right
       * for the expression but wrong for its negation: `!(a == b)` must hold when `a` is missing.
       */
      readonly requires?: string;
    }
  | { readonly kind: 'and'; readonly items: readonly Condition[] }
  | { readonly kind: 'or'; readonly items: readonly Condition[] };

export const always: Condition = { kind: 'true' };
export const never: Condition = { kind: 'false' };

export function status(op: StatusOp, value: number): Condition {
  return { kind: 'status', op, value };
}

export function header(name: string, match: HeaderMatch, invert = false): Condition {
  return { kind: 'header', name, match, invert };
}

export function cel(expression: string, exact = true, requires?: string): Condition {
  return { kind: 'cel', expression, exact, ...(requires ? { requires } : {}) };
}

export function and(...items: Condition[]): Condition {
  return simplify({ kind: 'and', items });
}

export function or(...items: Condition[]): Condition {
  return simplify({ kind: 'or', items });
}

/** Status codes are uint32 in Envoy: comparisons below 0 are constants. */
function negateStatus(op: StatusOp, value: number): Condition {
  switch (op) {
    case 'GE':
      return value <= 0 ? never : status('LE', value - 1);
    case 'LE':
      return status('GE', value + 1);
    case 'EQ':
      return value <= 0 ? status('GE', 1) : or(status('LE', value - 1), status('GE', value + 1));
  }
}

export function negate(condition: Condition): Condition {
  switch (condition.kind) {
    case 'true':
      return never;
    case 'false':
      return always;
    case 'status':
      return negateStatus(condition.op, condition.value);
    case 'header':
      return { ...condition, invert: !condition.invert };
    case 'cel':
      if (!condition.exact) return always;
      return cel(condition.requires ? `!${condition.requires} || !(${condition.expression})` : `!(${condition.expression})`);
    case 'and':
      return or(...condition.items.map(negate));
    case 'or':
      return and(...condition.items.map(negate));
  }
}

/** Flattens nested and/or, folds constants, and unwraps single-item lists. */
export function simplify(condition: Condition): Condition {
  if (condition.kind !== 'and' && condition.kind !== 'or') return condition;
  const isAnd = condition.kind === 'and';
  const absorbing = isAnd ? 'false' : 'true';
  const neutral = isAnd ? 'true' : 'false';
  const items: Condition[] = [];
  for (const raw of condition.items) {
    const item = simplify(raw);
    if (item.kind === absorbing) return item;
    if (item.kind === neutral) continue;
    if (item.kind === condition.kind) items.push(...item.items);
    else items.push(item);
  }
  if (items.length === 0) return isAnd ? always : never;
  if (items.length === 1) return items[0]!;
  return { kind: condition.kind, items };
}

/** Whether the condition contains a CEL part that over-approximates the policy. */
export function isInexact(condition: Condition): boolean {
  if (condition.kind === 'cel') return !condition.exact;
  if (condition.kind === 'and' || condition.kind === 'or') return condition.items.some(isInexact);
  return false;
}
