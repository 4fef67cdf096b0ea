/**
 * Every violation of a MeshGateway spec: the schema's, selectors with tags, listeners in range
 * and not repeated (one port and hostname once).
 */

import { field, index, type Violation } from '../../model/violations.js';
import { portRange } from '../mesh-service/index.js';
import { checkSpec, isObject } from '../shared/index.js';
import { MeshGatewaySpec } from './schema.js';

export function validateMeshGateway(spec: unknown, path: string): Violation[] {
  return checkSpec(MeshGatewaySpec, spec, path, isObject(spec) ? rules(spec, path) : []);
}

function rules(spec: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const selectors = spec['selectors'];
  if (Array.isArray(selectors)) {
    if (selectors.length === 0) out.push({ field: field(path, 'selectors'), message: 'must have at least one selector' });
    selectors.forEach((s, i) => {
      if (isObject(s) && isObject(s['match']) && Object.keys(s['match']).length === 0)
        out.push({ field: field(index(field(path, 'selectors'), i), 'match'), message: 'must have at least one tag' });
    });
  }
  const conf = spec['conf'];
  const listeners = isObject(conf) && Array.isArray(conf['listeners']) ? conf['listeners'] : [];
  const at = field(field(path, 'conf'), 'listeners');
  if (isObject(conf) && listeners.length === 0) out.push({ field: at, message: 'must have at least one listener' });
  const seen = new Set<string>();
  listeners.forEach((l, i) => {
    if (!isObject(l)) return;
    out.push(...portRange(l['port'], field(index(at, i), 'port')));
    const key = `${String(l['port'])} ${typeof l['hostname'] === 'string' ? l['hostname'] : '*'}`;
    if (seen.has(key)) out.push({ field: index(at, i), message: `another listener already takes port ${String(l['port'])} for hostname ${key.split(' ')[1]}` });
    seen.add(key);
  });
  return out;
}
