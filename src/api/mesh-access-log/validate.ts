/**
 * Every violation of a MeshAccessLog spec: the schema's, then the MADR's and Kuma's rules on
 * which sections and target kinds go together, then each entry's backends and filtering.
 */
import { checkSpec, isObject, validateConf, validateTargetRef } from '../shared/index.js';
import { type Violation, field, index } from '../../model/violations.js';
import { validatePeerMatch } from './peer-match.js';
import { MeshAccessLogSpec } from './schema.js';
import type { TargetRefKind } from '../shared/model.js';
import type { ValidationContext } from '../types.js';

const topKinds: readonly TargetRefKind[] = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset', 'MeshGatewayRoute', 'MeshHTTPRoute'];
const fromKinds: readonly TargetRefKind[] = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset'];
const toKinds: readonly TargetRefKind[] = ['Mesh', 'MeshService'];
const routeKinds: ReadonlySet<string> = new Set(['MeshGatewayRoute', 'MeshHTTPRoute']);

export function validateMeshAccessLog(spec: unknown, path: string, context?: ValidationContext): Violation[] {
  return checkSpec(MeshAccessLogSpec, spec, path, isObject(spec) ? rules(spec, path, context) : []);
}

function rules(spec: Record<string, unknown>, path: string, context?: ValidationContext): Violation[] {
  const out: Violation[] = [];
  const { targetRef, from, to, rules: kumaRules } = spec;
  const has = (list: unknown) => Array.isArray(list) && list.length > 0;
  if (!has(from) && !has(to) && !has(kumaRules)) out.push({ field: path, message: "at least one of 'from', 'to' or 'rules' has to be defined" });
  if (has(kumaRules) && (has(from) || has(to))) out.push({ field: path, message: "fields 'to' and 'from' must be empty when 'rules' is defined" });

  out.push(...validateTargetRef(targetRef, field(path, 'targetRef'), topKinds));
  const topKind = isObject(targetRef) ? targetRef['kind'] : undefined;
  if (typeof topKind === 'string' && routeKinds.has(topKind) && to !== undefined) {
    out.push({
      field: field(path, 'to'),
      message: `must not be defined when spec.targetRef.kind is ${topKind}: there is no way of knowing if an outgoing request is connected to an incoming route`,
    });
  }

  eachEntry(from, field(path, 'from'), (entry, at) => {
    out.push(...validateTargetRef(entry['targetRef'], field(at, 'targetRef'), fromKinds, (kind) => (routeKinds.has(kind) ? 'there is no route a request originates from' : undefined)));
    out.push(...validateConf(entry['default'], field(at, 'default'), context));
  });
  eachEntry(to, field(path, 'to'), (entry, at) => {
    out.push(...validateTargetRef(entry['targetRef'], field(at, 'targetRef'), toKinds));
    out.push(...validateConf(entry['default'], field(at, 'default'), context));
  });
  eachEntry(kumaRules, field(path, 'rules'), (rule, at) => {
    eachEntry(rule['matches'], field(at, 'matches'), (match, matchAt) => out.push(...validatePeerMatch(match, matchAt)));
    out.push(...validateConf(rule['default'], field(at, 'default'), context));
  });
  return out;
}

function eachEntry(list: unknown, path: string, check: (entry: Record<string, unknown>, at: string) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (isObject(entry)) check(entry, index(path, i));
  });
}
