/**
 * The registry entry of `MeshGatewayRoute`.
 */

import type { KindDefinition } from '../types.js';
import { gatewayRouteSpecFields, MeshGatewayRouteSpec } from './schema.js';
import { validateMeshGatewayRoute } from './validate.js';

export const meshGatewayRouteKind: KindDefinition = {
  kind: 'MeshGatewayRoute',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshgatewayroutes',
  schema: MeshGatewayRouteSpec,
  validate: validateMeshGatewayRoute,
  universalSpecFields: gatewayRouteSpecFields,
};
