/**
 * A validated route as the policy engine reads it: the proxies that carry it and every request
 * match of every rule. A MeshHTTPRoute is carried where its `spec.targetRef` points (default `Mesh`).
 */

import { normalizeGatewayRoute } from '../mesh-gateway-route/index.js';
import { normalizeTargetRef, resourceLabels, routeMatches } from '../shared/index.js';
import type { Resource } from '../types.js';
import type { RouteResource } from './model.js';
import type { MeshHTTPRouteSpec } from './schema.js';

/** Either route kind. */
export function normalizeRoute(r: Resource): RouteResource {
  return r.kind === 'MeshGatewayRoute' ? normalizeGatewayRoute(r) : normalizeHTTPRoute(r);
}

export function normalizeHTTPRoute(r: Resource): RouteResource {
  const spec = r.spec as MeshHTTPRouteSpec;
  const rules = [...(spec.to ?? []).flatMap((t) => t.rules), ...(spec.http?.rules ?? [])];
  const destinations = spec.to?.map((t) => normalizeTargetRef(t.targetRef));
  return {
    kind: 'MeshHTTPRoute',
    name: r.name,
    mesh: r.scope,
    targetRef: normalizeTargetRef(spec.targetRef),
    matches: routeMatches(rules),
    ...(destinations ? { destinations } : {}),
    labels: resourceLabels(r),
  };
}
