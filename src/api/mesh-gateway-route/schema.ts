/**
 * Kuma 1.x `MeshGatewayRoute` (`kuma.io/v1alpha1`, mesh-scoped): the gateway it attaches to
 * (`selectors[].match` tags) and the HTTP requests its rules take. Kuma universal writes
 * `selectors` and `conf` at the top level; under `spec` is accepted too. Backends and filters are
 * accepted and not interpreted: logging needs only which requests a route takes.
 */
import { type Static, Type } from '@sinclair/typebox';
import { HttpMatchSchema } from '../shared/index.js';

const strict = { additionalProperties: false } as const;
const opaqueList = (description: string) => Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description }));

export const GatewayRouteRuleSchema = Type.Object(
  {
    matches: Type.Optional(Type.Array(HttpMatchSchema, { description: 'Any of these; absent: every request.' })),
    backends: opaqueList('Where requests go; not interpreted by meshlog.'),
    filters: opaqueList('Request filters; not interpreted by meshlog.'),
  },
  strict,
);

export const MeshGatewayRouteSpec = Type.Object(
  {
    selectors: Type.Array(Type.Object({ match: Type.Record(Type.String(), Type.String(), { description: 'Tags of the gateway dataplane.' }) }, strict), {
      description: 'The gateway this route attaches to: exactly one selector.',
    }),
    conf: Type.Object(
      {
        http: Type.Optional(Type.Object({ hostnames: Type.Optional(Type.Array(Type.String())), rules: Type.Array(GatewayRouteRuleSchema) }, strict)),
        tcp: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'A TCP route; it takes every connection.' })),
      },
      { ...strict, description: "One of 'http' and 'tcp'." },
    ),
  },
  strict,
);

export type MeshGatewayRouteSpec = Static<typeof MeshGatewayRouteSpec>;

export const gatewayRouteSpecFields: readonly string[] = Object.keys(MeshGatewayRouteSpec.properties);
