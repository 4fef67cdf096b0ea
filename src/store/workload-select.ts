/**
 * Which stored workloads a query's workload filters allow (selectors with Gloo semantics, clusters,
 * namespaces, names, labels, a name regex), decided in JS against the small workloads table, so that
 * every engine reads only the entries of those workloads.
 */
import { matchesWorkload } from '../model/workload-match.js';
import type { LogQuery, StoredWorkload } from './types.js';

/** True when the query filters on workloads at all. */
export function filtersWorkloads(q: Omit<LogQuery, 'limit'>): boolean {
  return (
    (q.selectors?.length ?? 0) > 0 ||
    q.clusters !== undefined ||
    q.namespaces !== undefined ||
    q.workloads !== undefined ||
    q.labels !== undefined ||
    q.workloadRegex !== undefined
  );
}

/** The workloads the query's workload filters allow, or undefined when it has none. */
export function selectWorkloads<W extends Pick<StoredWorkload, 'ref' | 'labels'>>(q: Omit<LogQuery, 'limit'>, all: readonly W[]): W[] | undefined {
  if (!filtersWorkloads(q)) return undefined;
  const nameRegex = q.workloadRegex !== undefined ? new RegExp(q.workloadRegex) : undefined;
  return all.filter(
    (w) =>
      matchesWorkload(q.selectors, w.ref, w.labels) &&
      (!q.clusters || q.clusters.includes(w.ref.clusterName)) &&
      (!q.namespaces || q.namespaces.includes(w.ref.namespace)) &&
      (!q.workloads || q.workloads.includes(w.ref.name)) &&
      Object.entries(q.labels ?? {}).every(([k, v]) => w.labels[k] === v) &&
      (!nameRegex || nameRegex.test(w.ref.name)),
  );
}
