/**
 * The store's filtering evaluated in memory, for entries that are not in the store yet: a live
 * watcher with a `LogQuery` sees exactly what a later query would return. The store contract suite
 * checks that every engine and this twin agree.
 */
import { matchesWorkload } from '../model/workload-match.js';
import { compileRegex, type SafeRegex } from '../util/re2.js';
import type { EntryRow, LogQuery } from './types.js';

/** A query's regular expressions (RE2: linear time, whatever the pattern), compiled once for every row. */
export interface QueryRegexes {
  readonly path?: SafeRegex;
  readonly workload?: SafeRegex;
}

export function compileQueryRegexes(q: LogQuery): QueryRegexes {
  return {
    ...(q.pathRegex !== undefined ? { path: compileRegex(q.pathRegex, 'search') } : {}),
    ...(q.workloadRegex !== undefined ? { workload: compileRegex(q.workloadRegex, 'search') } : {}),
  };
}

export function rowMatches(q: LogQuery, row: EntryRow, regexes: QueryRegexes = compileQueryRegexes(q)): boolean {
  if (!matchesWorkload(q.selectors, row.workload, row.labels)) return false;
  if (q.clusters && !q.clusters.includes(row.workload.clusterName)) return false;
  if (q.namespaces && !q.namespaces.includes(row.workload.namespace)) return false;
  if (q.workloads && !q.workloads.includes(row.workload.name)) return false;
  if (q.labels) for (const key in q.labels) if (row.labels[key] !== q.labels[key]) return false;
  if (q.kind && row.kind !== q.kind) return false;
  if (q.since !== undefined && row.ts < q.since) return false;
  if (q.until !== undefined && row.ts >= q.until) return false;
  if (q.status && (row.status === null || !q.status.some((r) => row.status! >= r.min && row.status! <= r.max))) return false;
  if (q.methods && (row.method === null || !q.methods.includes(row.method))) return false;
  if (q.pathPrefix !== undefined && !(row.path ?? '').startsWith(q.pathPrefix)) return false;
  if (regexes.path && !regexes.path.test(row.path ?? '')) return false;
  if (regexes.workload && !regexes.workload.test(row.workload.name)) return false;
  if (q.responseFlags) {
    const flags = row.responseFlags === '' ? [] : row.responseFlags.split(',');
    const anyFlag = q.responseFlags.includes('') && flags.length > 0;
    if (!anyFlag && !q.responseFlags.some((f) => f !== '' && flags.includes(f))) return false;
  }
  if (q.minDurationUs !== undefined && (row.durationUs === null || row.durationUs < q.minDurationUs)) return false;
  if (q.direction && row.direction !== q.direction) return false;
  if (!among(q.fromWorkloads, row.source.workload) || !among(q.fromNamespaces, row.source.namespace)) return false;
  if (!among(q.toWorkloads, row.destination.workload) || !among(q.toNamespaces, row.destination.namespace)) return false;
  if (!among(q.requestIds, row.requestId) || !among(q.authorities, row.authority)) return false;
  if (q.toServices) {
    const service = row.destination.service;
    if (service === null || !q.toServices.some((s) => service === s || service.startsWith(`${s}.`))) return false;
  }
  return true;
}

/** An absent list allows anything; a given one, only its values. */
function among(values: readonly string[] | undefined, value: string | null): boolean {
  return values === undefined || (value !== null && values.includes(value));
}
