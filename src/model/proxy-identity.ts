/**
 * Who sent a stream of access logs: the proxy, and the workload it belongs to.
 *
 * Built once per ALS stream from the first message's `Identifier` (see `identify-proxy.ts`) and
 * shared by every entry of that stream.
 */

/** A workload by its controller (Deployment-like) name, as Gloo's `workloadRef` shows it. */
export interface WorkloadRef {
  readonly name: string;
  readonly namespace: string;
  readonly clusterName: string;
}

export type ProxyFlavor = 'istio' | 'kuma' | 'envoy';

export interface ProxyIdentity {
  /** `Identifier.node.id` as Envoy sent it. */
  readonly nodeId: string;
  /** `Identifier.node.cluster`. */
  readonly nodeCluster: string;
  /** `Identifier.log_name`. */
  readonly logName: string;
  readonly flavor: ProxyFlavor;
  /** Istio `sidecar` / `router`, Kuma `dataplane` / `gateway`; `proxy` when unknown. */
  readonly proxyType: string;
  readonly workload: WorkloadRef;
  /** Pod or dataplane name, when known. */
  readonly instance: string;
  /** The proxy's own IP, when known. */
  readonly ip: string;
  /** Workload labels (Istio pod labels without `pod-template-hash`; Kuma dataplane tags). */
  readonly labels: Readonly<Record<string, string>>;
  /** Kuma mesh name, when the proxy is a Kuma dataplane. */
  readonly mesh: string;
  /** Which ALS service the stream came in on. */
  readonly apiVersion: 'v2' | 'v3';
}

/** `cluster/namespace/name`: the key under which a workload is stored and selected. */
export function workloadKey(ref: WorkloadRef): string {
  return `${ref.clusterName}/${ref.namespace}/${ref.name}`;
}
