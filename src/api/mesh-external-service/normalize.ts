/**
 * A validated MeshExternalService as a `ServiceResource`: one port (its `match`), its endpoints.
 */
import { appProtocolOf, type ServiceResource, serviceBase } from '../mesh-service/index.js';
import type { Resource } from '../types.js';
import type { MeshExternalServiceSpec } from './schema.js';

export function normalizeMeshExternalService(r: Resource): ServiceResource {
  const spec = r.spec as MeshExternalServiceSpec;
  return {
    ...serviceBase(r),
    ports: [{ port: spec.match.port, protocol: appProtocolOf(spec.match.protocol) }],
    endpoints: (spec.endpoints ?? []).map((e) => ({ address: e.address, ...(e.port !== undefined ? { port: e.port } : {}) })),
  };
}
