/**
 * Every violation of a MeshMultiZoneService spec: the schema's, labels to select by, ports.
 */

import { field, type Violation } from '../../model/violations.js';
import { validatePorts } from '../mesh-service/index.js';
import { checkSpec, isObject } from '../shared/index.js';
import { MeshMultiZoneServiceSpec } from './schema.js';

export function validateMeshMultiZoneService(spec: unknown, path: string): Violation[] {
  return checkSpec(MeshMultiZoneServiceSpec, spec, path, isObject(spec) ? rules(spec, path) : []);
}

function rules(spec: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const selector = spec['selector'];
  const labels = isObject(selector) && isObject(selector['meshService']) ? selector['meshService']['matchLabels'] : undefined;
  if (isObject(labels) && Object.keys(labels).length === 0) {
    out.push({ field: field(field(field(path, 'selector'), 'meshService'), 'matchLabels'), message: 'must have at least one label' });
  }
  out.push(...validatePorts(spec['ports'], field(path, 'ports')));
  return out;
}
