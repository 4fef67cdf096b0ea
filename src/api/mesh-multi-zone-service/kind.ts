/**
 * The registry entry of `MeshMultiZoneService`.
 */

import type { KindDefinition } from '../types.js';
import { MeshMultiZoneServiceSpec } from './schema.js';
import { validateMeshMultiZoneService } from './validate.js';

export const meshMultiZoneServiceKind: KindDefinition = {
  kind: 'MeshMultiZoneService',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshmultizoneservices',
  schema: MeshMultiZoneServiceSpec,
  validate: validateMeshMultiZoneService,
};
