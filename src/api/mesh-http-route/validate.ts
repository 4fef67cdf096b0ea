/**
 * Every violation of a MeshHTTPRoute spec: the schema's, one of the two shapes, the kinds a
 * route may target, and each match's path, header and regular expressions.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { checkSpec, isObject, validateRouteRules, validateTargetRef } from '../shared/index.js';
import type { TargetRefKind } from '../shared/model.js';
import { MeshHTTPRouteSpec } from './schema.js';

const targetKinds: readonly TargetRefKind[] = ['Mesh', 'MeshSubset', 'Dataplane', 'MeshGateway', 'MeshService', 'MeshServiceSubset'];
const toKinds: readonly TargetRefKind[] = ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService'];

export function validateMeshHTTPRoute(spec: unknown, path: string): Violation[] {
  return checkSpec(MeshHTTPRouteSpec, spec, path, isObject(spec) ? rules(spec, path) : []);
}

function rules(spec: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const { to, http } = spec;
  if (to === undefined && http === undefined) out.push({ field: path, message: "must have 'to' (or the seed's 'http')" });
  if (to !== undefined && http !== undefined) out.push({ field: field(path, 'http'), message: "must not be set together with 'to'" });
  out.push(...validateTargetRef(spec['targetRef'], field(path, 'targetRef'), { allowed: targetKinds, top: true }));
  if (Array.isArray(to)) {
    to.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const at = index(field(path, 'to'), i);
      out.push(...validateTargetRef(entry['targetRef'], field(at, 'targetRef'), { allowed: toKinds }));
      out.push(...validateRouteRules(entry['rules'], field(at, 'rules')));
    });
  }
  if (isObject(http)) out.push(...validateRouteRules(http['rules'], field(field(path, 'http'), 'rules')));
  return out;
}
