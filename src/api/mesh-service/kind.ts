/**
 * The registry entry of `MeshService`.
 */

import type { KindDefinition } from '../types.js';
import { MeshServiceSpec } from './schema.js';
import { validateMeshService } from './validate.js';

export const meshServiceKind: KindDefinition = {
  kind: 'MeshService',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshservices',
  schema: MeshServiceSpec,
  validate: validateMeshService,
};
