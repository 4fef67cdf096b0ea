/**
 * Every violation of a MeshGatewayRoute spec: the schema's, one selector with tags, one of
 * `http` and `tcp`, and each HTTP match.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { checkSpec, isObject, validateRouteRules } from '../shared/index.js';
import { MeshGatewayRouteSpec } from './schema.js';

export function validateMeshGatewayRoute(spec: unknown, path: string): Violation[] {
  return checkSpec(MeshGatewayRouteSpec, spec, path, isObject(spec) ? rules(spec, path) : []);
}

function rules(spec: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const { selectors, conf } = spec;
  if (Array.isArray(selectors)) {
    // A route's proxies are one gateway's; several selectors would make the normalised target a union meshlog cannot express.
    if (selectors.length !== 1)
      out.push({ field: field(path, 'selectors'), message: `must have exactly one selector (the gateway's tags), not ${selectors.length}` });
    selectors.forEach((s, i) => {
      if (isObject(s) && isObject(s['match']) && Object.keys(s['match']).length === 0)
        out.push({ field: field(index(field(path, 'selectors'), i), 'match'), message: 'must have at least one tag' });
    });
  }
  if (isObject(conf)) {
    const at = field(path, 'conf');
    if (conf['http'] === undefined && conf['tcp'] === undefined) out.push({ field: at, message: "must have one of 'http' and 'tcp'" });
    if (conf['http'] !== undefined && conf['tcp'] !== undefined) out.push({ field: field(at, 'tcp'), message: "must not be set together with 'http'" });
    if (isObject(conf['http'])) out.push(...validateRouteRules(conf['http']['rules'], field(field(at, 'http'), 'rules')));
  }
  return out;
}
