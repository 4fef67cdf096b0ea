/**
 * What an upstream cluster's name says about an entry's direction and destination, in the naming
 * schemes of Istio and Kuma. The README ("Which way traffic went") states these rules for users.
 */

export interface ClusterHint {
  readonly direction: 'inbound' | 'outbound';
  /** Destination service (outbound), as a Kuma/MeshService name: the host's first label for Istio. */
  readonly service?: string;
  /** Kuma's unified naming says which kind of resource the destination is. */
  readonly kind?: 'MeshService' | 'MeshExternalService' | 'MeshMultiZoneService';
  /** Kuma's unified naming: the destination's namespace and its port (by name or number). */
  readonly namespace?: string;
  readonly section?: string;
  /** The full host (`reviews.bookinfo.svc.cluster.local`), when the name has one. */
  readonly host?: string;
  readonly port?: number;
  readonly subset?: string;
}

const istioPassthroughInbound = new Set(['InboundPassthroughCluster', 'InboundPassthroughClusterIpv4', 'InboundPassthroughClusterIpv6']);
const istioPassthroughOutbound = new Set(['PassthroughCluster', 'BlackHoleCluster']);

const kriKinds: Readonly<Record<string, ClusterHint['kind']>> = { msvc: 'MeshService', extsvc: 'MeshExternalService', mzsvc: 'MeshMultiZoneService' };

/** `kri_msvc_MESH_ZONE_NAMESPACE_NAME_SECTION` (Kuma's unified naming; `extsvc`, `mzsvc` alike) → the destination. */
function kriDestination(name: string): ClusterHint | undefined {
  const parts = name.split('_');
  if (parts.length < 6 || parts[0] !== 'kri' || !parts[5]) return undefined;
  const kind = kriKinds[parts[1]!];
  const port = Number(parts[6]);
  return {
    direction: 'outbound',
    service: parts[5],
    ...(kind ? { kind } : {}),
    ...(parts[4] ? { namespace: parts[4] } : {}),
    ...(parts[6] ? { section: parts[6] } : {}),
    ...(Number.isInteger(port) && port > 0 ? { port } : {}),
  };
}

/** A proxy has few upstream clusters and every entry names one: parse each name once. */
const parsed = new Map<string, ClusterHint | undefined>();
const maxParsed = 10_000;

export function parseClusterName(name: string | null | undefined): ClusterHint | undefined {
  if (!name) return undefined;
  const known = parsed.get(name);
  if (known !== undefined || parsed.has(name)) return known;
  if (parsed.size >= maxParsed) parsed.clear();
  const hint = parseUncached(name);
  parsed.set(name, hint);
  return hint;
}

function parseUncached(name: string): ClusterHint | undefined {
  if (name.startsWith('inbound|') || name.startsWith('outbound|')) {
    // Istio: `inbound|9080||` (or `inbound|9080|http|host` before 1.10), `outbound|9080|v1|reviews.bookinfo.svc.cluster.local`.
    const [direction, portText = '', subset = '', host = ''] = name.split('|');
    const port = Number(portText);
    const hint: ClusterHint = {
      direction: direction === 'inbound' ? 'inbound' : 'outbound',
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      ...(subset ? { subset } : {}),
    };
    if (direction === 'inbound' || !host) return hint;
    return { ...hint, host, service: host.split('.')[0] };
  }
  if (istioPassthroughInbound.has(name)) return { direction: 'inbound' };
  if (istioPassthroughOutbound.has(name)) return { direction: 'outbound' };
  // Kuma: inbound clusters are `localhost:PORT` (or `kri_dp_…` with unified naming); outbound clusters
  // are named after the destination service (`backend`, `backend_kuma-demo_svc_3001`, `kri_msvc_…`).
  if (name.startsWith('localhost:') || name.startsWith('kri_dp_')) {
    const port = Number(name.slice(name.lastIndexOf(':') + 1));
    return { direction: 'inbound', ...(Number.isInteger(port) && port > 0 ? { port } : {}) };
  }
  return kriDestination(name);
}
