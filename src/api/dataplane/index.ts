/**
 * The `Dataplane` kind: Kuma's proxy inventory (inbounds, outbounds, gateway, with tags), which
 * policies are matched against before any traffic flows; normalised to an `InventoryProxy`.
 */
export { dataplaneKind } from './kind.js';
export { normalizeDataplane, protocolOf } from './normalize.js';
export { DataplaneSpec, GatewaySchema, InboundSchema, NetworkingSchema, OutboundSchema } from './schema.js';
export { validateDataplane } from './validate.js';
