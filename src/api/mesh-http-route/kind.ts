/**
 * The registry entry of `MeshHTTPRoute`.
 */
import { MeshHTTPRouteSpec } from './schema.js';
import { validateMeshHTTPRoute } from './validate.js';
import type { KindDefinition } from '../types.js';

export const meshHTTPRouteKind: KindDefinition = {
  kind: 'MeshHTTPRoute',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshhttproutes',
  schema: MeshHTTPRouteSpec,
  validate: validateMeshHTTPRoute,
};
