/**
 * The registry entry of `Dataplane`.
 */

import type { KindDefinition } from '../types.js';
import { DataplaneSpec, dataplaneSpecFields } from './schema.js';
import { validateDataplane } from './validate.js';

export const dataplaneKind: KindDefinition = {
  kind: 'Dataplane',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'dataplanes',
  schema: DataplaneSpec,
  validate: validateDataplane,
  universalSpecFields: dataplaneSpecFields,
};
