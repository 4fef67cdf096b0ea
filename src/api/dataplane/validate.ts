/**
 * Every violation of a Dataplane spec: the schema's, then Kuma's rules on inbounds and gateways
 * and the tags meshlog matches on.
 */
import { isIP } from 'node:net';
import { field, index, type Violation } from '../../model/violations.js';
import { checkSpec, isObject } from '../shared/index.js';
import { DataplaneSpec } from './schema.js';

const hostname = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const serviceTag = 'kuma.io/service';

export function validateDataplane(spec: unknown, path: string): Violation[] {
  const networking = isObject(spec) ? spec['networking'] : undefined;
  return checkSpec(DataplaneSpec, spec, path, isObject(networking) ? networkingRules(networking, field(path, 'networking')) : []);
}

function networkingRules(n: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const address = n['address'];
  if (address === '') out.push({ field: field(path, 'address'), message: 'must be set' });
  else if (typeof address === 'string' && !isAddress(address))
    out.push({ field: field(path, 'address'), message: `"${address}" is not an IP address or host name` });
  const inbound = Array.isArray(n['inbound']) ? n['inbound'] : [];
  const gateway = n['gateway'];
  if (inbound.length === 0 && gateway === undefined) out.push({ field: path, message: "must have at least one 'inbound' or a 'gateway'" });
  if (inbound.length > 0 && gateway !== undefined) out.push({ field: field(path, 'inbound'), message: "must not be set together with 'gateway'" });
  const listeners = new Set<string>();
  inbound.forEach((ib, i) => {
    if (!isObject(ib)) return;
    const at = index(field(path, 'inbound'), i);
    out.push(...requireService(ib['tags'], field(at, 'tags')));
    if (typeof ib['address'] === 'string' && !isAddress(ib['address']))
      out.push({ field: field(at, 'address'), message: `"${ib['address']}" is not an IP address or host name` });
    const listener = `${typeof ib['address'] === 'string' ? ib['address'] : String(address)}:${String(ib['port'])}`;
    if (listeners.has(listener)) out.push({ field: field(at, 'port'), message: `another inbound already listens on ${listener}` });
    listeners.add(listener);
  });
  const outbound = Array.isArray(n['outbound']) ? n['outbound'] : [];
  outbound.forEach((ob, i) => {
    if (!isObject(ob)) return;
    const at = index(field(path, 'outbound'), i);
    if (ob['backendRef'] !== undefined && ob['tags'] !== undefined)
      out.push({ field: field(at, 'backendRef'), message: "must not be set together with 'tags'" });
    else if (ob['backendRef'] === undefined) out.push(...requireService(ob['tags'], field(at, 'tags')));
  });
  if (isObject(gateway)) out.push(...requireService(gateway['tags'], field(field(path, 'gateway'), 'tags')));
  return out;
}

function requireService(tags: unknown, path: string): Violation[] {
  if (tags === undefined) return [{ field: path, message: `must be set, with ${serviceTag}` }];
  if (!isObject(tags)) return [];
  const service = tags[serviceTag];
  if (service === undefined || service === '') return [{ field: field(path, serviceTag), message: 'must be set' }];
  return [];
}

function isAddress(value: string): boolean {
  return isIP(value) !== 0 || hostname.test(value);
}
