/**
 * The registry entry of `GlobalAccessLogBackend`: a `MeshAccessLogBackend` without a mesh,
 * referable from policies of every mesh.
 */
import { AccessLogBackendSpec, backendInUse, validateAccessLogBackend } from '../mesh-access-log-backend/index.js';
import type { KindDefinition } from '../types.js';

export const globalAccessLogBackendKind: KindDefinition = {
  kind: 'GlobalAccessLogBackend',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'global',
  plural: 'globalaccesslogbackends',
  schema: AccessLogBackendSpec,
  validate: validateAccessLogBackend,
  beforeDelete: backendInUse,
};
