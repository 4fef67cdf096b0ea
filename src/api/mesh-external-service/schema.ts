/**
 * `MeshExternalService` (`kuma.io/v1alpha1`, mesh-scoped): a service outside the mesh that proxies
 * reach through it (`match` says on which port and protocol; `endpoints` where it is). meshlog
 * reads it so that `to: MeshExternalService` names traffic to it; TLS and extensions are accepted
 * and not interpreted.
 */
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const opaque = (description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: `${description}; not interpreted by meshlog.` }));

export const MeshExternalServiceSpec = Type.Object(
  {
    match: Type.Object(
      {
        type: Type.Optional(Type.Literal('HostnameGenerator')),
        port: Type.Integer({ description: 'The port clients use.' }),
        protocol: Type.Optional(
          Type.Union(
            ['tcp', 'grpc', 'http', 'http2'].map((p) => Type.Literal(p)),
            { description: 'Default tcp.' },
          ),
        ),
      },
      strict,
    ),
    endpoints: Type.Optional(
      Type.Array(Type.Object({ address: Type.String({ description: 'IP, host name or unix socket.' }), port: Type.Optional(Type.Integer()) }, strict)),
    ),
    extension: opaque('An extension'),
    tls: opaque('TLS to the service'),
  },
  strict,
);

export type MeshExternalServiceSpec = Static<typeof MeshExternalServiceSpec>;
