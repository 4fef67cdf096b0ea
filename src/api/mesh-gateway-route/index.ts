/**
 * The `MeshGatewayRoute` kind (Kuma 1.x gateway routes), part of the inventory policies match
 * against: schema, validation, normalisation to a `RouteResource`.
 */
export { meshGatewayRouteKind } from './kind.js';
export { normalizeGatewayRoute } from './normalize.js';
export { GatewayRouteRuleSchema, MeshGatewayRouteSpec } from './schema.js';
export { validateMeshGatewayRoute } from './validate.js';
