/**
 * `MeshService` (`kuma.io/v1alpha1`, mesh-scoped): a service of the mesh, the dataplanes behind it
 * (`selector.dataplaneTags` or `selector.dataplaneRef`) and its ports. Kuma creates most of them
 * itself; meshlog reads them so that `to: MeshService` by labels, and `sectionName`, resolve.
 */
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const port = (description: string) => Type.Integer({ description });

/** A service port; `targetPort` only where the service fronts dataplanes. */
export function servicePortSchema(withTarget: boolean) {
  return Type.Object(
    {
      name: Type.Optional(Type.String({ description: "What 'sectionName' names the port by (else its number)." })),
      port: port('The port clients use.'),
      ...(withTarget
        ? { targetPort: Type.Optional(Type.Union([Type.Integer(), Type.String()], { description: 'The inbound port (or its name) on the dataplanes.' })) }
        : {}),
      appProtocol: Type.Optional(Type.String({ description: 'tcp (default), http, http2, grpc, ...' })),
    },
    strict,
  );
}

export const MeshServiceSpec = Type.Object(
  {
    selector: Type.Optional(
      Type.Object(
        {
          dataplaneTags: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Inbounds with all these tags.' })),
          dataplaneRef: Type.Optional(Type.Object({ name: Type.String({ description: 'One Dataplane, by name.' }) }, strict)),
        },
        { ...strict, description: "One of 'dataplaneTags' and 'dataplaneRef'." },
      ),
    ),
    ports: Type.Optional(Type.Array(servicePortSchema(true))),
    identities: Type.Optional(Type.Array(Type.Object({ type: Type.String(), value: Type.String() }, strict), { description: 'Not interpreted by meshlog.' })),
    state: Type.Optional(Type.Union([Type.Literal('Available'), Type.Literal('Unavailable')], { description: 'Not interpreted by meshlog.' })),
  },
  strict,
);

export type MeshServiceSpec = Static<typeof MeshServiceSpec>;
