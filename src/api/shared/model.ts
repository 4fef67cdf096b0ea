/**
 * The normalised resource model the Kuma kinds share: target references, backends, filtering and
 * route matches, as the policy engine reads them whichever encoding and shape they were written in.
 */
import type { SinkBackendConfig } from '../../sinks/index.js';

export type TargetRefKind = 'Mesh' | 'MeshSubset' | 'MeshService' | 'MeshServiceSubset' | 'MeshGatewayRoute' | 'MeshHTTPRoute';

export interface TargetRef {
  readonly kind: TargetRefKind;
  /** Service name (`MeshService`, `MeshServiceSubset`) or route resource name (routes). */
  readonly name?: string;
  /** Tags that must all be on the inbound (`MeshSubset`, `MeshServiceSubset`). */
  readonly tags?: Readonly<Record<string, string>>;
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

export type ListenerProtocol = 'http' | 'tcp';

export interface HttpRouteMatch {
  readonly path?: { readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'; readonly value: string };
  readonly method?: string;
  readonly headers?: readonly { readonly type: 'Exact' | 'Present' | 'RegularExpression' | 'Absent' | 'Prefix'; readonly name: string; readonly value?: string }[];
}
