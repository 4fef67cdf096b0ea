/**
 * Every violation of a MeshExternalService spec: the schema's, and ports in range.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { portRange } from '../mesh-service/index.js';
import { checkSpec, isObject } from '../shared/index.js';
import { MeshExternalServiceSpec } from './schema.js';

export function validateMeshExternalService(spec: unknown, path: string): Violation[] {
  return checkSpec(MeshExternalServiceSpec, spec, path, isObject(spec) ? rules(spec, path) : []);
}

function rules(spec: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  if (isObject(spec['match'])) out.push(...portRange(spec['match']['port'], field(field(path, 'match'), 'port')));
  const endpoints = spec['endpoints'];
  if (Array.isArray(endpoints)) {
    endpoints.forEach((e, i) => {
      if (!isObject(e)) return;
      const at = index(field(path, 'endpoints'), i);
      if (e['address'] === '') out.push({ field: field(at, 'address'), message: 'must not be empty' });
      out.push(...portRange(e['port'], field(at, 'port')));
    });
  }
  return out;
}
