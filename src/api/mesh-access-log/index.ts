/**
 * The `MeshAccessLog` kind: the MADR's policy and Kuma 2.x's, one schema for both, validation
 * with Kuma's messages, normalisation to the policy engine's `MeshAccessLogPolicy`, and the
 * backend references it holds (which block deleting those backends).
 */

export { meshAccessLogKind } from './kind.js';
export { normalizeMeshAccessLog } from './normalize.js';
export { type BackendReferenceSite, backendReferenceSites } from './references.js';
export { FromEntrySchema, MeshAccessLogSpec, PeerMatchSchema, RuleSchema, ToEntrySchema } from './schema.js';
export { validateMeshAccessLog } from './validate.js';
