/**
 * A validated Dataplane as an inventory proxy: `MESH.NAME`, its listeners with tags and protocol
 * (Kuma's `kuma.io/protocol`: http, http2 and grpc are HTTP; anything else, or none, is TCP).
 */

import type { ServiceKind } from '../mesh-service/model.js';
import type { ListenerProtocol } from '../shared/model.js';
import type { Resource } from '../types.js';
import type { InventoryProxy, ProxyInbound, ProxyOutbound } from './model.js';
import type { DataplaneSpec } from './schema.js';

const httpProtocols: ReadonlySet<string> = new Set(['http', 'http2', 'grpc']);

export function protocolOf(tags: Readonly<Record<string, string>> | undefined): ListenerProtocol {
  return httpProtocols.has(tags?.['kuma.io/protocol'] ?? '') ? 'http' : 'tcp';
}

export function normalizeDataplane(r: Resource): InventoryProxy {
  const n = (r.spec as DataplaneSpec).networking;
  const inbounds: ProxyInbound[] = (n.inbound ?? []).map((ib) => ({
    port: ib.port,
    ...(ib.name ? { name: ib.name } : {}),
    ...(ib.servicePort !== undefined ? { servicePort: ib.servicePort } : {}),
    address: ib.address ?? n.address,
    tags: { ...ib.tags },
    protocol: protocolOf(ib.tags),
  }));
  const outbounds: ProxyOutbound[] = (n.outbound ?? []).map((ob) => ({
    port: ob.port,
    ...(ob.address !== undefined ? { address: ob.address } : {}),
    service: ob.tags?.['kuma.io/service'] ?? ob.backendRef?.name ?? '',
    ...(isServiceKind(ob.backendRef?.kind) ? { kind: ob.backendRef.kind } : {}),
    ...(ob.backendRef?.port !== undefined ? { servicePort: ob.backendRef.port } : {}),
    tags: { ...(ob.tags ?? {}) },
    protocol: protocolOf(ob.tags),
  }));
  const gatewayTags = n.gateway ? { ...n.gateway.tags } : undefined;
  const zone = gatewayTags?.['kuma.io/zone'] ?? inbounds.find((ib) => ib.tags['kuma.io/zone'])?.tags['kuma.io/zone'];
  return {
    id: `${r.scope}.${r.name}`,
    mesh: r.scope,
    name: r.name,
    type: n.gateway ? 'gateway' : 'sidecar',
    address: n.address,
    ...(zone !== undefined ? { zone } : {}),
    inbounds,
    outbounds,
    ...(gatewayTags ? { gatewayTags } : {}),
    origin: 'Dataplane',
    ...(Object.keys(r.labels).length > 0 ? { labels: { ...r.labels } } : {}),
  };
}

function isServiceKind(kind: string | undefined): kind is ServiceKind {
  return kind === 'MeshService' || kind === 'MeshExternalService' || kind === 'MeshMultiZoneService';
}
