/**
 * The registry entry of `MeshAccessLog`.
 */

import type { KindDefinition } from '../types.js';
import { MeshAccessLogSpec } from './schema.js';
import { validateMeshAccessLog } from './validate.js';

export const meshAccessLogKind: KindDefinition = {
  kind: 'MeshAccessLog',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshaccesslogs',
  schema: MeshAccessLogSpec,
  validate: validateMeshAccessLog,
};
