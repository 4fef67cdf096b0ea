/**
 * The policy plane's contract: resources as the policy engine reads them (normalised from either
 * encoding and from both the MADR's and Kuma 2.x's shapes by `api/`), the inventory of proxies they
 * match against, and the resolved per-listener result that `inspect`, `render` and the pipeline use.
 */
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { FormatSpec } from '../format/types.js';

export type TargetRefKind = 'Mesh' | 'MeshSubset' | 'MeshService' | 'MeshServiceSubset' | 'MeshGatewayRoute' | 'MeshHTTPRoute';

export interface TargetRef {
  readonly kind: TargetRefKind;
  /** Service name (`MeshService`, `MeshServiceSubset`) or route resource name (routes). */
  readonly name?: string;
  /** Tags that must all be on the inbound (`MeshSubset`, `MeshServiceSubset`). */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface OtelAttribute {
  readonly key: string;
  /** A format string (command operators allowed). */
  readonly value: string;
}

/** A backend's configuration, inline in a policy or held by a backend resource. */
export type BackendConfig =
  | { readonly type: 'file'; readonly path: string; readonly format?: FormatSpec }
  | { readonly type: 'tcp'; readonly address: string; readonly format?: FormatSpec }
  | {
      readonly type: 'openTelemetry';
      /** `host:port` of an OTLP/gRPC receiver, or an `http(s)://` URL of an OTLP/HTTP one. */
      readonly endpoint: string;
      /** An OTLP `AnyValue` in JSON (or a plain string / JSON value), with command operators. */
      readonly body?: unknown;
      readonly attributes?: readonly OtelAttribute[];
    }
  /** meshlog's own store (what `AccessLogRecord` collects into). */
  | { readonly type: 'store' };

export type BackendReferenceKind = 'MeshAccessLogBackend' | 'GlobalAccessLogBackend';

export interface BackendReference {
  readonly type: 'reference';
  readonly kind: BackendReferenceKind;
  /** The backend resource's name, or its `spec.name`: both resolve. */
  readonly name: string;
}

export type BackendEntry = BackendConfig | BackendReference;

/**
 * The seed's `filtering.headers`: a condition per header name (`:status` included), all AND-ed.
 * Kept keyed by name so that merging confs (RFC 7396) merges conditions by header.
 */
export type HeaderFilterOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'prefix' | 'regex' | 'present' | 'absent';

export interface HeaderCondition {
  readonly op: HeaderFilterOp;
  /** Absent for `present` / `absent`. */
  readonly value?: string;
}

export interface Filtering {
  /** Lower-case header name → condition. */
  readonly headers?: Readonly<Record<string, HeaderCondition>>;
}

export interface Conf {
  /** Absent: inherit from less specific entries. Empty list: log nothing. */
  readonly backends?: readonly BackendEntry[];
  readonly filtering?: Filtering;
}

/** Kuma 2.x `rules[].matches[]`: the caller's certificate SAN or the requested SNI. */
export interface PeerMatch {
  readonly spiffeID?: { readonly type: 'Exact' | 'Prefix'; readonly value: string };
  readonly sni?: { readonly type: 'Exact'; readonly value: string };
}

export interface InboundEntry {
  /** Who the traffic comes from; `Mesh` for everyone (Kuma 2.x `rules[]` are `Mesh`). */
  readonly targetRef: TargetRef;
  /** Only from Kuma 2.x `rules[].matches`: any of them must hold. */
  readonly matches?: readonly PeerMatch[];
  readonly default: Conf;
}

export interface OutboundEntry {
  /** Where the traffic goes: `Mesh` or `MeshService`. */
  readonly targetRef: TargetRef;
  readonly default: Conf;
}

export interface MeshAccessLogPolicy {
  readonly name: string;
  readonly mesh: string;
  /** What the policy attaches to; `Mesh` when the resource leaves it out. */
  readonly targetRef: TargetRef;
  /** `spec.from[]`, and Kuma 2.x `spec.rules[]` (as `Mesh` entries with `matches`), in order. */
  readonly from: readonly InboundEntry[];
  readonly to: readonly OutboundEntry[];
  /** Where each entry came from in the resource (`from` or `rules`), index-aligned with `from`. */
  readonly fromSections?: readonly ('from' | 'rules')[];
}

/** A `MeshAccessLogBackend` (mesh-scoped) or `GlobalAccessLogBackend` (mesh ''). */
export interface AccessLogBackendResource {
  readonly kind: BackendReferenceKind;
  /** The resource's own name. */
  readonly name: string;
  readonly mesh: string;
  /** `spec.name`. */
  readonly backendName: string;
  readonly backend: BackendConfig;
}

export type ListenerProtocol = 'http' | 'tcp';

export interface ProxyInbound {
  /** Port the proxy listens on for this inbound. */
  readonly port: number;
  /** Port of the application behind it, when different. */
  readonly servicePort?: number;
  readonly address: string;
  /** Kuma tags: `kuma.io/service` (required), `kuma.io/zone`, `version`, ... */
  readonly tags: Readonly<Record<string, string>>;
  readonly protocol: ListenerProtocol;
}

export interface ProxyOutbound {
  readonly port: number;
  readonly address?: string;
  /** Destination service (`kuma.io/service` of the target). */
  readonly service: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly protocol: ListenerProtocol;
}

export interface InventoryProxy {
  /** `MESH.NAME` for Kuma dataplanes; the ALS node id for proxies only discovered from logs. */
  readonly id: string;
  readonly mesh: string;
  readonly name: string;
  readonly type: 'sidecar' | 'gateway';
  readonly address: string;
  /** `kuma.io/zone` (Istio: the cluster). */
  readonly zone?: string;
  readonly inbounds: readonly ProxyInbound[];
  readonly outbounds: readonly ProxyOutbound[];
  /** Tags of a gateway dataplane (`kuma.io/service` of the gateway, ...). */
  readonly gatewayTags?: Readonly<Record<string, string>>;
  readonly origin: 'Dataplane' | 'discovered';
  /** For discovered proxies: the identity their ALS streams carried. */
  readonly identity?: ProxyIdentity;
}

export interface HttpRouteMatch {
  readonly path?: { readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'; readonly value: string };
  readonly method?: string;
  readonly headers?: readonly { readonly type: 'Exact' | 'Present' | 'RegularExpression' | 'Absent' | 'Prefix'; readonly name: string; readonly value?: string }[];
}

/** A `MeshHTTPRoute` (inbound route on the proxies it targets) or `MeshGatewayRoute`. */
export interface RouteResource {
  readonly kind: 'MeshHTTPRoute' | 'MeshGatewayRoute';
  readonly name: string;
  readonly mesh: string;
  /** Which proxies carry the route: a `MeshHTTPRoute`'s `spec.targetRef` (default `Mesh`); a gateway route's gateway tags as `MeshSubset`. */
  readonly targetRef: TargetRef;
  /** Requests the route takes: any of these (empty: every request). */
  readonly matches: readonly HttpRouteMatch[];
}

/** Everything the engine matches with, for one point in time. */
export interface PolicySet {
  readonly policies: readonly MeshAccessLogPolicy[];
  readonly backends: readonly AccessLogBackendResource[];
  readonly routes: readonly RouteResource[];
}

export type BackendSource =
  | { readonly kind: 'inline' }
  | { readonly kind: BackendReferenceKind; readonly name: string; readonly mesh: string; readonly backendName: string };

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
