/**
 * A validated MeshGatewayRoute as the policy engine reads it: carried by the gateway its selector
 * names (as a `MeshSubset` of those tags), taking the requests its HTTP rules match (a TCP route: all).
 */

import type { RouteResource } from '../mesh-http-route/model.js';
import { routeMatches } from '../shared/index.js';
import type { Resource } from '../types.js';
import type { MeshGatewayRouteSpec } from './schema.js';

export function normalizeGatewayRoute(r: Resource): RouteResource {
  const spec = r.spec as MeshGatewayRouteSpec;
  return {
    kind: 'MeshGatewayRoute',
    name: r.name,
    mesh: r.scope,
    targetRef: { kind: 'MeshSubset', tags: { ...spec.selectors[0]!.match } },
    matches: routeMatches(spec.conf.http?.rules ?? []),
  };
}
