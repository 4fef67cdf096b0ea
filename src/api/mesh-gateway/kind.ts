/**
 * The registry entry of `MeshGateway`.
 */
import { MeshGatewaySpec, meshGatewaySpecFields } from './schema.js';
import { validateMeshGateway } from './validate.js';
import type { KindDefinition } from '../types.js';

export const meshGatewayKind: KindDefinition = {
  kind: 'MeshGateway',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshgateways',
  schema: MeshGatewaySpec,
  validate: validateMeshGateway,
  universalSpecFields: meshGatewaySpecFields,
};
