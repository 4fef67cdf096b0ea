/**
 * The registry entry of `MeshExternalService`.
 */
import { MeshExternalServiceSpec } from './schema.js';
import { validateMeshExternalService } from './validate.js';
import type { KindDefinition } from '../types.js';

export const meshExternalServiceKind: KindDefinition = {
  kind: 'MeshExternalService',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshexternalservices',
  schema: MeshExternalServiceSpec,
  validate: validateMeshExternalService,
};
