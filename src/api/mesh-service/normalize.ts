/**
 * A validated MeshService, MeshExternalService or MeshMultiZoneService as a `ServiceResource`:
 * its labels as targetRefs select it, its ports with their protocol.
 */
import { namespaceLabel, resourceLabels } from '../shared/index.js';
import type { ListenerProtocol } from '../shared/model.js';
import type { Resource } from '../types.js';
import type { ServicePort, ServiceResource } from './model.js';
import type { MeshServiceSpec } from './schema.js';

const httpProtocols: ReadonlySet<string> = new Set(['http', 'http2', 'grpc']);

export function appProtocolOf(appProtocol: string | undefined): ListenerProtocol {
  return httpProtocols.has((appProtocol ?? '').toLowerCase()) ? 'http' : 'tcp';
}

type PortSpec = { readonly name?: string; readonly port: number; readonly targetPort?: number | string; readonly appProtocol?: string };

export function normalizePorts(ports: readonly PortSpec[] | undefined): ServicePort[] {
  return (ports ?? []).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: p.port,
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    protocol: appProtocolOf(p.appProtocol),
  }));
}

/** What every service kind shares: kind, name, mesh, namespace and labels. */
export function serviceBase(r: Resource): Pick<ServiceResource, 'kind' | 'name' | 'mesh' | 'namespace' | 'labels'> {
  const namespace = r.labels[namespaceLabel];
  return { kind: r.kind as ServiceResource['kind'], name: r.name, mesh: r.scope, ...(namespace ? { namespace } : {}), labels: resourceLabels(r) };
}

export function normalizeMeshService(r: Resource): ServiceResource {
  const spec = r.spec as MeshServiceSpec;
  const tags = spec.selector?.dataplaneTags;
  const dataplane = spec.selector?.dataplaneRef?.name;
  return {
    ...serviceBase(r),
    ports: normalizePorts(spec.ports),
    ...(tags ? { dataplaneTags: { ...tags } } : {}),
    ...(dataplane ? { dataplaneName: dataplane } : {}),
  };
}
