/**
 * A validated MeshGateway as a `GatewayResource`: HTTP and HTTPS listeners log HTTP entries, TCP
 * and TLS ones TCP entries.
 */
import type { Resource } from '../types.js';
import type { GatewayResource } from './model.js';
import type { MeshGatewaySpec } from './schema.js';

export function normalizeMeshGateway(r: Resource): GatewayResource {
  const spec = r.spec as MeshGatewaySpec;
  return {
    name: r.name,
    mesh: r.scope,
    selectors: spec.selectors.map((s) => ({ ...s.match })),
    listeners: spec.conf.listeners.map((l) => ({
      port: l.port,
      protocol: l.protocol === 'HTTP' || l.protocol === 'HTTPS' ? 'http' : 'tcp',
      hostname: l.hostname ?? '*',
      tags: { ...spec.tags, ...l.tags },
    })),
  };
}
