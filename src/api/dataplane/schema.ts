/**
 * Kuma's `Dataplane` (`kuma.io/v1alpha1`, mesh-scoped): one proxy, its inbounds (the services it
 * fronts, with tags), outbounds and gateway, so that policies can be matched against it without a
 * live proxy. Kuma universal writes `networking` at the top level; Kubernetes under `spec`.
 */
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const port = (description: string) => Type.Integer({ minimum: 1, maximum: 65535, description });
const tags = (description: string) => Type.Record(Type.String(), Type.String(), { description });
const opaque = (description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: `${description}; not interpreted by meshlog.` }));

export const InboundSchema = Type.Object(
  {
    port: port('Port the proxy listens on.'),
    servicePort: Type.Optional(port('Port of the application, when different.')),
    address: Type.Optional(Type.String({ description: 'Default: networking.address.' })),
    serviceAddress: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    tags: tags('kuma.io/service (required), kuma.io/protocol, kuma.io/zone, version, ...'),
    health: opaque('Health'),
    state: Type.Optional(Type.String({ description: 'Not interpreted by meshlog.' })),
  },
  strict,
);

export const OutboundSchema = Type.Object(
  {
    port: port('Port the proxy listens on for this destination.'),
    address: Type.Optional(Type.String()),
    tags: Type.Optional(tags('kuma.io/service of the destination.')),
    backendRef: Type.Optional(
      Type.Object(
        { kind: Type.Optional(Type.String()), name: Type.String({ description: 'Destination service.' }), port: Type.Optional(port('Destination port.')) },
        strict,
      ),
    ),
  },
  { ...strict, description: "Either 'tags' with kuma.io/service or 'backendRef'." },
);

export const GatewaySchema = Type.Object(
  { tags: tags('kuma.io/service (required) and more.'), type: Type.Optional(Type.Union([Type.Literal('DELEGATED'), Type.Literal('BUILTIN')])) },
  strict,
);

export const NetworkingSchema = Type.Object(
  {
    address: Type.String({ description: "The proxy's IP address or host name." }),
    advertisedAddress: Type.Optional(Type.String()),
    inbound: Type.Optional(Type.Array(InboundSchema)),
    outbound: Type.Optional(Type.Array(OutboundSchema)),
    gateway: Type.Optional(GatewaySchema),
    transparentProxying: opaque('Transparent proxying'),
    admin: opaque('Envoy admin'),
  },
  strict,
);

export const DataplaneSpec = Type.Object({ networking: NetworkingSchema, metrics: opaque('Metrics'), probes: opaque('Probes') }, strict);

export type DataplaneSpec = Static<typeof DataplaneSpec>;

export const dataplaneSpecFields: readonly string[] = Object.keys(DataplaneSpec.properties);
