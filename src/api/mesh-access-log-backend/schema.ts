/**
 * A backend resource's spec, shared by `MeshAccessLogBackend` (mesh-scoped) and
 * `GlobalAccessLogBackend` (global): a named backend in the MADR's shape (`{name, tcp: {...}}`),
 * the seed's (`{name, type: file, conf: {...}}`) or Kuma 2.x's (`{name, type: Tcp, tcp: {...}}`).
 */
import { type Static, Type } from '@sinclair/typebox';
import { FormatSchema } from '../../format/index.js';
import { BackendConfSchema, backendForms, definingBackendTypes, StoreBackendSchema, sinkBackendProperties } from '../shared/index.js';

export const AccessLogBackendSpec = Type.Object(
  {
    name: Type.String({ description: 'The name policies may reference the backend by, besides the resource name.' }),
    type: Type.Optional(
      Type.Union(
        definingBackendTypes.map((t) => Type.Literal(t)),
        {
          description: "Seed and Kuma 2.x: which backend this is (with 'conf', or the field it names).",
        },
      ),
    ),
    conf: Type.Optional(BackendConfSchema),
    format: Type.Optional(FormatSchema),
    ...sinkBackendProperties,
    store: Type.Optional(StoreBackendSchema),
  },
  {
    additionalProperties: false,
    description: `One of ${backendForms(false)
      .map((f) => `'${f}'`)
      .join(', ')}; or 'type' with 'conf'.`,
  },
);

export type AccessLogBackendSpec = Static<typeof AccessLogBackendSpec>;
