/**
 * Gloo's workload selector semantics, in one place: a list of matchers is OR-ed (an empty list
 * matches every workload); within one matcher, every label must be present with that value, and
 * the namespace and the cluster must be among those listed (an omitted or empty field matches any).
 */
import type { WorkloadRef } from './proxy-identity.js';

/** Gloo's `KubeWorkloadMatcher`: fields AND-ed, omitted fields match anything. */
export interface WorkloadMatcher {
  readonly labels?: Readonly<Record<string, string>>;
  readonly namespaces?: readonly string[];
  readonly clusters?: readonly string[];
}

export function matchesWorkload(matchers: readonly WorkloadMatcher[] | undefined, workload: WorkloadRef, labels: Readonly<Record<string, string>>): boolean {
  if (!matchers || matchers.length === 0) return true;
  return matchers.some((m) => matcherMatches(m, workload, labels));
}

export function matcherMatches(m: WorkloadMatcher, workload: WorkloadRef, labels: Readonly<Record<string, string>>): boolean {
  if (m.namespaces?.length && !m.namespaces.includes(workload.namespace)) return false;
  if (m.clusters?.length && !m.clusters.includes(workload.clusterName)) return false;
  for (const key in m.labels) if (labels[key] !== m.labels[key]) return false;
  return true;
}
