/**
 * A route as the policy engine reads it: a `MeshHTTPRoute` or a Kuma 1.x `MeshGatewayRoute`.
 */
import type { HttpRouteMatch, TargetRef } from '../shared/model.js';

/** A `MeshHTTPRoute` (inbound route on the proxies it targets) or `MeshGatewayRoute`. */
export interface RouteResource {
  readonly kind: 'MeshHTTPRoute' | 'MeshGatewayRoute';
  readonly name: string;
  readonly mesh: string;
  /** Which proxies carry the route: a `MeshHTTPRoute`'s `spec.targetRef` (default `Mesh`); a gateway route's gateway tags as `MeshSubset`. */
  readonly targetRef: TargetRef;
  /** Requests the route takes: any of these (empty: every request). */
  readonly matches: readonly HttpRouteMatch[];
  /** Kuma's `spec.to[].targetRef`: the destinations whose outbound traffic it routes; absent: every destination. */
  readonly destinations?: readonly TargetRef[];
  /** Its labels with Kuma's own: what `to: {kind: MeshHTTPRoute, labels}` selects by. */
  readonly labels?: Readonly<Record<string, string>>;
}
