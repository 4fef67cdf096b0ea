/**
 * The `MeshMultiZoneService` kind: MeshServices of several zones under one name, part of the
 * inventory `to[].targetRef` resolves against.
 */
export { meshMultiZoneServiceKind } from './kind.js';
export { normalizeMeshMultiZoneService } from './normalize.js';
export { MeshMultiZoneServiceSpec } from './schema.js';
export { validateMeshMultiZoneService } from './validate.js';
