/**
 * The `MeshOpenTelemetryBackend` kind: a shared OpenTelemetry collector (endpoint, protocol, TLS)
 * that `openTelemetry.backendRef` names by resource name or labels.
 */
export { meshOpenTelemetryBackendKind } from './kind.js';
export type { OtelBackendResource } from './model.js';
export { normalizeOtelBackend, otelBackendInUse, selectsOtelBackend } from './normalize.js';
