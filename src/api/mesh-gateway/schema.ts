/**
 * Kuma's builtin `MeshGateway` (`kuma.io/v1alpha1`, mesh-scoped): the gateway dataplanes it
 * configures (`selectors[].match` on their tags) and its listeners (port, protocol, hostname,
 * tags), which are the inbounds a policy targeting the gateway logs. Kuma universal writes
 * `selectors`, `conf` and `tags` at the top level. Listener TLS and resources are accepted and not
 * interpreted.
 */
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const tags = (description: string) => Type.Optional(Type.Record(Type.String(), Type.String(), { description }));
const opaque = (description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: `${description}; not interpreted by meshlog.` }));

export const gatewayProtocols = ['HTTP', 'HTTPS', 'TCP', 'TLS'] as const;

export const GatewayListenerSchema = Type.Object(
  {
    port: Type.Integer({ description: 'The port the gateway listens on.' }),
    protocol: Type.Union(gatewayProtocols.map((p) => Type.Literal(p))),
    hostname: Type.Optional(Type.String({ description: "Default '*'." })),
    tags: tags('Tags of the listener.'),
    tls: opaque('TLS'),
    resources: opaque('Connection limits'),
    crossMesh: Type.Optional(Type.Boolean({ description: 'Not interpreted by meshlog.' })),
  },
  strict,
);

export const MeshGatewaySpec = Type.Object(
  {
    selectors: Type.Array(Type.Object({ match: Type.Record(Type.String(), Type.String(), { description: 'Tags of the gateway dataplanes.' }) }, strict), {
      description: 'The gateway dataplanes this gateway configures: any selector.',
    }),
    conf: Type.Object({ listeners: Type.Array(GatewayListenerSchema) }, strict),
    tags: tags('Tags of the gateway.'),
  },
  strict,
);

export type MeshGatewaySpec = Static<typeof MeshGatewaySpec>;

export const meshGatewaySpecFields: readonly string[] = Object.keys(MeshGatewaySpec.properties);
