/**
 * Every violation of a backend resource's spec: the schema's, then the backend's own rules.
 */

import { field, type Violation } from '../../model/violations.js';
import { checkSpec, isObject, validateBackend } from '../shared/index.js';
import type { ValidationContext } from '../types.js';
import { AccessLogBackendSpec } from './schema.js';

export function validateAccessLogBackend(spec: unknown, path: string, context?: ValidationContext): Violation[] {
  const rules = isObject(spec) ? validateBackend(spec, path, 'resource', context) : [];
  if (isObject(spec) && spec['name'] === '') rules.push({ field: field(path, 'name'), message: 'must not be empty' });
  return checkSpec(AccessLogBackendSpec, spec, path, rules);
}
