/**
 * The `MeshAccessLogBackend` kind, and the backend resource spec it shares with
 * `GlobalAccessLogBackend`: schema, validation, normalisation to `AccessLogBackendResource`, and
 * the refusal to delete a backend that a MeshAccessLog still references.
 */
export { meshAccessLogBackendKind } from './kind.js';
export { backendInUse, normalizeAccessLogBackend } from './normalize.js';
export { AccessLogBackendSpec } from './schema.js';
export { validateAccessLogBackend } from './validate.js';
