/**
 * A policy entry as the engine ranks and merges it (an `Item`), the order of importance, and how
 * the items that apply to one rule become that rule: their confs merged in order, backends
 * resolved, the contributing entries listed for `inspect`.
 *
 * Order of importance (later wins when confs merge): the policy's top-level target (kind, then
 * `sectionName`, then number of tags), then the policy name descending (so the lexicographically
 * smallest name wins), then the entry's own target likewise, then its peer matches (Kuma's rule
 * order), then the entry's position.
 */
import type { MeshAccessLogPolicy } from '../api/mesh-access-log/model.js';
import type { Conf, PeerMatch, TargetRef } from '../api/shared/model.js';
import { resolveBackends } from './backends.js';
import { mergeConfs } from './merge.js';
import { compareSpecificity } from './target-ref.js';
import type { MatchedPolicy, PolicySet, ResolvedRule } from './types.js';

export interface Item {
  readonly policy: MeshAccessLogPolicy;
  readonly section: 'from' | 'to' | 'rules';
  readonly index: number;
  readonly entryRef: TargetRef;
  readonly matches?: readonly PeerMatch[];
  readonly conf: Conf;
}

/** Problems found while resolving, deduplicated. */
export interface Collected {
  readonly errors: Set<string>;
}

/** Least important first. */
export function byImportance(a: Item, b: Item): number {
  return (
    compareSpecificity(a.policy.targetRef, b.policy.targetRef) ||
    (a.policy.name < b.policy.name ? 1 : a.policy.name > b.policy.name ? -1 : 0) ||
    compareSpecificity(a.entryRef, b.entryRef) ||
    matchWeight(a.matches) - matchWeight(b.matches) ||
    a.index - b.index
  );
}

/**
 * Kuma's order of inbound rules: SPIFFE ID `Exact` before `Prefix`, SNI, then none. So a policy's
 * catch-all rule, later in its list, does not override its rule for one caller.
 */
export function matchWeight(matches: readonly PeerMatch[] | undefined): number {
  const m = matches?.[0];
  if (!m) return 0;
  return m.spiffeID?.type === 'Exact' ? 3 : m.spiffeID ? 2 : 1;
}

function policyPath(item: Item): string {
  return `MeshAccessLog ${item.policy.mesh}/${item.policy.name} spec.${item.section}[${item.index}].default.backends`;
}

/** The rule `items` (least important first) make: their confs merged, the winning backends resolved. */
export function ruleFrom(items: readonly Item[], mesh: string, set: PolicySet, out: Collected): Omit<ResolvedRule, 'from' | 'matches' | 'route'> {
  const conf = mergeConfs(items.map((i) => i.conf));
  const owner = [...items].reverse().find((i) => i.conf.backends !== undefined);
  const { backends, errors } = owner ? resolveBackends(conf.backends ?? [], mesh, set, policyPath(owner)) : { backends: [], errors: [] };
  for (const e of errors) out.errors.add(e);
  const policies: MatchedPolicy[] = items.map((i) => ({
    policy: i.policy.name,
    mesh: i.policy.mesh,
    section: i.section,
    index: i.index,
    targetRef: i.policy.targetRef,
    entryTargetRef: i.entryRef,
  }));
  return { backends, ...(conf.filtering ? { filtering: conf.filtering } : {}), policies };
}

export function isRouteKind(ref: TargetRef): boolean {
  return ref.kind === 'MeshHTTPRoute' || ref.kind === 'MeshGatewayRoute';
}
