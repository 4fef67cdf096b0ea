/**
 * The `GlobalAccessLogBackend` kind: the MADR's global backend, the same spec as
 * `MeshAccessLogBackend` (see that folder) with no mesh. It normalises with `normalizeAccessLogBackend`.
 */
export { globalAccessLogBackendKind } from './kind.js';
