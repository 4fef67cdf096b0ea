/**
 * Every violation of a MeshService spec (the schema's, then one selector, ports in range and
 * named once), and the port rules the MeshMultiZoneService shares.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { checkSpec, isObject } from '../shared/index.js';
import { MeshServiceSpec } from './schema.js';

export function validateMeshService(spec: unknown, path: string): Violation[] {
  return checkSpec(MeshServiceSpec, spec, path, isObject(spec) ? rules(spec, path) : []);
}

function rules(spec: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const selector = spec['selector'];
  if (isObject(selector) && (selector['dataplaneTags'] === undefined) === (selector['dataplaneRef'] === undefined)) {
    out.push({ field: field(path, 'selector'), message: "must have exactly one of 'dataplaneTags' and 'dataplaneRef'" });
  }
  out.push(...validatePorts(spec['ports'], field(path, 'ports')));
  return out;
}

/** A port number outside 1–65535, as a violation at `path`. */
export function portRange(value: unknown, path: string): Violation[] {
  return typeof value === 'number' && (value < 1 || value > 65535) ? [{ field: path, message: 'port must be in the range [1, 65535]' }] : [];
}

/** Ports from 1 to 65535, each name and number once. */
export function validatePorts(ports: unknown, path: string): Violation[] {
  if (!Array.isArray(ports)) return [];
  const out: Violation[] = [];
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((p, i) => {
    if (!isObject(p)) return;
    const at = index(path, i);
    for (const f of ['port', 'targetPort']) out.push(...portRange(p[f], field(at, f)));
    if (typeof p['port'] === 'number') {
      if (numbers.has(p['port'])) out.push({ field: field(at, 'port'), message: `port ${p['port']} is listed twice` });
      numbers.add(p['port']);
    }
    if (typeof p['name'] === 'string' && p['name'] !== '') {
      if (names.has(p['name'])) out.push({ field: field(at, 'name'), message: `port name "${p['name']}" is used twice` });
      names.add(p['name']);
    }
  });
  return out;
}
