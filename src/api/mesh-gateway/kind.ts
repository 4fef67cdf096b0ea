/**
 * The registry entry of `MeshGateway`.
 */

import type { KindDefinition } from '../types.js';
import { MeshGatewaySpec, meshGatewaySpecFields } from './schema.js';
import { validateMeshGateway } from './validate.js';

export const meshGatewayKind: KindDefinition = {
  kind: 'MeshGateway',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshgateways',
  schema: MeshGatewaySpec,
  validate: validateMeshGateway,
  universalSpecFields: meshGatewaySpecFields,
};
