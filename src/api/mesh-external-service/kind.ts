/**
 * The registry entry of `MeshExternalService`.
 */

import type { KindDefinition } from '../types.js';
import { MeshExternalServiceSpec } from './schema.js';
import { validateMeshExternalService } from './validate.js';

export const meshExternalServiceKind: KindDefinition = {
  kind: 'MeshExternalService',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshexternalservices',
  schema: MeshExternalServiceSpec,
  validate: validateMeshExternalService,
};
