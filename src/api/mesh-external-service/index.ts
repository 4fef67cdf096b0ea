/**
 * The `MeshExternalService` kind: a service outside the mesh, part of the inventory
 * `to[].targetRef` resolves against.
 */
export { meshExternalServiceKind } from './kind.js';
export { normalizeMeshExternalService } from './normalize.js';
export { MeshExternalServiceSpec } from './schema.js';
export { validateMeshExternalService } from './validate.js';
