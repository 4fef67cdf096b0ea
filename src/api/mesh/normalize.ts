/**
 * A Mesh's logging backends as backend resources of that mesh, so that a policy's
 * `{name: logstash, type: reference}` resolves to them as it does to a `MeshAccessLogBackend`.
 */

import type { AccessLogBackendResource } from '../mesh-access-log-backend/model.js';
import { normalizeBackendConfig } from '../shared/index.js';
import type { Resource } from '../types.js';
import type { MeshSpec } from './schema.js';

export function normalizeMeshLoggingBackends(r: Resource): AccessLogBackendResource[] {
  const spec = r.spec as MeshSpec;
  return (spec.logging?.backends ?? []).map((b) => ({
    kind: 'MeshAccessLogBackend',
    name: b.name,
    mesh: r.name,
    backendName: b.name,
    backend: normalizeBackendConfig(b),
  }));
}

/** The backend policies of this mesh log to when they leave `backends` out. */
export function meshDefaultBackend(r: Resource): string | undefined {
  return (r.spec as MeshSpec).logging?.defaultBackend;
}
