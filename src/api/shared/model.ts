/**
 * The normalised resource model the Kuma kinds share: target references, backends, filtering and
 * route matches, as the policy engine reads them whichever encoding and shape they were written in.
 */
import type { OtelAttribute, SinkBackendConfig } from '../../sinks/index.js';

export type TargetRefKind =
  | 'Mesh'
  | 'MeshSubset'
  | 'Dataplane'
  | 'MeshGateway'
  | 'MeshService'
  | 'MeshExternalService'
  | 'MeshMultiZoneService'
  | 'MeshServiceSubset'
  | 'MeshGatewayRoute'
  | 'MeshHTTPRoute';

/** Kuma 2.x `proxyTypes`: which proxies a `Mesh` or `MeshSubset` target takes. */
export type ProxyType = 'Sidecar' | 'Gateway';

export interface TargetRef {
  readonly kind: TargetRefKind;
  /** The resource's name: a service (`kuma.io/service`, or a `MeshService` resource), a gateway, a route, a dataplane. */
  readonly name?: string;
  /** With `name`: the resource's namespace (its `k8s.kuma.io/namespace` label). */
  readonly namespace?: string;
  /** Tags that must all be on the inbound (`MeshSubset`, `MeshServiceSubset`). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Instead of `name`: the labels of the resources selected (Kuma 2.x). */
  readonly labels?: Readonly<Record<string, string>>;
  /** One inbound of a `Dataplane` (its name or port), one port of a service (its name or number). */
  readonly sectionName?: string;
  /** Only these kinds of proxy; absent: all. */
  readonly proxyTypes?: readonly ProxyType[];
}

/**
 * A backend's configuration, inline in a policy or held by a backend resource: one of the sinks'
 * configs (each sink's `config.ts` says what it holds), or meshlog's own store (what
 * `AccessLogRecord` collects into).
 */
export type BackendConfig = SinkBackendConfig | { readonly type: 'store' };

export type BackendReferenceKind = 'MeshAccessLogBackend' | 'GlobalAccessLogBackend';

export interface BackendReference {
  readonly type: 'reference';
  readonly kind: BackendReferenceKind;
  /** The backend resource's name, or its `spec.name`: both resolve. */
  readonly name: string;
}

/**
 * Kuma 2.14's `openTelemetry.backendRef`: a `MeshOpenTelemetryBackend` of the policy's mesh, by
 * resource name or by labels, supplies the endpoint, protocol and TLS; the body and attributes
 * stay with the policy.
 */
export interface OtelBackendReference {
  readonly type: 'reference';
  readonly kind: 'MeshOpenTelemetryBackend';
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly attributes?: readonly OtelAttribute[];
}

export type BackendEntry = BackendConfig | BackendReference | OtelBackendReference;

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

export type ListenerProtocol = 'http' | 'tcp';

export interface HttpRouteMatch {
  readonly path?: { readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'; readonly value: string };
  readonly method?: string;
  readonly headers?: readonly {
    readonly type: 'Exact' | 'Present' | 'RegularExpression' | 'Absent' | 'Prefix';
    readonly name: string;
    readonly value?: string;
  }[];
}
