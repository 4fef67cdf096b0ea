/**
 * The `Mesh` kind: Kuma's mesh resource, read for its `logging` backends (the seed's way of
 * sharing backends before `MeshAccessLogBackend`), which normalise to mesh-scoped backend resources.
 */
export { meshKind } from './kind.js';
export { meshDefaultBackend, normalizeMeshLoggingBackends } from './normalize.js';
export { MeshLoggingSchema, MeshSpec } from './schema.js';
export { validateMesh } from './validate.js';
