/**
 * The registry entry of `MeshHTTPRoute`.
 */

import type { KindDefinition } from '../types.js';
import { MeshHTTPRouteSpec } from './schema.js';
import { validateMeshHTTPRoute } from './validate.js';

export const meshHTTPRouteKind: KindDefinition = {
  kind: 'MeshHTTPRoute',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshhttproutes',
  schema: MeshHTTPRouteSpec,
  validate: validateMeshHTTPRoute,
};
