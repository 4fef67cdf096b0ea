/**
 * Every violation of a MeshAccessLog spec: the schema's, then the MADR's and Kuma 2.14's rules on
 * which sections and target kinds go together, then each entry's backends and filtering. Kuma's
 * validator (`pkg/plugins/policies/meshaccesslog/api/v1alpha1/validator.go`) is the model; where
 * meshlog accepts more (the MADR's route targets, `from` by caller) or less (addresses it could
 * not dial), docs/reference/resources.md says so.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { checkSpec, isObject, type TargetRefPlace, validateConf, validateTargetRef } from '../shared/index.js';
import type { TargetRefKind } from '../shared/model.js';
import type { ValidationContext } from '../types.js';
import { validatePeerMatch } from './peer-match.js';
import { MeshAccessLogSpec } from './schema.js';

const topKinds: readonly TargetRefKind[] = [
  'Mesh',
  'MeshSubset',
  'Dataplane',
  'MeshGateway',
  'MeshService',
  'MeshServiceSubset',
  'MeshHTTPRoute',
  'MeshGatewayRoute',
];
/** Kuma takes only `Mesh` in `from`; meshlog also matches the caller's identity. */
const fromKinds: readonly TargetRefKind[] = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset'];
const toKinds: readonly TargetRefKind[] = ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'];
/** Kuma 2.14: a gateway's outbound traffic is logged as a whole. */
const gatewayToKinds: readonly TargetRefKind[] = ['Mesh'];
const routeKinds: ReadonlySet<string> = new Set(['MeshGatewayRoute', 'MeshHTTPRoute']);

export function validateMeshAccessLog(spec: unknown, path: string, context?: ValidationContext): Violation[] {
  return checkSpec(MeshAccessLogSpec, spec, path, isObject(spec) ? rules(spec, path, context) : []);
}

const has = (list: unknown) => Array.isArray(list) && list.length > 0;

function rules(spec: Record<string, unknown>, path: string, context?: ValidationContext): Violation[] {
  const out: Violation[] = [];
  const { targetRef, from, to, rules: kumaRules } = spec;
  if (!has(from) && !has(to) && !has(kumaRules)) out.push({ field: path, message: "at least one of 'from', 'to' or 'rules' has to be defined" });
  if (has(kumaRules) && (has(from) || has(to))) out.push({ field: path, message: "fields 'to' and 'from' must be empty when 'rules' is defined" });

  out.push(...validateTargetRef(targetRef, field(path, 'targetRef'), { allowed: topKinds, top: true, inbound: has(from) || has(kumaRules) }));
  const topKind = isObject(targetRef) ? targetRef['kind'] : undefined;
  if (typeof topKind === 'string' && routeKinds.has(topKind) && to !== undefined) {
    out.push({
      field: field(path, 'to'),
      message: `must not be defined when spec.targetRef.kind is ${topKind}: there is no way of knowing if an outgoing request is connected to an incoming route`,
    });
  }

  const fromPlace: TargetRefPlace = { allowed: fromKinds, why: (kind) => (routeKinds.has(kind) ? 'there is no route a request originates from' : undefined) };
  const gateway = topKind === 'MeshGateway';
  const toPlace: TargetRefPlace = gateway
    ? { allowed: gatewayToKinds, why: () => "a MeshGateway's 'to' applies to all its outbound traffic" }
    : { allowed: toKinds };
  eachEntry(from, field(path, 'from'), (entry, at) => {
    out.push(...validateTargetRef(entry['targetRef'], field(at, 'targetRef'), fromPlace));
    out.push(...validateDefault(entry['default'], field(at, 'default'), context));
  });
  eachEntry(to, field(path, 'to'), (entry, at) => {
    out.push(...validateTargetRef(entry['targetRef'], field(at, 'targetRef'), toPlace));
    out.push(...validateDefault(entry['default'], field(at, 'default'), context));
  });
  eachEntry(kumaRules, field(path, 'rules'), (rule, at) => {
    eachEntry(rule['matches'], field(at, 'matches'), (match, matchAt) => out.push(...validatePeerMatch(match, matchAt)));
    out.push(...validateDefault(rule['default'], field(at, 'default'), context));
  });
  return out;
}

/** Kuma requires `backends` in every entry (`[]` logs nothing); then the conf's own rules. */
function validateDefault(conf: unknown, path: string, context?: ValidationContext): Violation[] {
  if (conf !== undefined && !isObject(conf)) return [];
  if (conf?.['backends'] === undefined) return [{ field: field(path, 'backends'), message: 'must be defined' }, ...validateConf(conf, path, context)];
  return validateConf(conf, path, context);
}

function eachEntry(list: unknown, path: string, check: (entry: Record<string, unknown>, at: string) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (isObject(entry)) check(entry, index(path, i));
  });
}
