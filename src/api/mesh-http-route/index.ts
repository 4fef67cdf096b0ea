/**
 * The `MeshHTTPRoute` kind, part of the inventory policies match against: its schema (the seed's
 * and Kuma's shapes), validation, and `normalizeRoute`, which also reads `MeshGatewayRoute`s.
 */
export { meshHTTPRouteKind } from './kind.js';
export { normalizeHTTPRoute, normalizeRoute } from './normalize.js';
export { MeshHTTPRouteSpec, RouteRuleSchema } from './schema.js';
export { validateMeshHTTPRoute } from './validate.js';
