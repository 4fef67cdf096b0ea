/**
 * The `AccessLogRecord` kind: its schema, its validation, and its registry entry.
 */

import type { KindDefinition } from '../types.js';
import { AccessLogRecordSpec } from './schema.js';
import { validateAccessLogRecord } from './validate.js';

export { AccessLogRecordSpec } from './schema.js';
export { validateAccessLogRecord } from './validate.js';

export const accessLogRecordKind: KindDefinition = {
  kind: 'AccessLogRecord',
  apiVersions: ['observability.enterprise.mesh.gloo.solo.io/v1', 'observability.enterprise.mesh.gloo.solo.io/v1alpha1'],
  scope: 'namespaced',
  plural: 'accesslogrecords',
  schema: AccessLogRecordSpec,
  validate: validateAccessLogRecord,
};
