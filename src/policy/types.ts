/**
 * The policy engine's own contract: the set of resources it matches with, and the resolved
 * per-listener result that `inspect`, `render` and the pipeline use. The resources themselves are
 * modelled in `api/` (one `model.ts` per kind).
 */
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { MeshAccessLogPolicy } from '../api/mesh-access-log/model.js';
import type { AccessLogBackendResource } from '../api/mesh-access-log-backend/model.js';
import type { GatewayResource } from '../api/mesh-gateway/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import type { OtelBackendResource } from '../api/mesh-open-telemetry-backend/model.js';
import type { ServiceKind, ServiceResource } from '../api/mesh-service/model.js';
import type { BackendConfig, BackendReferenceKind, Filtering, ListenerProtocol, PeerMatch, TargetRef } from '../api/shared/model.js';

/** Everything the engine matches with, for one point in time. */
export interface PolicySet {
  readonly policies: readonly MeshAccessLogPolicy[];
  readonly backends: readonly AccessLogBackendResource[];
  readonly routes: readonly RouteResource[];
  /** `MeshOpenTelemetryBackend`s, which `openTelemetry.backendRef` resolves to. */
  readonly otelBackends?: readonly OtelBackendResource[];
  /** `MeshService`, `MeshExternalService` and `MeshMultiZoneService` resources, which targetRefs resolve against. */
  readonly services?: readonly ServiceResource[];
  /** `MeshGateway`s: which gateway proxies `kind: MeshGateway` takes, and their listeners. */
  readonly gateways?: readonly GatewayResource[];
}

export type BackendSource =
  | { readonly kind: 'inline' }
  | { readonly kind: BackendReferenceKind | 'MeshOpenTelemetryBackend'; readonly name: string; readonly mesh: string; readonly backendName: string };

export type ResolvedBackend = BackendConfig & { readonly source: BackendSource };

/** One policy entry that contributed to a rule, in merge order (later entries win). */
export interface MatchedPolicy {
  readonly policy: string;
  readonly mesh: string;
  readonly section: 'from' | 'to' | 'rules';
  readonly index: number;
  readonly targetRef: TargetRef;
  readonly entryTargetRef: TargetRef;
}

export interface ResolvedRule {
  /** Inbound: the callers this rule is for (`Mesh`: anyone not matched by a more specific rule). */
  readonly from?: TargetRef;
  readonly matches?: readonly PeerMatch[];
  /** Only requests this route takes (route-targeted policies); they replace the listener's other rules for those requests. */
  readonly route?: RouteResource;
  readonly backends: readonly ResolvedBackend[];
  readonly filtering?: Filtering;
  readonly policies: readonly MatchedPolicy[];
}

export interface ListenerLogConfig {
  readonly direction: 'inbound' | 'outbound';
  /** `inbound:ADDRESS:PORT` or `outbound:SERVICE` (or `outbound:ADDRESS:PORT` when the outbound has an address). */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: ListenerProtocol;
  /** Inbound: this inbound's service. Outbound: the destination service. */
  readonly service: string;
  /** Outbound: the destination's kind of resource, when it is one (`MeshExternalService`, ...). */
  readonly destinationKind?: ServiceKind;
  readonly tags: Readonly<Record<string, string>>;
  /** Most specific first; the first that matches a request applies. Empty: nothing is logged. */
  readonly rules: readonly ResolvedRule[];
}

export interface ProxyLogConfig {
  readonly proxy: InventoryProxy;
  readonly inbounds: readonly ListenerLogConfig[];
  readonly outbounds: readonly ListenerLogConfig[];
  /** Problems found while resolving (a reference that resolves to nothing, or to two backends). */
  readonly errors: readonly string[];
}
