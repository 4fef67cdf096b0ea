/**
 * A backend resource as the policy engine reads it.
 */
import type { BackendConfig, BackendReferenceKind } from '../shared/model.js';

/** A `MeshAccessLogBackend` (mesh-scoped) or `GlobalAccessLogBackend` (mesh ''). */
export interface AccessLogBackendResource {
  readonly kind: BackendReferenceKind;
  /** The resource's own name. */
  readonly name: string;
  readonly mesh: string;
  /** `spec.name`. */
  readonly backendName: string;
  readonly backend: BackendConfig;
}
