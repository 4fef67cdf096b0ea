/**
 * `MeshHTTPRoute` (`kuma.io/v1alpha1`, mesh-scoped), read for what a MeshAccessLog targeting it
 * needs: which proxies carry it and which requests it takes. Both the seed's shape
 * (`spec.http.rules[].matches[]`) and Kuma's (`spec.targetRef`, `spec.to[].rules[].matches[]`);
 * a rule's `default` (filters, backendRefs) is accepted and not interpreted.
 */
import { type Static, Type } from '@sinclair/typebox';
import { HttpMatchSchema, TargetRefSchema } from '../shared/index.js';

const strict = { additionalProperties: false } as const;

export const RouteRuleSchema = Type.Object(
  {
    matches: Type.Optional(Type.Array(HttpMatchSchema, { description: 'Any of these; absent: every request.' })),
    default: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Kuma's filters and backendRefs; not interpreted by meshlog." })),
  },
  strict,
);

export const MeshHTTPRouteSpec = Type.Object(
  {
    targetRef: Type.Optional(TargetRefSchema),
    to: Type.Optional(
      Type.Array(Type.Object({ targetRef: TargetRefSchema, rules: Type.Array(RouteRuleSchema) }, strict), { description: 'Kuma: routes per destination.' }),
    ),
    http: Type.Optional(Type.Object({ rules: Type.Array(RouteRuleSchema) }, { ...strict, description: "The seed's shape." })),
  },
  { ...strict, description: "One of 'to' and 'http'." },
);

export type MeshHTTPRouteSpec = Static<typeof MeshHTTPRouteSpec>;
