/**
 * Every violation of a Mesh spec that meshlog reads: its logging backends, their names unique,
 * the default one defined.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { checkSpec, isObject, validateBackend } from '../shared/index.js';
import type { ValidationContext } from '../types.js';
import { MeshSpec } from './schema.js';

export function validateMesh(spec: unknown, path: string, context?: ValidationContext): Violation[] {
  const logging = isObject(spec) ? spec['logging'] : undefined;
  return checkSpec(MeshSpec, spec, path, isObject(logging) ? loggingRules(logging, field(path, 'logging'), context) : []);
}

function loggingRules(logging: Record<string, unknown>, path: string, context?: ValidationContext): Violation[] {
  const out: Violation[] = [];
  const names = new Set<string>();
  const backends = Array.isArray(logging['backends']) ? logging['backends'] : [];
  backends.forEach((b, i) => {
    const at = index(field(path, 'backends'), i);
    out.push(...validateBackend(b, at, 'mesh', context));
    const name = isObject(b) ? b['name'] : undefined;
    if (typeof name !== 'string' || name === '') return;
    if (names.has(name)) out.push({ field: field(at, 'name'), message: `duplicate backend name "${name}"` });
    names.add(name);
  });
  const defaultBackend = logging['defaultBackend'];
  if (typeof defaultBackend === 'string' && !names.has(defaultBackend)) {
    out.push({ field: field(path, 'defaultBackend'), message: `backend "${defaultBackend}" is not defined in 'backends'` });
  }
  return out;
}
