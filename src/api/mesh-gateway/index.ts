/**
 * The `MeshGateway` kind (Kuma's builtin gateway), part of the inventory: the gateway dataplanes
 * a `targetRef: {kind: MeshGateway}` takes, and their listeners.
 */
export { meshGatewayKind } from './kind.js';
export type { GatewayListener, GatewayResource } from './model.js';
export { normalizeMeshGateway } from './normalize.js';
export { GatewayListenerSchema, MeshGatewaySpec } from './schema.js';
export { validateMeshGateway } from './validate.js';
