/**
 * Kuma's `Mesh` (`kuma.io/v1alpha1`, global), as far as logging goes: the seed keeps named
 * backends in `spec.logging` (MADR alternative "keep backends in the Mesh"), which policies
 * reference by name. Kuma's other Mesh fields are accepted as they are and not interpreted.
 */
import { type Static, Type } from '@sinclair/typebox';
import { AccessLogBackendSpec } from '../mesh-access-log-backend/index.js';

const opaque = (description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: `${description} (Kuma's; not interpreted by meshlog).` }));

export const MeshLoggingSchema = Type.Object(
  {
    defaultBackend: Type.Optional(Type.String({ description: "The backend of policies that leave 'backends' out." })),
    backends: Type.Optional(Type.Array(AccessLogBackendSpec, { description: 'Named backends, referable from MeshAccessLog policies of this mesh.' })),
  },
  { additionalProperties: false },
);

export const MeshSpec = Type.Object(
  {
    logging: Type.Optional(MeshLoggingSchema),
    mtls: opaque('mTLS'),
    tracing: opaque('Tracing'),
    metrics: opaque('Metrics'),
    networking: opaque('Networking'),
    routing: opaque('Routing'),
    constraints: opaque('Constraints'),
    meshServices: opaque('MeshService generation'),
    skipCreatingInitialPolicies: Type.Optional(Type.Array(Type.String(), { description: "Kuma's; not interpreted by meshlog." })),
  },
  { additionalProperties: false },
);

export type MeshSpec = Static<typeof MeshSpec>;

/** Kuma universal writes a Mesh's fields at the top level, beside `type` and `name`. */
export const meshSpecFields: readonly string[] = Object.keys(MeshSpec.properties);
