/**
 * `MeshMultiZoneService` (`kuma.io/v1alpha1`, mesh-scoped): one name for the MeshServices of
 * several zones (`selector.meshService.matchLabels`), with its own ports.
 */
import { type Static, Type } from '@sinclair/typebox';
import { servicePortSchema } from '../mesh-service/index.js';

const strict = { additionalProperties: false } as const;

export const MeshMultiZoneServiceSpec = Type.Object(
  {
    selector: Type.Object(
      {
        meshService: Type.Object({ matchLabels: Type.Record(Type.String(), Type.String(), { description: 'Labels of the MeshServices it groups.' }) }, strict),
      },
      strict,
    ),
    ports: Type.Array(servicePortSchema(false)),
  },
  strict,
);

export type MeshMultiZoneServiceSpec = Static<typeof MeshMultiZoneServiceSpec>;
