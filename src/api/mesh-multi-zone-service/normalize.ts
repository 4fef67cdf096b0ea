/**
 * A validated MeshMultiZoneService as a `ServiceResource`: its ports and the labels of the
 * MeshServices it groups.
 */
import { normalizePorts, type ServiceResource, serviceBase } from '../mesh-service/index.js';
import type { Resource } from '../types.js';
import type { MeshMultiZoneServiceSpec } from './schema.js';

export function normalizeMeshMultiZoneService(r: Resource): ServiceResource {
  const spec = r.spec as MeshMultiZoneServiceSpec;
  return { ...serviceBase(r), ports: normalizePorts(spec.ports), serviceLabels: { ...spec.selector.meshService.matchLabels } };
}
