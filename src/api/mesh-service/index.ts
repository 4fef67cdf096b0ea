/**
 * The `MeshService` kind, part of the inventory `to[].targetRef` resolves against, and the
 * `ServiceResource` model the other destination kinds (`MeshExternalService`,
 * `MeshMultiZoneService`) normalise to as well.
 */
export { meshServiceKind } from './kind.js';
export { portMatches, type ServiceKind, type ServicePort, type ServiceResource } from './model.js';
export { appProtocolOf, normalizeMeshService, normalizePorts, serviceBase } from './normalize.js';
export { MeshServiceSpec, servicePortSchema } from './schema.js';
export { portRange, validateMeshService, validatePorts } from './validate.js';
