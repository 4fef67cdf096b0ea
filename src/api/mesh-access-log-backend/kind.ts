/**
 * The registry entry of `MeshAccessLogBackend`.
 */

import type { KindDefinition } from '../types.js';
import { backendInUse } from './normalize.js';
import { AccessLogBackendSpec } from './schema.js';
import { validateAccessLogBackend } from './validate.js';

export const meshAccessLogBackendKind: KindDefinition = {
  kind: 'MeshAccessLogBackend',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshaccesslogbackends',
  schema: AccessLogBackendSpec,
  validate: validateAccessLogBackend,
  beforeDelete: backendInUse,
};
