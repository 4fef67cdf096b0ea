/**
 * `MeshAccessLog` (`kuma.io/v1alpha1`, mesh-scoped): which traffic of which proxies is logged to
 * which backends. The MADR's `targetRef` + `from` / `to`, and Kuma 2.x's optional `targetRef`
 * (with `labels`, `sectionName`, `proxyTypes`) and `rules` with peer matches; every entry's
 * `default` holds its backends (required, as in Kuma) and the seed's filtering.
 */
import { type Static, Type } from '@sinclair/typebox';
import { ConfSchema, TargetRefSchema } from '../shared/index.js';

const strict = { additionalProperties: false } as const;

export const FromEntrySchema = Type.Object(
  { targetRef: TargetRefSchema, default: Type.Optional(ConfSchema) },
  { ...strict, description: 'Inbound traffic from these callers.' },
);

export const ToEntrySchema = Type.Object(
  { targetRef: TargetRefSchema, default: Type.Optional(ConfSchema) },
  { ...strict, description: 'Outbound traffic to these destinations.' },
);

export const PeerMatchSchema = Type.Object(
  {
    spiffeID: Type.Optional(
      Type.Object(
        {
          type: Type.Union([Type.Literal('Exact'), Type.Literal('Prefix')]),
          value: Type.String({ description: "The caller certificate's SPIFFE ID (URI SAN), or its prefix." }),
        },
        strict,
      ),
    ),
    sni: Type.Optional(Type.Object({ type: Type.Literal('Exact'), value: Type.String({ description: 'The requested server name.' }) }, strict)),
  },
  { ...strict, description: 'All that are set must hold.' },
);

export const RuleSchema = Type.Object(
  {
    matches: Type.Optional(Type.Array(PeerMatchSchema, { description: 'Any of these; absent or empty: every caller.' })),
    default: Type.Optional(ConfSchema),
  },
  { ...strict, description: 'Kuma 2.x inbound rule.' },
);

export const MeshAccessLogSpec = Type.Object(
  {
    targetRef: Type.Optional(TargetRefSchema),
    from: Type.Optional(Type.Array(FromEntrySchema)),
    to: Type.Optional(Type.Array(ToEntrySchema)),
    rules: Type.Optional(Type.Array(RuleSchema)),
  },
  { ...strict, description: "At least one of 'from', 'to' and 'rules'; 'rules' not together with the others." },
);

export type MeshAccessLogSpec = Static<typeof MeshAccessLogSpec>;
