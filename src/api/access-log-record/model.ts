/**
 * An `AccessLogRecord` as the log plane and the renderer read it (Gloo's field names), and which
 * workloads it selects.
 */
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { matchesWorkload } from '../../model/workload-match.js';

/** The parts of an `AccessLogRecord` the log plane acts on (Gloo's field names). */
export interface AccessLogRecordLike {
  readonly name: string;
  readonly namespace: string;
  readonly spec: {
    readonly workloadSelectors?: ReadonlyArray<{
      readonly kubeWorkloadMatcher?: {
        readonly labels?: Readonly<Record<string, string>>;
        readonly namespaces?: readonly string[];
        readonly clusters?: readonly string[];
      };
    }>;
    readonly filters?: ReadonlyArray<{
      readonly statusCodeMatcher?: { readonly value: number; readonly comparator?: 'EQ' | 'GE' | 'LE' };
      readonly headerMatcher?: { readonly name: string; readonly value?: string; readonly regex?: boolean; readonly invertMatch?: boolean };
    }>;
    readonly includedRequestHeaders?: readonly string[];
    readonly includedResponseHeaders?: readonly string[];
    readonly includedResponseTrailers?: readonly string[];
    readonly includedFilterStateObjects?: readonly string[];
  };
}

/** Whether the record's `workloadSelectors` select the proxy's workload. */
export function selectsWorkload(record: AccessLogRecordLike, proxy: ProxyIdentity): boolean {
  const selectors = record.spec.workloadSelectors ?? [];
  // A selector without a kubeWorkloadMatcher selects every workload.
  return matchesWorkload(
    selectors.map((s) => s.kubeWorkloadMatcher ?? {}),
    proxy.workload,
    proxy.labels,
  );
}
