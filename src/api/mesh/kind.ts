/**
 * The registry entry of `Mesh`.
 */

import type { KindDefinition } from '../types.js';
import { MeshSpec, meshSpecFields } from './schema.js';
import { validateMesh } from './validate.js';

export const meshKind: KindDefinition = {
  kind: 'Mesh',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'global',
  plural: 'meshes',
  schema: MeshSpec,
  validate: validateMesh,
  universalSpecFields: meshSpecFields,
};
